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
import { startStatusServer, type StatusServer } from '../status/status-server';
import type { StreamTransport } from '../streams/entity-stream';
import { SqlCursorStore } from '../streams/sql-cursor-store';
import type { SubgraphEndpoint } from '../streams/subgraph-client';
import type { SubgraphSide } from '../subgraph/sides';
import { Facilitator, type ChainRuntimeOptions } from './facilitator';
import { FacilitatorStatusSource } from './status-source';

export interface RuntimeOptions {
  mosaic: MosaicConfigShape;
  config: FacilitatorConfig;
  signers: Record<SubgraphSide, LocalSigner[]>;
  logger: Logger;
  /** Overrides of the config's status API address; `false` turns the API off. */
  status?: { host?: string; port?: number } | false;
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

export function lockKeyOf(config: FacilitatorConfig): string {
  const workers = Object.values(config.chains)
    .flatMap((c) => c.workers)
    .sort();
  return `facilitator:${config.auxChainId}:${[...new Set(workers)].join(',')}`;
}

/** Starts everything `facilitator start` runs, from validated configs and unlocked keys. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, mosaic, logger } = options;
  const knex = await openDatabase(config.database.path);
  const lock = new ProcessLock(knex, lockKeyOf(config));
  try {
    await lock.acquire();
  } catch (error) {
    await knex.destroy();
    throw error;
  }
  // Undone in reverse: status API, facilitator, indexer, then the lock and the database last.
  const cleanups: Array<() => Promise<void>> = [async () => knex.destroy(), async () => lock.release()];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };

  try {
    const settings: Record<SubgraphSide, ChainSettings> = {
      origin: config.chains[String(config.originChainId)],
      auxiliary: config.chains[String(config.auxChainId)],
    };
    const chainIds: Record<SubgraphSide, number> = { origin: config.originChainId, auxiliary: config.auxChainId };
    const embeddedSides = (['origin', 'auxiliary'] as SubgraphSide[]).filter((side) => settings[side].subgraph.mode === 'embedded');
    let indexer: EmbeddedIndexer | undefined;
    if (embeddedSides.length > 0) {
      indexer = await startEmbeddedIndexer({
        knex,
        mosaic,
        auxChainId: config.auxChainId,
        chains: Object.fromEntries(
          embeddedSides.map((side) => [
            side,
            {
              chainId: chainIds[side],
              rpcUrl: settings[side].rpc,
              confirmations: settings[side].confirmations,
              pollIntervalMs: Math.min(settings[side].pollIntervalMs ?? 250, 250),
            },
          ]),
        ),
        // Builds depend only on the deployment: share them across instances and restarts.
        buildCacheDir: process.env.MOSAIC_SUBGRAPH_CACHE ?? join(dirname(config.database.path), 'subgraphs'),
        host: config.embeddedIndexer?.host,
        port: config.embeddedIndexer?.port,
        logger,
      });
      const started = indexer;
      cleanups.push(() => started.stop());
    }

    const endpoint = (side: SubgraphSide): { subgraph: SubgraphEndpoint; transport: StreamTransport } => {
      const subgraph = settings[side].subgraph;
      if (subgraph.mode === 'embedded') {
        const name = indexer!.subgraphName(side);
        return { subgraph: { name: side, http: indexer!.server.url(name), ws: indexer!.server.wsUrl(name) }, transport: 'subscription' };
      }
      return { subgraph: { name: side, http: subgraph.http!, ws: subgraph.ws }, transport: subgraph.transport ?? 'polling' };
    };
    const runtimeOf = (side: SubgraphSide): ChainRuntimeOptions => {
      const chain = settings[side];
      const embedded = chain.subgraph.mode === 'embedded';
      return {
        chainId: chainIds[side],
        rpcUrl: chain.rpc,
        ...endpoint(side),
        confirmations: chain.confirmations ?? 0,
        // The embedded indexer already waits for confirmations before indexing.
        streamConfirmations: embedded ? 0 : (chain.confirmations ?? 0),
        pollIntervalMs: chain.pollIntervalMs ?? 1000,
        workers: options.signers[side],
        stuckAfterMs: chain.stuckAfterMs,
        txType: chain.txType ?? 'auto',
        maxFeePerGas: chain.maxFeePerGas !== undefined ? BigInt(chain.maxFeePerGas) : chain.maxGasPrice !== undefined ? BigInt(chain.maxGasPrice) : undefined,
      };
    };

    const store = new SqlFacilitationStore(knex);
    const outbox = new SqlOutbox(knex);
    const cursors = new SqlCursorStore(knex);
    const facilitation = config.facilitation ?? {};
    const facilitator = new Facilitator({
      mosaic,
      auxChainId: config.auxChainId,
      origin: runtimeOf('origin'),
      auxiliary: runtimeOf('auxiliary'),
      stores: { facilitation: store, outbox, cursors },
      policy: {
        ...(facilitation.supportedGateways ? { supportedGateways: new Set(facilitation.supportedGateways.map((g) => g.toLowerCase())) } : {}),
        ...(facilitation.minGasPrice ? { minGasPrice: BigInt(facilitation.minGasPrice) } : {}),
        ...(facilitation.minGasLimit ? { minGasLimit: BigInt(facilitation.minGasLimit) } : {}),
        ...(facilitation.minWorkerGasBalance ? { minWorkerGasBalance: BigInt(facilitation.minWorkerGasBalance) } : {}),
        ...(facilitation.bountyAllowanceBatch ? { bountyAllowanceBatch: BigInt(facilitation.bountyAllowanceBatch) } : {}),
      },
      reconcileIntervalMs: options.reconcileIntervalMs,
      logger,
    });
    facilitator.start();
    cleanups.push(() => facilitator.stop());

    let status: StatusServer | undefined;
    if (options.status !== false) {
      status = await startStatusServer({
        source: new FacilitatorStatusSource(store, outbox, cursors, facilitator),
        host: options.status?.host ?? config.status?.host ?? '127.0.0.1',
        port: options.status?.port ?? config.status?.port ?? 0,
        health: async () => {
          const [origin, auxiliary] = await Promise.all([
            facilitator.context.origin.client.blockNumber().then(() => true, () => false),
            facilitator.context.auxiliary.client.blockNumber().then(() => true, () => false),
          ]);
          return { originRpc: origin, auxiliaryRpc: auxiliary };
        },
      });
      const started = status;
      cleanups.push(() => started.close());
      logger.info({ url: status.url }, 'status API listening');
    }

    return {
      facilitator,
      knex,
      indexer,
      status,
      lockKey: lockKeyOf(config),
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
