import type { Knex } from 'knex';
import { dirname, join } from 'node:path';
import type { LocalSigner } from '../chain/local-signer';
import { SqlOutbox } from '../chain/tx-engine/sql-outbox';
import type { ChainSettings, FacilitatorConfig } from '../config/facilitator-config';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { openDatabase } from '../db/open-database';
import { ProcessLock } from '../db/process-lock';
import { SqlFacilitationStore } from '../facilitation/sql-facilitation-store';
import { startEmbeddedIndexer, type EmbeddedIndexer } from '../indexer/embedded-indexer';
import type { Logger } from '../logging/logger';
import { startStatusServer, type BoundStatusServer, type StatusServer } from '../status/status-server';
import type { StreamTransport } from '../streams/entity-stream';
import { SqlCursorStore } from '../streams/sql-cursor-store';
import type { SubgraphEndpoint } from '../streams/subgraph-client';
import type { SubgraphSide } from '../subgraph/sides';
import { DEFAULTS } from './defaults';
import { Facilitator } from './facilitator';
import { chainRuntimeOf, chainsOf, indexerChainOf, policyOf } from './resolve-options';
import { FacilitatorStatusSource } from './status-source';

export interface RuntimeOptions {
  mosaic: MosaicConfigShape;
  config: FacilitatorConfig;
  signers: Record<SubgraphSide, LocalSigner[]>;
  logger: Logger;
  /** Overrides of the config's status API address; `false` turns the API off. */
  status?: { host?: string; port?: number } | false;
  /** A status API already listening (bound by `start` before anything is written): served, not started. */
  boundStatus?: BoundStatusServer;
  /** Every this often, services re-derive their work from the database. */
  reconcileIntervalMs?: number;
}

export interface Runtime {
  facilitator: Facilitator;
  knex: Knex;
  indexer?: EmbeddedIndexer;
  status?: StatusServer;
  lockKey: string;
  /** Stops taking work, waits for sends under way, closes streams, servers and the database. */
  stop(): Promise<void>;
}

interface RuntimeStores {
  facilitation: SqlFacilitationStore;
  outbox: SqlOutbox;
  cursors: SqlCursorStore;
}

export function lockKeyOf(config: FacilitatorConfig): string {
  const workers = Object.values(config.chains)
    .flatMap((c) => c.workers)
    .sort();
  return `facilitator:${config.auxChainId}:${[...new Set(workers)].join(',')}`;
}

/** Starts everything `facilitator start` runs, from validated configs and unlocked keys. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config } = options;
  const { knex, cleanups } = await openLockedDatabase(config);
  // Undone in reverse: status API, facilitator, indexer, then the lock and the database last.
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const indexer = await startIndexerIfEmbedded(options, knex);
    if (indexer) cleanups.push(() => indexer.stop());
    const stores = { facilitation: new SqlFacilitationStore(knex), outbox: new SqlOutbox(knex), cursors: new SqlCursorStore(knex) };
    const facilitator = startFacilitator(options, stores, indexer);
    cleanups.push(() => facilitator.stop());
    const status = await startStatus(options, stores, facilitator);
    if (status) cleanups.push(() => status.close());
    return { facilitator, knex, indexer, status, lockKey: lockKeyOf(config), stop: cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** The database, with this facilitator's lock held; cleanups release the lock and close it. */
export async function openLockedDatabase(config: FacilitatorConfig): Promise<{ knex: Knex; cleanups: Array<() => Promise<void>> }> {
  const knex = await openDatabase(config.database.path);
  const lock = new ProcessLock(knex, lockKeyOf(config));
  try {
    await lock.acquire();
  } catch (error) {
    await knex.destroy();
    throw error;
  }
  return { knex, cleanups: [async () => knex.destroy(), async () => lock.release()] };
}

async function startIndexerIfEmbedded(options: RuntimeOptions, knex: Knex): Promise<EmbeddedIndexer | undefined> {
  const { config, mosaic, logger } = options;
  const chains = chainsOf(config);
  const embedded = (['origin', 'auxiliary'] as SubgraphSide[]).filter((side) => chains[side].settings.subgraph.mode === 'embedded');
  if (embedded.length === 0) return undefined;
  return startEmbeddedIndexer({
    knex,
    mosaic,
    auxChainId: config.auxChainId,
    chains: Object.fromEntries(embedded.map((side) => [side, indexerChainOf(chains[side])])),
    // Builds depend only on the deployment: share them across instances and restarts.
    buildCacheDir: process.env.MOSAIC_SUBGRAPH_CACHE ?? join(dirname(config.database.path), 'subgraphs'),
    host: config.embeddedIndexer?.host,
    port: config.embeddedIndexer?.port,
    logger,
  });
}

/** Where a side's entities are read: the embedded indexer's route, or the configured graph-node. */
function endpointOf(settings: ChainSettings, side: SubgraphSide, indexer: EmbeddedIndexer | undefined): { subgraph: SubgraphEndpoint; transport: StreamTransport } {
  const subgraph = settings.subgraph;
  if (subgraph.mode === 'embedded' && indexer) {
    const name = indexer.subgraphName(side);
    return { subgraph: { name: side, http: indexer.server.url(name), ws: indexer.server.wsUrl(name) }, transport: 'subscription' };
  }
  return { subgraph: { name: side, http: subgraph.http!, ws: subgraph.ws }, transport: subgraph.transport ?? 'polling' };
}

function startFacilitator(options: RuntimeOptions, stores: RuntimeStores, indexer: EmbeddedIndexer | undefined): Facilitator {
  const { config, mosaic, logger } = options;
  const chains = chainsOf(config);
  const runtimeOf = (side: SubgraphSide) => chainRuntimeOf(chains[side], endpointOf(chains[side].settings, side, indexer), options.signers[side]);
  const facilitator = new Facilitator({
    mosaic,
    auxChainId: config.auxChainId,
    origin: runtimeOf('origin'),
    auxiliary: runtimeOf('auxiliary'),
    stores,
    policy: policyOf(config.facilitation),
    reconcileIntervalMs: options.reconcileIntervalMs ?? DEFAULTS.reconcileIntervalMs,
    logger,
  });
  facilitator.start();
  return facilitator;
}

async function startStatus(options: RuntimeOptions, stores: RuntimeStores, facilitator: Facilitator): Promise<StatusServer | undefined> {
  const { config, logger } = options;
  const serve = {
    source: new FacilitatorStatusSource(stores.facilitation, stores.outbox, stores.cursors, facilitator),
    health: async () => {
      const [origin, auxiliary] = await Promise.all([
        facilitator.context.origin.client.blockNumber().then(() => true, () => false),
        facilitator.context.auxiliary.client.blockNumber().then(() => true, () => false),
      ]);
      return { originRpc: origin, auxiliaryRpc: auxiliary };
    },
  };
  let status: StatusServer | undefined;
  if (options.boundStatus) {
    options.boundStatus.serve(serve);
    status = options.boundStatus;
  } else if (options.status !== false) {
    status = await startStatusServer({
      ...serve,
      host: options.status?.host ?? config.status?.host ?? '127.0.0.1',
      port: options.status?.port ?? config.status?.port ?? 0,
    });
  }
  if (status) logger.info({ url: status.url }, 'status API listening');
  return status;
}
