import type { Knex } from 'knex';
import type { LocalSigner } from '../chain/local-signer';
import { SqlOutbox } from '../chain/tx-engine/sql-outbox';
import type { FacilitatorConfig } from '../config/facilitator-config';
import type { MosaicConfigShape } from '../config/mosaic-config';
import type { DatabaseTarget } from '../db/database-target';
import { ProcessLock } from '../db/process-lock';
import { isPostgres } from '../db/row-lock';
import { PairScopedStore } from '../facilitation/pair-scoped-store';
import { SqlFacilitationStore } from '../facilitation/sql-facilitation-store';
import type { EmbeddedIndexer } from '../indexer/embedded-indexer';
import type { Logger } from '../logging/logger';
import type { BoundStatusServer, StatusServer } from '../status/status-server';
import { SqlCursorStore } from '../streams/sql-cursor-store';
import type { SubgraphSide } from '../subgraph/sides';
import { DEFAULTS } from './defaults';
import { openIndexerDatabase } from './indexer-database';
import { createChainHandle, Facilitator, type ChainHandle } from './facilitator';
import { pairNamesOf, type PairNames } from './pair-names';
import { chainRuntimeOf, chainsOf, policyOf, subgraphEndpointOf } from './resolve-options';
import { configuredTarget, lockKeyOf, openLockedDatabase, startIndexerIfEmbedded } from './runtime';
import { facilitatorAdminActions } from './admin-actions';
import { FacilitatorStatusSource } from './status-source';

/** One gateway pair of `start --chains`: its config (and mosaic-config) and its unlocked workers. */
export interface PairSetup {
  mosaic: MosaicConfigShape;
  config: FacilitatorConfig;
  signers: Record<SubgraphSide, LocalSigner[]>;
}

export interface PairsRuntimeOptions {
  /** The first pair's config names the database and the origin chain's settings; all name the same database. */
  pairs: PairSetup[];
  logger: Logger;
  /** A status API already listening (bound by `start` before anything is written). */
  boundStatus: BoundStatusServer;
  /** The shared database with its password resolved (default: the first config's). */
  database?: DatabaseTarget;
  reconcileIntervalMs?: number;
  /** The admin API's bearer token; none: the status API serves no admin action. */
  adminToken?: string;
}

export interface PairsRuntime {
  facilitators: Facilitator[];
  knex: Knex;
  status: StatusServer;
  stop(): Promise<void>;
}

interface SharedStores {
  facilitation: SqlFacilitationStore;
  outbox: SqlOutbox;
  cursors: SqlCursorStore;
}

/**
 * Several gateway pairs of one origin chain in one process: one database, one transaction engine per
 * chain (the origin's shared, so an origin worker has one nonce sequence), one Facilitator per pair
 * (its own streams, cursors, services and embedded subgraphs), one status API for all.
 */
export async function startPairsRuntime(options: PairsRuntimeOptions): Promise<PairsRuntime> {
  const { pairs, logger } = options;
  const { knex, cleanups } = await openLockedDatabase(pairs[0].config, options.database);
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    for (const pair of pairs.slice(1)) {
      // Every pair's lock: a single-pair facilitator of any of them must not run beside this one.
      const lock = new ProcessLock(knex, lockKeyOf(pair.config), { liveHolderKeeps: !isPostgres(knex) });
      await lock.acquire();
      cleanups.push(() => lock.release());
    }
    const stores = { facilitation: new SqlFacilitationStore(knex), outbox: new SqlOutbox(knex), cursors: new SqlCursorStore(knex) };
    const names = await pairNamesOf(knex, stores.cursors, pairs[0].config.originChainId, pairs.map((p) => p.config.auxChainId));
    const origin = originHandle(pairs, stores, logger);
    const indexerKnex = await openIndexerDatabase(options.database ?? configuredTarget(pairs[0].config), cleanups);
    const facilitators: Facilitator[] = [];
    for (const pair of pairs) {
      const pairNames = names.get(pair.config.auxChainId)!;
      const indexer = await startIndexerIfEmbedded({ ...pair, logger: logger.child({ auxChainId: pair.config.auxChainId }) }, indexerKnex, pairNames.namespaceSuffix);
      if (indexer) cleanups.push(() => indexer.stop());
      const facilitator = pairFacilitator(pair, { stores, origin, pairNames, indexer, logger, reconcileIntervalMs: options.reconcileIntervalMs });
      facilitators.push(facilitator);
    }
    startChains(facilitators, cleanups);
    for (const facilitator of facilitators) facilitator.start();
    cleanups.push(() => Promise.all(facilitators.map((f) => f.stop())).then(() => undefined));
    const status = serveStatus(options.boundStatus, stores, facilitators, options.adminToken === undefined ? undefined : { token: options.adminToken, logger });
    cleanups.push(() => status.close());
    logger.info({ url: status.url, auxChainIds: pairs.map((p) => p.config.auxChainId) }, 'status API listening');
    return { facilitators, knex, status, stop: cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** The origin chain's engine, from the first pair's settings, signing for every pair's origin workers. */
function originHandle(pairs: PairSetup[], stores: SharedStores, logger: Logger): ChainHandle {
  const workers = new Map<string, LocalSigner>();
  for (const pair of pairs) for (const signer of pair.signers.origin) workers.set(signer.address, signer);
  const first = pairs[0];
  const origin = chainsOf(first.config).origin;
  // The subgraph endpoint is the pairs' own business: the engine needs only the chain.
  const endpoint = { subgraph: { name: 'origin', http: '' }, transport: 'polling' as const };
  return createChainHandle(chainRuntimeOf(origin, endpoint, [...workers.values()]), stores.outbox, logger, 'origin');
}

/** Starts each chain's engine once (the origin's is every pair's) and stops them after the facilitators. */
function startChains(facilitators: Facilitator[], cleanups: Array<() => Promise<void>>): void {
  const engines = new Set(facilitators.flatMap((f) => [f.engines.origin, f.engines.auxiliary]));
  for (const engine of engines) engine.start();
  cleanups.push(() => Promise.all([...engines].map((engine) => engine.stop())).then(() => undefined));
}

interface PairContext {
  stores: SharedStores;
  origin: ChainHandle;
  pairNames: PairNames;
  indexer: EmbeddedIndexer | undefined;
  logger: Logger;
  reconcileIntervalMs?: number;
}

function pairFacilitator(pair: PairSetup, context: PairContext): Facilitator {
  const { config, mosaic, signers } = pair;
  const { stores, indexer } = context;
  const logger = context.logger.child({ auxChainId: config.auxChainId });
  const chains = chainsOf(config);
  const endpoint = (side: SubgraphSide) => subgraphEndpointOf(chains[side].settings, side, indexer, logger);
  const auxiliary = chainRuntimeOf(chains.auxiliary, endpoint('auxiliary'), signers.auxiliary);
  const addresses = mosaic.auxiliaryChains[String(config.auxChainId)].contractAddresses;
  const scoped = new PairScopedStore(stores.facilitation, {
    gateway: addresses.origin.ostEIP20GatewayAddress.toLowerCase(),
    coGateway: addresses.auxiliary.ostEIP20CogatewayAddress.toLowerCase(),
    anchors: [addresses.origin.anchorAddress.toLowerCase(), addresses.auxiliary.anchorAddress.toLowerCase()],
  });
  return new Facilitator({
    mosaic,
    auxChainId: config.auxChainId,
    origin: chainRuntimeOf(chains.origin, endpoint('origin'), signers.origin),
    auxiliary,
    engines: { origin: context.origin, auxiliary: createChainHandle(auxiliary, stores.outbox, logger, 'auxiliary') },
    streamPrefix: context.pairNames.streamPrefix,
    stores: { facilitation: scoped, outbox: stores.outbox, cursors: stores.cursors },
    policy: policyOf(config.facilitation),
    reconcileIntervalMs: context.reconcileIntervalMs ?? DEFAULTS.reconcileIntervalMs,
    logger,
  });
}

function serveStatus(bound: BoundStatusServer, stores: SharedStores, facilitators: Facilitator[], admin: { token: string; logger: Logger } | undefined): StatusServer {
  const chains = new Map(facilitators.flatMap((f) => [f.context.origin, f.context.auxiliary].map((side) => [side.chainId, side.client])));
  bound.serve({
    source: new FacilitatorStatusSource(stores.facilitation, stores.outbox, stores.cursors, () => facilitators),
    health: async () => {
      const answers = await Promise.all([...chains].map(async ([chainId, client]) => [`chain${chainId}Rpc`, await client.blockNumber().then(() => true, () => false)] as const));
      return Object.fromEntries(answers);
    },
    admin: admin && { token: admin.token, actions: facilitatorAdminActions(stores, () => facilitators, admin.logger) },
  });
  return bound;
}
