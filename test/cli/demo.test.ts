import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root';
import { runCli } from '../helpers/cli';

describe('facilitator demo', function () {
  this.timeout(240_000);

  it('runs devnet, embedded indexers, facilitator and demo staker, and exits 0 once every request is minted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facilitator-demo-'));
    try {
      const result = await runCli(['demo', '--requests', '2', '--dir', dir], {
        env: { MOSAIC_SUBGRAPH_CACHE: join(packageRoot(), '.tmp', 'subgraph-cache') },
        timeoutMs: 220_000,
      });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(result.stdout).to.match(/request #1 ACCEPTING/);
      expect(result.stdout).to.match(/request #2 COMPLETED/);
      expect(result.stdout).to.match(/final state/);
      expect(result.stdout.match(/COMPLETED\s+\d+\.\d+ s/g)).to.have.length(2);
      expect(result.stdout).to.match(/all 2 request\(s\) minted/);
      const log = readFileSync(join(dir, 'facilitator.log'), 'utf8');
      expect(log).to.contain('"msg":"stream batch"');
      expect(log).to.not.match(/"unlockSecret":"0x/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
