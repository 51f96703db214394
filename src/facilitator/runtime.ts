import type { Knex } from 'knex';
import { dirname, join } from 'node:path';
import type { LocalSigner } from '../chain/local-signer';
import { SqlOutbox } from '../chain/tx-engine/sql-outbox';
import type { FacilitatorConfig } from '../config/facilitator-config';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { defaultDatabasePath } from '../config/paths';
import type { DatabaseTarget } from '../db/database-target';
import { openDatabaseTarget } from '../db/open-database';
import { ProcessLock } from '../db/process-lock';
import { SqlFacilitationStore } from '../facilitation/sql-facilitation-store';
import { startEmbeddedIndexer, type EmbeddedIndexer } from '../indexer/embedded-indexer';
import type { Logger } from '../logging/logger';
import { startStatusServer, type BoundStatusServer, type StatusServer } from '../status/status-server';
import type { Role } from '../status/status-source';
import { SqlCursorStore } from '../streams/sql-cursor-store';
import type { SubgraphSide } from '../subgraph/sides';
import { DEFAULTS } from './defaults';
import { Facilitator } from './facilitator';
import { openIndexerDatabase } from './indexer-database';
import { chainRuntimeOf, chainsOf, indexerChainOf, policyOf, subgraphEndpointOf } from './resolve-options';
import { facilitatorAdminActions } from './admin-actions';
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
  /** The database with its password resolved (default: the config's, without a password). */
  database?: DatabaseTarget;
  /** Aborted to stop an instance standing by for the lease (SIGTERM while standby). */
  standby?: AbortSignal;
  /** Told once when this instance starts standing by (another holds the lease), with its status URL. */
  onStandby?: (statusUrl: string | undefined) => void;
  /** The admin API's bearer token (from the admin-token file); none: the status API serves no admin action. */
  adminToken?: string;
}

export interface Runtime {
  /** The running facilitator (this instance holds the lease). */
  facilitator: Facilitator;
  knex: Knex;
  indexer?: EmbeddedIndexer;
  status?: StatusServer;
  lockKey: string;
  /** Resolves, with the reason, if this instance loses its lease: it sends nothing more and must stop. */
  lost: Promise<string>;
  /** Stops taking work, waits for sends under way, closes streams, servers and the database. */
  stop(): Promise<void>;
}

/** Stopped (SIGTERM, SIGINT) while standing by for the lease: nothing was started, nothing to undo. */
export class StoppedWhileStandingByError extends Error {
  override readonly name = 'StoppedWhileStandingByError';
  constructor() {
    super('stopped while standing by');
  }
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

/**
 * Starts everything `facilitator start` runs, from validated configs and unlocked keys. With PostgreSQL
 * several instances may share the database: this one serves the status API at once, stands by until it
 * holds the lease (role standby), then starts the indexer, the engines and the facilitator (role active).
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config } = options;
  const target = options.database ?? configuredTarget(config);
  const knex = await openDatabaseTarget(target);
  // Undone in reverse: facilitator, indexer, status API, then the lease and the database last.
  const cleanups: Array<() => Promise<void>> = [async () => knex.destroy()];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    let lostTo: (reason: string) => void = () => undefined;
    const lost = new Promise<string>((resolve) => (lostTo = resolve));
    const lock = leaseOf(knex, config, target, (reason) => lostTo(reason));
    cleanups.push(() => lock.release());
    const active: { facilitator?: Facilitator } = {}; // set once this instance holds the lease
    const stores = { facilitation: new SqlFacilitationStore(knex), outbox: new SqlOutbox(knex, { fence: () => lock.fence }), cursors: new SqlCursorStore(knex) };
    const status = await startStatus(options, stores, () => (active.facilitator ? [active.facilitator] : []), () => (lock.fence ? 'active' : 'standby'));
    if (status) cleanups.push(() => status.close());
    await takeLease(lock, target, options, status?.url);
    const indexer = await startIndexerIfEmbedded(options, await openIndexerDatabase(target, cleanups));
    if (indexer) cleanups.push(() => indexer.stop());
    const running = startFacilitator(options, stores, indexer, () => stores.outbox.assertMayBroadcast());
    active.facilitator = running;
    cleanups.push(() => running.stop());
    return { facilitator: running, knex, indexer, status, lockKey: lockKeyOf(config), lost, stop: cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * The lease of this set of workers. SQLite (one machine): a live holder keeps it however late its
 * heartbeat. PostgreSQL: the lease (`ha.leaseMs`) alone decides, so a paused active is deposed.
 */
function leaseOf(knex: Knex, config: FacilitatorConfig, target: DatabaseTarget, onLost: (reason: string) => void): ProcessLock {
  const postgres = target.client === 'postgres';
  return new ProcessLock(knex, lockKeyOf(config), {
    staleAfterMs: postgres ? (config.ha?.leaseMs ?? DEFAULTS.leaseMs) : DEFAULTS.sqliteLockStaleMs,
    liveHolderKeeps: !postgres,
    onLost: (holder) =>
      onLost(
        `this facilitator lost its lease to ${holder && holder.pid !== 0 ? `pid ${holder.pid} on host ${holder.hostname}` : 'another instance'}: it sent nothing more and stopped`,
      ),
  });
}

/** SQLite: the lock now, or ProcessLockHeldError. PostgreSQL: stands by until the lease is free. */
async function takeLease(lock: ProcessLock, target: DatabaseTarget, options: RuntimeOptions, statusUrl: string | undefined): Promise<void> {
  if (target.client === 'sqlite') {
    await lock.acquire();
    return;
  }
  const { logger } = options;
  const leaseMs = options.config.ha?.leaseMs ?? DEFAULTS.leaseMs;
  try {
    const epoch = await lock.acquireWhenFree({
      pollMs: Math.max(100, Math.min(1_000, Math.floor(leaseMs / 5))),
      signal: options.standby,
      onWaiting: (holder) => {
        logger.info({ activePid: holder.pid, activeHost: holder.hostname, leaseMs }, 'standing by: another facilitator is active with these workers');
        options.onStandby?.(statusUrl);
      },
    });
    logger.info({ epoch: String(epoch) }, 'active: this facilitator holds the lease');
  } catch (error) {
    if (options.standby?.aborted) throw new StoppedWhileStandingByError();
    throw error;
  }
}

/**
 * The database with this config's lock held (SQLite or PostgreSQL, no standing by): for `start --chains`,
 * which runs several pairs in one process. Cleanups release the lock and close the database.
 */
export async function openLockedDatabase(config: FacilitatorConfig, target: DatabaseTarget = configuredTarget(config)): Promise<{ knex: Knex; cleanups: Array<() => Promise<void>> }> {
  const knex = await openDatabaseTarget(target);
  const lock = new ProcessLock(knex, lockKeyOf(config), { liveHolderKeeps: target.client === 'sqlite' });
  try {
    await lock.acquire();
  } catch (error) {
    await knex.destroy();
    throw error;
  }
  return { knex, cleanups: [async () => knex.destroy(), async () => lock.release()] };
}

export function configuredTarget(config: FacilitatorConfig): DatabaseTarget {
  const { database } = config;
  return database.client === 'postgres' ? { client: 'postgres', url: database.url! } : { client: 'sqlite', path: database.path! };
}

/**
 * Starts the embedded indexer of a config's sides whose subgraph mode is `embedded` (none: undefined).
 * `namespaceSuffix` names a pair's tables when several pairs share the indexer's database (start --chains).
 */
export async function startIndexerIfEmbedded(
  { config, mosaic, logger }: Pick<RuntimeOptions, 'config' | 'mosaic' | 'logger'>,
  knex: Knex,
  namespaceSuffix?: string,
): Promise<EmbeddedIndexer | undefined> {
  const chains = chainsOf(config);
  const embedded = (['origin', 'auxiliary'] as SubgraphSide[]).filter((side) => chains[side].settings.subgraph.mode === 'embedded');
  if (embedded.length === 0) return undefined;
  return startEmbeddedIndexer({
    knex,
    mosaic,
    auxChainId: config.auxChainId,
    chains: Object.fromEntries(embedded.map((side) => [side, indexerChainOf(chains[side])])),
    namespaceSuffix,
    // Builds depend only on the deployment: share them across instances and restarts.
    buildCacheDir: process.env.MOSAIC_SUBGRAPH_CACHE ?? join(dirname(config.database.path ?? defaultDatabasePath(config.auxChainId)), 'subgraphs'),
    host: config.embeddedIndexer?.host,
    port: config.embeddedIndexer?.port,
    logger,
  });
}

function startFacilitator(options: RuntimeOptions, stores: RuntimeStores, indexer: EmbeddedIndexer | undefined, beforeBroadcast: () => Promise<void>): Facilitator {
  const { config, mosaic, logger } = options;
  const chains = chainsOf(config);
  const runtimeOf = (side: SubgraphSide) => chainRuntimeOf(chains[side], subgraphEndpointOf(chains[side].settings, side, indexer, logger), options.signers[side]);
  const facilitator = new Facilitator({
    mosaic,
    auxChainId: config.auxChainId,
    origin: runtimeOf('origin'),
    auxiliary: runtimeOf('auxiliary'),
    stores,
    policy: policyOf(config.facilitation),
    reconcileIntervalMs: options.reconcileIntervalMs ?? DEFAULTS.reconcileIntervalMs,
    beforeBroadcast,
    logger,
  });
  facilitator.start();
  return facilitator;
}

async function startStatus(
  options: RuntimeOptions,
  stores: RuntimeStores,
  current: () => readonly Facilitator[],
  role: () => Role,
): Promise<StatusServer | undefined> {
  const { config, logger } = options;
  const serve = {
    source: new FacilitatorStatusSource(stores.facilitation, stores.outbox, stores.cursors, current, role),
    health: async (): Promise<Record<string, boolean>> => {
      const [facilitator] = current();
      if (!facilitator) return { standingBy: true }; // healthy: waiting for the lease is its job
      const [origin, auxiliary] = await Promise.all([
        facilitator.context.origin.client.blockNumber().then(() => true, () => false),
        facilitator.context.auxiliary.client.blockNumber().then(() => true, () => false),
      ]);
      return { originRpc: origin, auxiliaryRpc: auxiliary };
    },
    admin: options.adminToken === undefined ? undefined : { token: options.adminToken, actions: facilitatorAdminActions(stores, current, logger) },
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
