import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/open-database';
import { packageRoot } from '../../src/util/package-root';
import { runCli } from '../helpers/cli';

describe('facilitator demo', function () {
  this.timeout(300_000);

  it('runs devnet, embedded indexers, facilitator, demo staker then demo redeemer, and exits 0 once every request completed both ways', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facilitator-demo-'));
    try {
      const result = await runCli(['demo', '--requests', '2', '--dir', dir], {
        env: { MOSAIC_SUBGRAPH_CACHE: join(packageRoot(), '.tmp', 'subgraph-cache') },
        timeoutMs: 280_000,
      });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(result.stdout).to.match(/request #1 ACCEPTING/);
      expect(result.stdout).to.match(/request #2 COMPLETED/);
      expect(result.stdout).to.match(/final state/);
      expect(result.stdout).to.match(/all 2 request\(s\) minted/);
      expect(result.stdout).to.match(/redeem #1 ACCEPTING/);
      expect(result.stdout).to.match(/redeem #2 COMPLETED .* unstaked on origin/);
      expect(result.stdout).to.match(/all 2 redeem\(s\) unstaked/);
      // One final table per direction, read from the database; each row COMPLETED with its latency.
      const stakeTable = result.stdout.indexOf('stake & mint (direction STAKE)');
      const redeemTable = result.stdout.indexOf('redeem & unstake (direction REDEEM)');
      expect(stakeTable, 'stake table').to.be.greaterThan(-1);
      expect(redeemTable, 'redeem table after the stake table').to.be.greaterThan(stakeTable);
      const stakeRows = result.stdout.slice(stakeTable, redeemTable);
      const redeemRows = result.stdout.slice(redeemTable);
      expect(stakeRows.match(/COMPLETED\s+\d+\.\d+ s/g)).to.have.length(2);
      expect(redeemRows.match(/COMPLETED\s+\d+\.\d+ s/g)).to.have.length(2);
      // Balances from the chains: 100 OST staked arrive as 100 − reward base coin; 40 OST′ redeemed as 40 − reward OST.
      expect(stakeRows.match(/ 100 +COMPLETED\s+\d+\.\d+ s\s+99\.99\d*\n/g), stakeRows).to.have.length(2);
      expect(redeemRows.match(/ 40 +COMPLETED\s+\d+\.\d+ s\s+39\.99\d*\n/g), redeemRows).to.have.length(2);
      expect(result.stdout).to.match(/done: every request COMPLETED both ways/);
      const log = readFileSync(join(dir, 'facilitator.log'), 'utf8');
      expect(log).to.contain('"msg":"stream batch"');
      expect(log).to.not.match(/"unlockSecret":"0x/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with one line naming what did not complete when a direction runs out of time; a next run in the same folder starts afresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facilitator-demo-'));
    try {
      const result = await runCli(['demo', '--requests', '2', '--dir', dir, '--timeout', '0'], {
        env: { MOSAIC_SUBGRAPH_CACHE: join(packageRoot(), '.tmp', 'subgraph-cache') },
        timeoutMs: 120_000,
      });
      expect(result.code, result.stdout + result.stderr).to.equal(1);
      expect(result.stderr.trim().split('\n'), result.stderr).to.have.length(1);
      expect(result.stderr).to.match(/^facilitator: demo failed: 2 of 2 request\(s\) not COMPLETED in the database \(request #1 is ([A-Z]+|not in it)\); the facilitator's log: .*facilitator\.log\n$/);
      expect(result.stdout).to.match(/stake & mint \(direction STAKE\)/);
      expect(result.stdout, 'no redeem once the stakes failed').to.not.match(/redeem #1 REQUESTED/);

      // Run again in the same folder: a new devnet, so the database of the run above (unfinished requests,
      // stream cursors) must not be taken up again. A run that had gone on for long leaves its cursors past
      // the new chain's blocks: the facilitator then never saw the new requests (found running `npm run demo` twice).
      const stale = await openDatabase(join(dir, 'facilitator.sqlite'));
      await stale('stream_cursors').update({ through_block: '1000000' });
      await stale.destroy();
      const again = await runCli(['demo', '--requests', '1', '--redeem', '0', '--dir', dir], {
        env: { MOSAIC_SUBGRAPH_CACHE: join(packageRoot(), '.tmp', 'subgraph-cache') },
        timeoutMs: 60_000,
      });
      expect(again.code, again.stdout + again.stderr).to.equal(0);
      expect(again.stdout).to.match(/request #1 COMPLETED/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
