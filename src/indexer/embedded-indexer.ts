import type { Knex } from 'knex';
import { ChainClient } from '../chain/chain-client';
import { sharedChainRpc, type RpcEndpoints } from '../chain/failover-json-rpc';
import { acquireNewHeads } from '../chain/new-heads';
import type { MosaicConfigShape } from '../config/mosaic-config';
import type { StoppedUnits } from '../errors/stopped-units';
import type { Logger } from '../logging/logger';
import type { SubgraphSide } from '../subgraph/sides';
import { deploymentHash } from './deployment/deployment-hash';
import { EntityStore } from './entity-store/entity-store';
import { BlockFollower, type FollowerProgress } from './follower/block-follower';
import { startSubgraphServer, type SubgraphServer } from './query-server/subgraph-server';
import { builtSubgraphsFor } from './subgraph-build-cache';
import { loadSubgraph } from './wasm/subgraph-host';
import type { MappingLogger } from './wasm/types';
import { MappingPool } from './mapping-pool/mapping-pool';
import { parallelRunner } from './mapping-pool/parallel-runner';
import { DEFAULTS } from '../facilitator/defaults';

export interface EmbeddedChain {
  chainId: number;
  /** The chain's JSON-RPC endpoints by preference (the transaction engine of the chain shares their pool). */
  rpc: RpcEndpoints;
  confirmations?: number;
  pollIntervalMs?: number;
}

export interface EmbeddedIndexerOptions {
  knex: Knex;
  mosaic: MosaicConfigShape;
  auxChainId: number;
  chains: Partial<Record<SubgraphSide, EmbeddedChain>>;
  /** After `sg_<side>` in the entity tables' names: '' for a database's first pair, `_<aux chain id>` for the others. */
  namespaceSuffix?: string;
  /** Where built subgraphs are cached. */
  buildCacheDir: string;
  host?: string;
  port?: number;
  logger: Logger;
  /** Where a subgraph stopped by a deterministic mapping failure is recorded (default: the process's). */
  stoppedUnits?: StoppedUnits;
  /** Worker threads per chain mapping catch-up ranges (default DEFAULTS.chain.indexerMappingWorkers; 0: none). */
  mappingWorkers?: number;
  /** Mapping workers idle this long stop (default DEFAULTS.chain.indexerWorkerIdleMs). */
  workerIdleMs?: number;
}

export interface EmbeddedIndexer {
  server: SubgraphServer;
  /** Subgraph name served for each side: `mosaic-<side>-<auxChainId>`. */
  subgraphName(side: SubgraphSide): string;
  followers: Map<SubgraphSide, BlockFollower<unknown>>;
  stores: Map<SubgraphSide, EntityStore>;
  stop(): Promise<void>;
}

export function embeddedSubgraphName(side: SubgraphSide, auxChainId: number): string {
  return `mosaic-${side}-${auxChainId}`;
}

/**
 * Loads one side's subgraph, opens its store and starts following its chain at once: the first
 * eth_getLogs is answered while the next side loads and the query server starts.
 */
async function startSide(options: EmbeddedIndexerOptions, side: SubgraphSide, build: string, pools: MappingPool[]): Promise<{ store: EntityStore; follower: BlockFollower<unknown> }> {
  const chain = options.chains[side]!;
  const logger = options.logger.child({ component: 'indexer', chain: side });
  const mappingLogger: MappingLogger = (entry) =>
    logger.debug({ level: entry.level, dataSource: entry.dataSource, block: Number(entry.blockNumber) }, `mapping: ${entry.message}`);
  const loaded = loadSubgraph(build, { logger: mappingLogger });
  // Cached builds start at block 0: follow from the deployment's start block instead.
  const startBlock = BigInt(options.mosaic.auxiliaryChains[String(options.auxChainId)].startBlocks[side]);
  const subgraph = { ...loaded, startBlock };
  const workers = options.mappingWorkers ?? DEFAULTS.chain.indexerMappingWorkers;
  const pool = workers > 0 ? new MappingPool({ image: loaded.image, size: workers, idleMs: options.workerIdleMs ?? DEFAULTS.chain.indexerWorkerIdleMs, logger }) : undefined;
  if (pool) pools.push(pool);
  const store = await EntityStore.open({ knex: options.knex, namespace: `sg_${side}${options.namespaceSuffix ?? ''}`, schemaSdl: subgraph.schemaSdl, schema: subgraph.schema });
  const follower = new BlockFollower({
    name: side,
    client: new ChainClient(sharedChainRpc(chain.rpc, chain.chainId, logger), chain.chainId),
    runner: pool ? parallelRunner(subgraph, pool, mappingLogger) : subgraph,
    store,
    confirmations: chain.confirmations,
    pollIntervalMs: chain.pollIntervalMs,
    heads: () => acquireNewHeads(chain.rpc, logger),
    logger,
    subgraph: embeddedSubgraphName(side, options.auxChainId),
    stoppedUnits: options.stoppedUnits,
  });
  follower.progress$.subscribe((progress: FollowerProgress) =>
    logger.debug({ throughBlock: Number(progress.throughBlock), head: Number(progress.head) }, 'indexed'),
  );
  follower.start();
  return { store, follower: follower as BlockFollower<unknown> };
}

/**
 * graph-node's part, in-process: the same built subgraphs (graph-cli WASM) run by the WASM host over
 * blocks followed with eth_getLogs, entities in a database of its own (src/facilitator/indexer-database.ts), served with graph-node's
 * query API (plus subscriptions) on loopback.
 */
export async function startEmbeddedIndexer(options: EmbeddedIndexerOptions): Promise<EmbeddedIndexer> {
  const sides = (Object.keys(options.chains) as SubgraphSide[]).filter((side) => options.chains[side]);
  const builds = await builtSubgraphsFor(options.mosaic, options.auxChainId, options.buildCacheDir);
  const followers = new Map<SubgraphSide, BlockFollower<unknown>>();
  const stores = new Map<SubgraphSide, EntityStore>();
  const startBlocks = options.mosaic.auxiliaryChains[String(options.auxChainId)].startBlocks;
  const pools: MappingPool[] = [];
  const stopFollowers = async () => {
    await Promise.all([...followers.values()].map((f) => f.stop()));
    await Promise.all(pools.map((pool) => pool.close()));
  };
  let server: SubgraphServer;
  try {
    for (const side of sides) {
      const { store, follower } = await startSide(options, side, builds[side], pools);
      stores.set(side, store);
      followers.set(side, follower);
    }
    // Let the followers' first requests go out before the server's CPU-bound set-up (deployment hashes, API schemas).
    await new Promise<void>((resolve) => setImmediate(resolve));
    server = await startSubgraphServer({
      host: options.host,
      port: options.port,
      subgraphs: sides.map((side) => ({
        name: embeddedSubgraphName(side, options.auxChainId),
        // What `facilitator subgraph deploy` of this deployment gets from graph-node: the build's manifest CID with its start block.
        deployment: deploymentHash(builds[side], { startBlock: startBlocks[side] }),
        store: stores.get(side)!,
        startBlock: BigInt(startBlocks[side]),
        hasIndexingErrors: () => followers.get(side)!.failure !== undefined,
      })),
    });
  } catch (error) {
    await stopFollowers();
    throw error;
  }
  options.logger.info(
    Object.fromEntries(sides.map((side) => [side, server.url(embeddedSubgraphName(side, options.auxChainId))])),
    'embedded indexer serving',
  );
  return {
    server,
    subgraphName: (side) => embeddedSubgraphName(side, options.auxChainId),
    followers,
    stores,
    stop: async () => {
      await stopFollowers();
      await server.close();
    },
  };
}
