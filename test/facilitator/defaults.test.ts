import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('DEFAULTS (one table of defaults)', function () {
  // Options the table has a default for; an inner layer falling back to a number of its own would
  // drift from the table (and from what the operator's config documentation says).
  const tabled = ['pollIntervalMs', 'stuckAfterMs', 'staleAfterMs', 'maxRange', 'pollMs'];
  const innerDefault = new RegExp(`\\b(${tabled.join('|')})\\s*\\?\\?\\s*[0-9]`);

  it('no module outside src/facilitator/defaults.ts falls back to a number of its own for an option the table holds', function () {
    const offenders = sourceFiles(SRC)
      .filter((path) => !path.endsWith(join('facilitator', 'defaults.ts')))
      .flatMap((path) =>
        readFileSync(path, 'utf8')
          .split('\n')
          .map((line, index) => ({ line, where: `src/${relative(SRC, path)}:${index + 1}` }))
          .filter(({ line }) => innerDefault.test(line))
          .map(({ where, line }) => `${where}: ${line.trim()}`),
      );
    expect(offenders).to.deep.equal([]);
  });
});
