import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { configuredFolder, makeWorkers, type tempFolder, type Workers } from '../config/config-fixtures';

/* What `facilitator start --chains` refuses before it writes anything (no chain needed: it stops first). */
describe('facilitator start --chains refuses bad input in one line', function () {
  this.timeout(60_000);
  let workers: Workers;
  let folder: ReturnType<typeof tempFolder>;
  let configPath: string;

  before(async () => (workers = await makeWorkers()));
  beforeEach(() => ({ folder, configPath } = configuredFolder(workers)));
  afterEach(() => folder.remove());

  const start = (...args: string[]) => runCli(['start', ...args], { env: { MOSAIC_HOME: join(folder.dir, 'home') }, timeoutMs: 45_000 });
  const expectOneLine = (result: { code: number | null; stderr: string }, pattern: RegExp) => {
    expect(result.code).to.equal(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).to.have.length(1);
    expect(lines[0]).to.match(pattern);
    expect(existsSync(join(folder.dir, 'db')), 'no database').to.equal(false);
    expect(existsSync(join(folder.dir, 'home')), 'no run file').to.equal(false);
  };

  it('--chains abc', async () => {
    expectOneLine(await start('--chains', 'abc'), /--chains.*expected chain ids separated by commas, e\.g\. 1405,1406/);
  });

  it('a chain listed twice', async () => {
    expectOneLine(await start('--chains', '1405,1405'), /chain 1405 is listed twice/);
  });

  it('fewer facilitator-configs than chains', async () => {
    expectOneLine(await start('--chains', '1405,1406', '--facilitator-config', configPath), /--facilitator-config names 1 file\(s\) for 2 chains/);
  });

  it('a chain the mosaic-config does not have', async () => {
    expectOneLine(await start('--chains', '1405,1406', '--facilitator-config', `${configPath},${configPath}`), /1406/);
  });

  it('--aux-chain-id beside --chains', async () => {
    expectOneLine(await start('--chains', '1405', '--aux-chain-id', '1405'), /--aux-chain-id and --chains exclude each other/);
  });
});
