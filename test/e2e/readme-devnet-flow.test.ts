import { expect } from 'chai';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainClient } from '../../src/chain/chain-client';
import { HttpJsonRpc } from '../../src/chain/json-rpc';
import { DEVNET_WORKER_PASSWORD } from '../../src/cli/dev';
import { accountsWithRole, readDevnetInfo } from '../../src/devnet/devnet-info';
import { packageRoot } from '../../src/util/package-root';
import { runCli, spawnCli, waitForExit, waitForOutput } from '../helpers/cli';

interface StatusJson {
  running: boolean;
  messageCounts: Array<{ state: string; count: number }>;
}

/**
 * The README's "against the local devnet, by hand" path, command for command: `facilitator dev` in one
 * process, `facilitator start --facilitator-config <dir>/facilitator-config.json` in another with the
 * printed password exports, `facilitator dev stake`, then `facilitator status` until minted.
 */
describe('e2e: the README devnet flow (dev, start, dev stake, status)', function () {
  this.timeout(240_000);
  let work: string;
  let dev: ChildProcessWithoutNullStreams | undefined;
  let start: ChildProcessWithoutNullStreams | undefined;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'readme-flow-'));
  });
  afterEach(async () => {
    for (const child of [start, dev]) {
      if (child && child.exitCode === null) {
        child.kill('SIGKILL');
        await waitForExit(child, 10_000).catch(() => undefined);
      }
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('two staker requests end minted on the auxiliary chain, and status reports them COMPLETED', async () => {
    const dir = join(work, 'devnet');
    dev = spawnCli(['dev', '--dir', dir, '--origin-port', '0', '--aux-port', '0', '--stakers', '2']);
    const printed = await waitForOutput(dev, /Stop with Ctrl-C/, 60_000);
    const info = readDevnetInfo(join(dir, 'devnet.json'));
    const env: NodeJS.ProcessEnv = { MOSAIC_HOME: join(work, 'home'), MOSAIC_SUBGRAPH_CACHE: join(packageRoot(), '.tmp', 'subgraph-cache') };
    for (const worker of accountsWithRole(info, 'worker')) {
      // What `facilitator dev` tells the user to export.
      expect(printed).to.contain(`export MOSAIC_ADDRESS_PASSW_${worker.address}=${DEVNET_WORKER_PASSWORD}`);
      env[`MOSAIC_ADDRESS_PASSW_${worker.address}`] = DEVNET_WORKER_PASSWORD;
    }

    start = spawnCli(['start', '--facilitator-config', join(dir, 'facilitator-config.json')], env);
    let logs = '';
    start.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    await waitForOutput(start, /status API: \S+/, 120_000);

    const auxiliary = new ChainClient(new HttpJsonRpc(info.auxiliary.rpcUrl, 10_000), info.auxiliary.chainId);
    // Beneficiaries default to the stakers, whose dev keys also hold coin on the auxiliary chain.
    const before = new Map<string, bigint>();
    for (const staker of accountsWithRole(info, 'staker')) before.set(staker.address, await auxiliary.getBalance(staker.address));

    const staked = await runCli(['dev', 'stake', '--dir', dir, '--count', '2'], { timeoutMs: 60_000 });
    expect(staked.code, staked.stderr).to.equal(0);
    const requests = staked.stdout.trim().split('\n').map((line) => JSON.parse(line) as { beneficiary: string; amount: string });
    expect(requests).to.have.length(2);

    let status: StatusJson | undefined;
    const deadline = Date.now() + 150_000;
    for (;;) {
      const result = await runCli(['status', '--json'], { env, timeoutMs: 30_000 });
      expect(result.code, result.stderr).to.equal(0);
      status = JSON.parse(result.stdout) as StatusJson;
      if (status.messageCounts.some((c) => c.state === 'COMPLETED' && c.count === 2)) break;
      if (Date.now() > deadline) throw new Error(`not minted in time; status ${result.stdout}\n${logs.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(status.running).to.equal(true);

    // From chain state alone: each beneficiary received OST prime (the auxiliary chain's base coin),
    // the staked amount less the reward paid to the facilitator.
    for (const request of requests) {
      const minted = (await auxiliary.getBalance(request.beneficiary)) - before.get(request.beneficiary.toLowerCase())!;
      expect(minted > 0n && minted <= BigInt(request.amount), `${request.beneficiary} received ${minted}`).to.equal(true);
    }

    start.kill('SIGTERM');
    expect(await waitForExit(start, 60_000)).to.equal(0);
  });
});
