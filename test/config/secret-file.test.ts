import { expect } from 'chai';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSecretFile } from '../../src/config/secret-file';
import { tempFolder } from './config-fixtures';

describe('writeSecretFile (configs with keystores, devnet keys, run files)', function () {
  let folder: ReturnType<typeof tempFolder>;
  beforeEach(() => (folder = tempFolder()));
  afterEach(() => folder.remove());

  it('replaces an existing 0644 file with a 0600 one (init --force, dev over an old config)', function () {
    const path = join(folder.dir, 'facilitator-config.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o644);
    writeSecretFile(path, 'new');
    expect(readFileSync(path, 'utf8')).to.equal('new');
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(readdirSync(folder.dir), 'no temporary file left').to.deep.equal(['facilitator-config.json']);
  });

  it('creates missing folders 0700 and the file 0600', function () {
    const path = join(folder.dir, 'a', 'b', 'devnet.json');
    writeSecretFile(path, '{}');
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(statSync(join(folder.dir, 'a', 'b')).mode & 0o777).to.equal(0o700);
  });
});
