import type { Subscription } from 'rxjs';
import { FeeOracle, type TxTypeSetting } from '../chain/fees';
import { ChainClient } from '../chain/chain-client';
import { sharedChainRpc, type RpcEndpoints } from '../chain/failover-json-rpc';
import { acquireNewHeads } from '../chain/new-heads';
import type { LocalSigner } from '../chain/local-signer';
import type { OutboxPort } from '../chain/tx-engine/outbox-port';
import { TransactionEngine } from '../chain/tx-engine/transaction-engine';
import type { AuxiliaryChainConfig, MosaicConfigShape } from '../config/mosaic-config';
import type { FacilitationContext, FacilitationPolicy } from '../facilitation/context';
import { startBalanceWatch } from '../facilitation/balance-watch';
import { FacilitationEngine } from '../facilitation/facilitation-engine';
import { handleEntityBatch, type HandlerContext } from '../facilitation/handlers';
import { DEFAULTS } from './defaults';
import { buildFacilitationContext } from './facilitation-context';
import type { FacilitationStore } from '../facilitation/store-port';
import type { Logger } from '../logging/logger';
import type { StreamedEntityType } from '../streams/documents';
import { runEntityStream, type StreamCursorStore, type StreamTransport } from '../streams/entity-stream';
import { SubgraphClient, type SubgraphEndpoint } from '../streams/subgraph-client';

export interface ChainRuntimeOptions {
  chainId: number;
  /** The chain's JSON-RPC endpoints by preference, with their failover settings. */
  rpc: RpcEndpoints;
  /** Where the chain's subgraph answers (graph-node or the embedded indexer). */
  subgraph: SubgraphEndpoint;
  transport: StreamTransport;
  /** Blocks on top of a mined transaction before its outcome counts. */
  confirmations: number;
  /** Blocks below the subgraph head before the streams act on an entity (0 when the indexer already waits). */
  streamConfirmations: number;
  pollIntervalMs: number;
  workers: LocalSigner[];
  /** Replacement policy of the transaction engine. */
  stuckAfterMs?: number;
  /** Transaction type (default auto: type 2 where blocks carry a base fee). */
  txType?: TxTypeSetting;
  /** Cap per gas: a send that needs more waits. */
  maxFeePerGas?: bigint;
}

export interface FacilitatorStores {
  facilitation: FacilitationStore;
  /** One outbox serves both chains (records carry their chain id). */
  outbox: OutboxPort;
  cursors: StreamCursorStore;
}

/** A chain's client and transaction engine, made once per chain of a process. */
export interface ChainHandle {
  client: ChainClient;
  engine: TransactionEngine;
}

export interface FacilitatorOptions {
  mosaic: MosaicConfigShape;
  auxChainId: number;
  origin: ChainRuntimeOptions;
  auxiliary: ChainRuntimeOptions;
  /**
   * Engines made and run by the caller: one per chain when one process facilitates several pairs, so an
   * origin worker has one nonce sequence. Without them the facilitator makes, starts and stops its own.
   */
  engines?: { origin: ChainHandle; auxiliary: ChainHandle };
  /** Put before every stream name (the cursor's key): '' for a database's first pair, `<aux chain id>/` for the others. */
  streamPrefix?: string;
  stores: FacilitatorStores;
  policy?: Partial<FacilitationPolicy>;
  reconcileIntervalMs?: number;
  /** Checked before every broadcast of both engines (active/standby: the lease still ours). */
  beforeBroadcast?: () => Promise<void>;
  logger: Logger;
}

/** Stake & mint starts on origin and ends on the auxiliary chain; redeem & unstake the other way round. */
const ORIGIN_STREAMS: StreamedEntityType[] = [
  'StakeRequested',
  'StakeRevoked',
  'StakeRejected',
  'StakeIntentDeclared',
  'StakeProgressed',
  'StateRootAvailable',
  'GatewayProven',
  'RedeemIntentConfirmed',
  'UnstakeProgressed',
];
const AUXILIARY_STREAMS: StreamedEntityType[] = [
  'StateRootAvailable',
  'GatewayProven',
  'StakeIntentConfirmed',
  'MintProgressed',
  'RedeemRequested',
  'RedeemRevoked',
  'RedeemRejected',
  'RedeemIntentDeclared',
  'RedeemProgressed',
];

/** The running daemon for one gateway pair: entity streams → models → services → transaction engines. */
export class Facilitator {
  readonly context: FacilitationContext;
  readonly originSubgraph: SubgraphClient;
  readonly auxiliarySubgraph: SubgraphClient;
  /** The transaction engines of both chains (the context sees them through the ChainEngine port). */
  readonly engines: { origin: TransactionEngine; auxiliary: TransactionEngine };
  private readonly handlers: HandlerContext;
  private readonly engine: FacilitationEngine;
  private readonly streams: Subscription[] = [];
  private readonly pair: AuxiliaryChainConfig;
  private stopBalanceWatch: (() => void) | undefined;
  private readonly ownsEngines: boolean;

  constructor(private readonly options: FacilitatorOptions) {
    const { origin, auxiliary, logger } = options;
    const chains = options.engines ?? {
      origin: createChainHandle(origin, options.stores.outbox, logger, 'origin', options.beforeBroadcast),
      auxiliary: createChainHandle(auxiliary, options.stores.outbox, logger, 'auxiliary', options.beforeBroadcast),
    };
    const originClient = chains.origin.client;
    const auxClient = chains.auxiliary.client;
    this.ownsEngines = options.engines === undefined;
    this.engines = { origin: chains.origin.engine, auxiliary: chains.auxiliary.engine };
    const built = buildFacilitationContext({
      mosaic: options.mosaic,
      auxChainId: options.auxChainId,
      origin: { client: originClient, engine: this.engines.origin, fees: this.engines.origin },
      auxiliary: { client: auxClient, engine: this.engines.auxiliary, fees: this.engines.auxiliary },
      store: options.stores.facilitation,
      policy: options.policy,
      logger,
    });
    this.context = built.context;
    this.handlers = built.handlers;
    this.pair = built.pair;
    this.originSubgraph = new SubgraphClient(origin.subgraph);
    this.auxiliarySubgraph = new SubgraphClient(auxiliary.subgraph);
    this.engine = new FacilitationEngine(this.context, { reconcileIntervalMs: options.reconcileIntervalMs ?? DEFAULTS.reconcileIntervalMs });
  }

  /** Blocks on top of a mined transaction before its outcome counts, per chain side (what a step waits for once mined). */
  confirmations(side: 'origin' | 'auxiliary'): number {
    return this.options[side].confirmations;
  }

  /** Names of the entity streams, as their cursors are stored. */
  streamNames(): string[] {
    const prefix = this.options.streamPrefix ?? '';
    return [...ORIGIN_STREAMS.map((t) => `${prefix}origin.${t}`), ...AUXILIARY_STREAMS.map((t) => `${prefix}auxiliary.${t}`)];
  }

  /** Blocks below its subgraph's head each side's streams stop at (reorg safety): not lag. */
  streamConfirmations(side: 'origin' | 'auxiliary'): number {
    return this.options[side].streamConfirmations;
  }

  start(): void {
    const { logger, stores } = this.options;
    const handlerContext = this.handlers;
    const open = (side: 'origin' | 'auxiliary', types: StreamedEntityType[]) => {
      const chain = this.options[side];
      const client = side === 'origin' ? this.originSubgraph : this.auxiliarySubgraph;
      for (const entityType of types) {
        this.streams.push(
          runEntityStream(
            {
              name: `${this.options.streamPrefix ?? ''}${side}.${entityType}`,
              entityType,
              client,
              transport: chain.transport,
              cursors: stores.cursors,
              startBlock: this.pair.startBlocks[side],
              confirmations: chain.streamConfirmations,
              pollIntervalMs: chain.pollIntervalMs,
              logger: logger.child({ component: 'stream' }),
            },
            (batch) => handleEntityBatch(handlerContext, batch),
          ),
        );
      }
    };
    open('origin', ORIGIN_STREAMS);
    open('auxiliary', AUXILIARY_STREAMS);
    if (this.ownsEngines) {
      this.engines.origin.start();
      this.engines.auxiliary.start();
    }
    this.engine.start();
    this.stopBalanceWatch = startBalanceWatch(this.context, {
      intervalMs: DEFAULTS.balanceWatchIntervalMs,
      warnBelow: this.context.policy.minWorkerGasBalance * 10n,
    });
    logger.info(
      { auxChainId: this.options.auxChainId, gateway: handlerContext.gateway, coGateway: handlerContext.coGateway },
      'facilitator started',
    );
  }

  /** Stops taking new work, lets sends under way finish, closes the streams. */
  async stop(): Promise<void> {
    this.stopBalanceWatch?.();
    for (const stream of this.streams.splice(0)) stream.unsubscribe();
    await this.engine.stop();
    if (this.ownsEngines) await Promise.all([this.engines.origin.stop(), this.engines.auxiliary.stop()]);
    await Promise.all([this.originSubgraph.close(), this.auxiliarySubgraph.close()]);
    this.options.logger.info('facilitator stopped');
  }
}

/** A chain's client and transaction engine from its runtime options. */
export function createChainHandle(
  chain: ChainRuntimeOptions,
  outbox: OutboxPort,
  logger: Logger,
  name: string,
  beforeBroadcast?: () => Promise<void>,
): ChainHandle {
  const engineLogger = logger.child({ component: 'transactions', chain: name });
  const client = new ChainClient(sharedChainRpc(chain.rpc, chain.chainId, logger.child({ component: 'rpc', chain: name })), chain.chainId);
  const engine = new TransactionEngine({
    client,
    signers: new Map(chain.workers.map((signer) => [signer.address, signer])),
    outbox,
    confirmations: chain.confirmations,
    stuckAfterMs: chain.stuckAfterMs,
    fees: new FeeOracle(client, chain.txType ?? DEFAULTS.chain.txType, chain.maxFeePerGas),
    pollIntervalMs: Math.min(chain.pollIntervalMs, DEFAULTS.chain.enginePollCapMs),
    // Woken by each new block: a receipt is looked for as soon as it can exist, not at the next poll.
    heads: () => acquireNewHeads(chain.rpc, engineLogger),
    beforeBroadcast,
    logger: engineLogger,
  });
  return { client, engine };
}
