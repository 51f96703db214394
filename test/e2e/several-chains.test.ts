import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Devnet } from '../../src/devnet/devnet';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import { devnetFacilitatorConfig } from '../../src/devnet/devnet-facilitator-config';
import { openDatabase } from '../../src/db/open-database';
import { contractInterface } from '../../src/mosaic/contracts';
import { packageRoot } from '../../src/util/package-root';
import { scanTransactions, type ScannedTransaction } from '../helpers/chain-scan';
import { spawnCli, waitForExit, waitForOutput } from '../helpers/cli';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { WORKER_PASSWORD } from '../helpers/facilitator-process';

const STAKES_PER_PAIR = 4;

/** Message hashes of every MintProgressed of a pair's cogateway so far (read from chain logs only). */
async function mintedOn(pair: Devnet): Promise<Set<string>> {
  const addresses = pair.mosaicConfig.auxiliaryChains[String(pair.info.auxChainId)].contractAddresses;
  const iface = contractInterface('EIP20CoGateway');
  const logs = await pair.auxiliary.client.getLogs({
    fromBlock: 0n,
    toBlock: await pair.auxiliary.client.blockNumber(),
    address: addresses.auxiliary.ostEIP20CogatewayAddress,
    topics: [iface.eventTopic('MintProgressed')],
  });
  return new Set(iface.decodeLogs(logs).map((event) => String(event.args._messageHash).toLowerCase()));
}

/** MOSAIC_HOME with each pair's facilitator-config at its default place, all naming one database. */
async function prepareHome(devnet: Devnet): Promise<{ home: string; env: NodeJS.ProcessEnv }> {
  const home = mkdtempSync(join(tmpdir(), 'mosaic-home-'));
  const mosaicPath = join(home, 'mosaic.json');
  writeFileSync(mosaicPath, JSON.stringify(devnet.mosaicConfig, null, 2));
  const databasePath = join(home, 'facilitator.sqlite');
  for (const pair of devnet.pairs) {
    const config = await devnetFacilitatorConfig(pair.info, { databasePath, mosaicConfigPath: mosaicPath, password: WORKER_PASSWORD, scryptN: 1024 });
    mkdirSync(join(home, String(pair.info.auxChainId)), { recursive: true });
    writeFileSync(join(home, String(pair.info.auxChainId), 'facilitator-config.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
  }
  await (await openDatabase(databasePath)).destroy();
  const env: NodeJS.ProcessEnv = { MOSAIC_HOME: home, LOG_LEVEL: 'info', MOSAIC_SUBGRAPH_CACHE: join(packageRoot(), '.tmp', 'subgraph-cache') };
  for (const worker of addressesWithRole(devnet, 'worker')) env[`MOSAIC_ADDRESS_PASSW_${worker}`] = WORKER_PASSWORD;
  return { home, env };
}

/** Every transaction the workers sent on origin and on each auxiliary chain, decoded. */
async function workerTransactions(devnet: Devnet): Promise<{ origin: ScannedTransaction[]; auxiliary: ScannedTransaction[] }> {
  const workers = new Set(addressesWithRole(devnet, 'worker'));
  const originContracts: Parameters<typeof scanTransactions>[1] = {
    [devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress]: 'EIP20Token',
  };
  const auxiliary: ScannedTransaction[] = [];
  for (const pair of devnet.pairs) {
    const addresses = pair.mosaicConfig.auxiliaryChains[String(pair.info.auxChainId)].contractAddresses;
    originContracts[addresses.origin.ostComposerAddress] = 'OSTComposer';
    originContracts[addresses.origin.ostEIP20GatewayAddress] = 'EIP20Gateway';
    auxiliary.push(...(await scanTransactions(pair.auxiliary.client, { [addresses.auxiliary.ostEIP20CogatewayAddress]: 'EIP20CoGateway' })));
  }
  const origin = await scanTransactions(devnet.origin.client, originContracts);
  return { origin: origin.filter((tx) => workers.has(tx.from)), auxiliary: auxiliary.filter((tx) => workers.has(tx.from)) };
}

describe('e2e: one `facilitator start --chains` process, two auxiliary chains', function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let home: string | undefined;

  before(async () => {
    devnet = await startTestDevnet({ auxChains: 2, stakers: STAKES_PER_PAIR * 2, anchorIntervalMs: 500 });
  });
  after(async () => {
    if (home) rmSync(home, { recursive: true, force: true });
    await devnet?.close();
  });

  it('stakes and mints on both auxiliary chains, each step sent once, origin nonces in one sequence', async () => {
    const prepared = await prepareHome(devnet);
    home = prepared.home;
    const ids = devnet.pairs.map((p) => p.info.auxChainId);
    const child = spawnCli(['start', '--chains', ids.join(',')], prepared.env);
    let logs = '';
    child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    try {
      const stdout = await waitForOutput(child, /status API: \S+/, 120_000);
      expect(stdout).to.contain(`auxiliary chains ${ids.join(', ')}`);
      const statusUrl = /status API: (\S+)/.exec(stdout)![1];
      const stakers = addressesWithRole(devnet, 'staker');
      const requested = await Promise.all(
        stakers.map((staker, i) => requestStakeOnDevnet(devnet.pairs[i % 2], staker, `0x${(0xc0000 + i).toString(16).padStart(40, '0')}`)),
      );
      expect(requested).to.have.length(STAKES_PER_PAIR * 2);
      const deadline = Date.now() + 180_000;
      let minted = await Promise.all(devnet.pairs.map(mintedOn));
      while (minted.some((set) => set.size < STAKES_PER_PAIR) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        minted = await Promise.all(devnet.pairs.map(mintedOn));
      }
      expect(minted.map((set) => set.size), 'mints per pair').to.deep.equal([STAKES_PER_PAIR, STAKES_PER_PAIR]);

      const { origin, auxiliary } = await workerTransactions(devnet);
      const all = [...origin, ...auxiliary];
      expect(all.filter((tx) => !tx.success).map((tx) => `${tx.method} ${tx.hash}`), 'reverted worker transactions').to.deep.equal([]);
      const steps = all.filter((tx) => tx.method && tx.method !== 'approve').map((tx) => `${tx.to}:${tx.input}`);
      expect(steps.filter((step, index) => steps.indexOf(step) !== index), 'steps sent twice').to.deep.equal([]);
      expect(origin.filter((tx) => tx.method === 'acceptStakeRequest')).to.have.length(STAKES_PER_PAIR * 2);

      const metrics = await (await fetch(statusUrl.replace(/\/graphql$/, '/metrics'))).text();
      const counter = (name: string, chainId: number) => Number(new RegExp(`^${name}\\{chain_id="${chainId}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? '0');
      expect(counter('facilitator_transactions_replaced_total', devnet.info.origin.chainId), 'origin replacements').to.equal(0);
      expect(counter('facilitator_transactions_failed_total', devnet.info.origin.chainId), 'origin failures').to.equal(0);
      expect(counter('facilitator_transactions_sent_total', devnet.info.origin.chainId), 'origin sends').to.equal(origin.length);

      // Messages and requests are counted per pair, in the metrics and the API.
      const completedOf = (text: string, id: number) =>
        Number(new RegExp(`^facilitator_messages\\{direction="STAKE",state="COMPLETED",aux_chain_id="${id}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? '0');
      const perPairBy = Date.now() + 30_000;
      let pairMetrics = await (await fetch(statusUrl.replace(/\/graphql$/, '/metrics'))).text();
      while (ids.some((id) => completedOf(pairMetrics, id) < STAKES_PER_PAIR) && Date.now() < perPairBy) {
        await new Promise((r) => setTimeout(r, 500));
        pairMetrics = await (await fetch(statusUrl.replace(/\/graphql$/, '/metrics'))).text();
      }
      expect(ids.map((id) => completedOf(pairMetrics, id)), 'COMPLETED per pair (metrics)').to.deep.equal([STAKES_PER_PAIR, STAKES_PER_PAIR]);
      const pairCounts = (await (
        await fetch(statusUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `{ messageCounts(direction: STAKE, auxChainId: ${ids[1]}) { auxChainId state count } }` }),
        })
      ).json()) as { data: { messageCounts: Array<{ auxChainId: number; state: string; count: number }> } };
      expect(pairCounts.data.messageCounts.filter((c) => c.state === 'COMPLETED'), 'COMPLETED of one pair (API)').to.deep.equal([{ auxChainId: ids[1], state: 'COMPLETED', count: STAKES_PER_PAIR }]);

      const answer = (await (
        await fetch(statusUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ streams { name } chains { chainId } }' }) })
      ).json()) as { data: { streams: Array<{ name: string }>; chains: Array<{ chainId: number }> } };
      const names = answer.data.streams.map((s) => s.name);
      expect(names).to.include('origin.StakeRequested').and.to.include(`${ids[1]}/origin.StakeRequested`);
      expect(answer.data.chains.map((c) => c.chainId).sort()).to.deep.equal([devnet.info.origin.chainId, ...ids].sort());
    } catch (error) {
      mkdirSync(join(packageRoot(), '.tmp'), { recursive: true });
      writeFileSync(join(packageRoot(), '.tmp', 'e2e-several-chains.log'), logs);
      throw error;
    } finally {
      child.kill('SIGTERM');
      expect(await waitForExit(child, 60_000), 'exit code after SIGTERM').to.equal(0);
    }
  });
});
