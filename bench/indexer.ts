import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSigner } from '../src/chain/local-signer';
import { openDatabase } from '../src/db/open-database';
import { startDevnet } from '../src/devnet/devnet';
import { startEmbeddedIndexer } from '../src/indexer/embedded-indexer';
import { builtSubgraphsFor } from '../src/indexer/subgraph-build-cache';
import { silentLogger } from '../src/logging/logger';
import { Anchor, contractInterface } from '../src/mosaic/contracts';
import { packageRoot } from '../src/util/package-root';
import { profilePhase } from './cpu-profile';
import { atLeast, atMost, benchLog, envNumber, runAsMain, type Targets } from './harness';
import { rpcEndpointsOf } from '../src/facilitator/resolve-options';
import { DEFAULTS } from '../src/facilitator/defaults';

export interface IndexerBenchResult {
  bench: 'indexer';
  events: number;
  blocks: number;
  indexer: { seconds: number; eventsPerSecond: number; blocksPerSecond: number };
  baselineGetLogs: { seconds: number; eventsPerSecond: number };
  /** indexer seconds / plain eth_getLogs seconds over the same range (lower is better). */
  ratio: number;
  /** The indexer's rate as a share of the same run's eth_getLogs rate (1 / ratio). */
  shareOfGetLogs: number;
  /** Mapping worker threads the indexer could use (BENCH_MAPPING_WORKERS, default the daemon's). */
  mappingWorkers: number;
  /** This process's resident memory (MB): before the indexer started, highest while it indexed, once stopped. */
  rssMb: { before: number; peak: number; stopped: number };
  /** ≥ 10,000 events/s, and ≥ 30% of the same run's eth_getLogs rate (ratio ≤ 3.33). */
  targets: Targets;
}

const log = benchLog('indexer');

const toMb = (bytes: number) => Math.round(bytes / 2 ** 20);

/**
 * ≥ 10,000 StateRootAvailable events on origin (the admin anchoring increasing heights), indexed from
 * scratch by the embedded indexer, against a same-run baseline of plain eth_getLogs over the range.
 */
export async function measureIndexer(events = 10_000): Promise<IndexerBenchResult> {
  const devnet = await startDevnet({ originPort: 0, auxiliaryPort: 0, anchorIntervalMs: 0, stakers: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-indexer-'));
  try {
    const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
    const cacheDir = join(packageRoot(), '.tmp', 'subgraph-cache');
    await builtSubgraphsFor(devnet.mosaicConfig, devnet.info.auxChainId, cacheDir); // warm-up: graph-cli build is not measured
    const admin = devnet.info.accounts.find((a) => a.role === 'admin')!;
    const signer = new LocalSigner(admin.privateKey);
    const client = devnet.origin.client;
    const anchor = new Anchor(client, pair.origin.anchorAddress);
    const startHeight = (await anchor.latestStateRootBlockHeight()) + 1n;
    let nonce = await client.getTransactionCount(signer.address, 'pending');
    const gasPrice = await client.gasPrice();
    log(`sending ${events} anchorStateRoot transactions`);
    let lastHash = '';
    for (let i = 0n; i < BigInt(events); i++) {
      const call = anchor.anchorStateRoot(startHeight + i, `0x${(i + 1n).toString(16).padStart(64, '0')}`);
      const signed = signer.sign({ nonce: nonce++, fees: { type: 'legacy', gasPrice }, gasLimit: call.gas, to: call.to, data: call.data }, client.chainId);
      lastHash = await client.sendRawTransaction(signed.raw);
    }
    let receipt = await client.getReceipt(lastHash);
    while (!receipt) {
      await new Promise((r) => setTimeout(r, 100));
      receipt = await client.getReceipt(lastHash);
    }
    const fromBlock = BigInt(devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].startBlocks.origin);
    const toBlock = BigInt(receipt.blockNumber);
    const topic = contractInterface('Anchor').eventTopic('StateRootAvailable');

    log('baseline: eth_getLogs over the range');
    const baselineStart = performance.now();
    let counted = 0;
    for (let from = fromBlock; from <= toBlock; from += 2000n) {
      const to = from + 1999n < toBlock ? from + 1999n : toBlock;
      counted += (await client.getLogs({ fromBlock: from, toBlock: to, address: pair.origin.anchorAddress, topics: [topic] })).length;
    }
    const baselineSeconds = (performance.now() - baselineStart) / 1000;
    if (counted < events) throw new Error(`only ${counted} of ${events} events were mined`);

    log('embedded indexer from scratch');
    const knex = await openDatabase(join(dir, 'indexer.sqlite'), { durability: 'derived' });
    const mappingWorkers = envNumber('BENCH_MAPPING_WORKERS', DEFAULTS.chain.indexerMappingWorkers);
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const stopProfile = await profilePhase('indexer');
    const started = performance.now();
    const indexer = await startEmbeddedIndexer({
      knex,
      mosaic: devnet.mosaicConfig,
      auxChainId: devnet.info.auxChainId,
      chains: { origin: { chainId: devnet.info.origin.chainId, rpc: rpcEndpointsOf([devnet.info.origin.rpcUrl]), pollIntervalMs: 20 } },
      buildCacheDir: cacheDir,
      logger: silentLogger(),
      mappingWorkers,
    });
    const store = indexer.stores.get('origin')!;
    const deadline = Date.now() + 600_000;
    for (;;) {
      const cursor = await store.cursor();
      if (cursor && cursor.number >= toBlock) break;
      if (Date.now() > deadline) throw new Error('the indexer did not catch up within 10 minutes');
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const profiled = await stopProfile();
    if (profiled) log(`CPU profile of the indexing: ${profiled}`);
    const indexed = Number((await knex(store.tableOf('StateRootAvailable')).count({ n: '*' }))[0].n);
    await indexer.stop();
    const rssStopped = process.memoryUsage.rss();
    await knex.destroy();
    if (indexed !== counted) throw new Error(`indexed ${indexed} StateRootAvailable entities, the chain has ${counted}`);
    const blocks = Number(toBlock - fromBlock + 1n);
    return {
      bench: 'indexer',
      events: counted,
      blocks,
      indexer: { seconds, eventsPerSecond: counted / seconds, blocksPerSecond: blocks / seconds },
      baselineGetLogs: { seconds: baselineSeconds, eventsPerSecond: counted / baselineSeconds },
      ratio: seconds / baselineSeconds,
      shareOfGetLogs: baselineSeconds / seconds,
      mappingWorkers,
      rssMb: { before: toMb(rssBefore), peak: toMb(rssPeak), stopped: toMb(rssStopped) },
      targets: { eventsPerSecond: atLeast(counted / seconds, 10_000), ratio: atMost(seconds / baselineSeconds, 1 / 0.3) },
    };
  } finally {
    await devnet.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runAsMain(module, 'indexer', () => measureIndexer(envNumber('BENCH_EVENTS', 10_000)));
