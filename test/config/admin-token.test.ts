import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminTokenPath, createAdminToken, ensureAdminToken, isAdminToken, readAdminToken } from '../../src/config/admin-token';

describe('admin token file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'admin-token-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lives beside the facilitator-config', () => {
    expect(adminTokenPath('/home/op/.mosaic/1405/facilitator-config.json')).to.equal('/home/op/.mosaic/1405/admin-token');
  });

  it('is written 0600 with 32 random bytes in hex, a new one each time', () => {
    const path = join(dir, 'admin-token');
    const first = createAdminToken(path);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(first).to.match(/^[0-9a-f]{64}$/);
    expect(readFileSync(path, 'utf8')).to.equal(`${first}\n`);
    expect(createAdminToken(path)).not.to.equal(first);
  });

  it('is made once by ensureAdminToken and read back after', () => {
    const path = join(dir, 'nested', 'admin-token');
    const made = ensureAdminToken(path);
    expect(made.created).to.equal(true);
    expect(ensureAdminToken(path)).to.deep.equal({ token: made.token, created: false });
  });

  it('is refused when others may read it, or when it holds no token, in one line without its content', () => {
    const path = join(dir, 'admin-token');
    const token = createAdminToken(path);
    chmodSync(path, 0o644);
    expect(() => readAdminToken(path)).to.throw(`admin token ${path} may be read by others (mode 0644): \`chmod 600 ${path}\``);
    try {
      readAdminToken(path);
    } catch (error) {
      expect((error as Error).message).not.to.contain(token);
    }
    writeFileSync(path, 'not a token\n', { mode: 0o600 });
    chmodSync(path, 0o600);
    expect(() => readAdminToken(path)).to.throw(/holds no token \(64 hex characters\): delete it/);
    expect(() => readAdminToken(join(dir, 'missing'))).to.throw(/no admin token at .*missing: `facilitator start` writes one/);
  });

  it('compares a presented token exactly, whatever its length', () => {
    const token = 'cd'.repeat(32);
    expect([token, token.slice(1), `${token}0`, token.toUpperCase(), ''].map((presented) => isAdminToken(presented, token))).to.deep.equal([true, false, false, false, false]);
  });
});
