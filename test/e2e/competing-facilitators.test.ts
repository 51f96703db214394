import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Devnet } from '../../src/devnet/devnet';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { contractInterface } from '../../src/mosaic/contracts';
import { scanTransactions } from '../helpers/chain-scan';
import { runCli } from '../helpers/cli';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { prepareFacilitatorHome, startFacilitatorProcess, type FacilitatorHome, type RunningFacilitator } from '../helpers/facilitator-process';

interface StatusJson {
  messageCounts: Array<{ state: string; count: number }>;
}

/**
 * Two operators, each with its own whitelisted worker, database and process, race for the same
 * requests (the bounty goes to whoever accepts). Every request must be minted exactly once, the loser
 * may lose an accept race at most once per request and never retries it, and both settle on a final state.
 */
describe('e2e: two facilitators with different workers compete for the same requests', function () {
  this.timeout(300_000);
  let devnet: Devnet;
  const homes: FacilitatorHome[] = [];
  const running: RunningFacilitator[] = [];

  before(async () => {
    devnet = await startTestDevnet({ stakers: 4, anchorIntervalMs: 500 });
  });
  after(async () => {
    for (const facilitator of running) await facilitator.stop('SIGKILL');
    for (const home of homes) home.remove();
    await devnet?.close();
  });

  it('each request is accepted by one of them and minted once; only a lost accept may revert, and is not retried', async () => {
    const workers = addressesWithRole(devnet, 'worker');
    for (const worker of workers) {
      const home = await prepareFacilitatorHome(devnet);
      const config = JSON.parse(readFileSync(home.configPath, 'utf8')) as { chains: Record<string, { workers: string[] }> };
      for (const chain of Object.values(config.chains)) chain.workers = [worker];
      writeFileSync(home.configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
      homes.push(home);
    }
    for (const home of homes) running.push(await startFacilitatorProcess(home));

    const stakers = addressesWithRole(devnet, 'staker');
    const beneficiaries = stakers.map((_, i) => `0x${(0xc0000 + i).toString(16).padStart(40, '0')}`);
    await Promise.all(stakers.map((staker, i) => requestStakeOnDevnet(devnet, staker, beneficiaries[i])));

    const deadline = Date.now() + 180_000;
    for (;;) {
      const balances = await Promise.all(beneficiaries.map((b) => devnet.auxiliary.client.getBalance(b)));
      if (balances.every((b) => b > 0n)) break;
      if (Date.now() > deadline) throw new Error(`not all minted: ${balances.join(', ')}\n${running.map((r) => r.logs().slice(-3000)).join('\n----\n')}`);
      await new Promise((r) => setTimeout(r, 500));
    }

    // From chain state: one StakeIntentDeclared and one MintProgressed per request, nothing of theirs reverted.
    const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
    const head = await devnet.auxiliary.client.blockNumber();
    const mints = contractInterface('EIP20CoGateway').decodeLogs(
      await devnet.auxiliary.client.getLogs({ fromBlock: 0n, toBlock: head, address: pair.auxiliary.ostEIP20CogatewayAddress, topics: [contractInterface('EIP20CoGateway').eventTopic('MintProgressed')] }),
    );
    expect(mints.map((m) => String(m.args._beneficiary).toLowerCase()).sort()).to.deep.equal([...beneficiaries].sort());
    const sent = [
      ...(await scanTransactions(devnet.origin.client, { [pair.origin.ostComposerAddress]: 'OSTComposer', [pair.origin.ostEIP20GatewayAddress]: 'EIP20Gateway' })),
      ...(await scanTransactions(devnet.auxiliary.client, { [pair.auxiliary.ostEIP20CogatewayAddress]: 'EIP20CoGateway' })),
    ].filter((tx) => workers.includes(tx.from));
    // Both may send an accept for the same request in the same block: the loser's reverts (that is the race
    // for the bounty). Nothing else may revert, and the loser must not try again.
    const reverted = sent.filter((tx) => !tx.success);
    expect(reverted.filter((tx) => tx.method !== 'acceptStakeRequest').map((tx) => `${tx.method} ${tx.hash}`), 'reverted non-accept transactions').to.deep.equal([]);
    const accepts = sent.filter((tx) => tx.method === 'acceptStakeRequest');
    expect(accepts.filter((tx) => tx.success), 'one successful accept per request').to.have.length(stakers.length);
    expect(reverted.length, 'at most one losing accept per request').to.be.at.most(stakers.length);

    // Every request ends final in both databases: COMPLETED where it was won; the other side never holds it open.
    for (const [index, home] of homes.entries()) {
      let open: StatusJson['messageCounts'] = [];
      const settleBy = Date.now() + 60_000;
      do {
        const result = await runCli(['status', '--facilitator-config', home.configPath, '--json'], { env: home.env, timeoutMs: 30_000 });
        expect(result.code, result.stderr).to.equal(0);
        open = (JSON.parse(result.stdout) as StatusJson).messageCounts.filter((c) => !['COMPLETED', 'ABANDONED'].includes(c.state));
        if (open.length > 0) await new Promise((r) => setTimeout(r, 500));
      } while (open.length > 0 && Date.now() < settleBy);
      expect(open, `open messages of facilitator ${index + 1}\n${running[index].logs().slice(-5000)}`).to.deep.equal([]);
    }
  });
});
