import type { Subscription } from 'rxjs';
import { FeeOracle, type TxTypeSetting } from '../chain/fees';
import { ChainClient } from '../chain/chain-client';
import { HttpJsonRpc } from '../chain/json-rpc';
import type { LocalSigner } from '../chain/local-signer';
import type { OutboxPort } from '../chain/tx-engine/outbox-port';
import { TransactionEngine } from '../chain/tx-engine/transaction-engine';
import type { AuxiliaryChainConfig, MosaicConfigShape } from '../config/mosaic-config';
import type { FacilitationContext, FacilitationPolicy } from '../facilitation/context';
import { startBalanceWatch } from '../facilitation/balance-watch';
import { FacilitationEngine } from '../facilitation/facilitation-engine';
import { handleEntityBatch, type HandlerContext } from '../facilitation/handlers';
import type { FacilitationStore } from '../facilitation/store-port';
import type { Logger } from '../logging/logger';
import { Anchor, Eip20CoGateway, Eip20Gateway, Eip20Token, OstComposer } from '../mosaic/contracts';
import type { StreamedEntityType } from '../streams/documents';
import { runEntityStream, type StreamCursorStore, type StreamTransport } from '../streams/entity-stream';
import { SubgraphClient, type SubgraphEndpoint } from '../streams/subgraph-client';

export interface ChainRuntimeOptions {
  chainId: number;
  rpcUrl: string;
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
  rpcTimeoutMs?: number;
}

export interface FacilitatorStores {
  facilitation: FacilitationStore;
  /** One outbox serves both chains (records carry their chain id). */
  outbox: OutboxPort;
  cursors: StreamCursorStore;
}

export interface FacilitatorOptions {
  mosaic: MosaicConfigShape;
  auxChainId: number;
  origin: ChainRuntimeOptions;
  auxiliary: ChainRuntimeOptions;
  stores: FacilitatorStores;
  policy?: Partial<FacilitationPolicy>;
  reconcileIntervalMs?: number;
  logger: Logger;
}

const ORIGIN_STREAMS: StreamedEntityType[] = ['StakeRequested', 'StakeRevoked', 'StakeRejected', 'StakeIntentDeclared', 'StakeProgressed'];
const AUXILIARY_STREAMS: StreamedEntityType[] = ['StateRootAvailable', 'GatewayProven', 'StakeIntentConfirmed', 'MintProgressed'];

/** The running daemon for one gateway pair: entity streams → models → services → transaction engines. */
export class Facilitator {
  readonly context: FacilitationContext;
  readonly originSubgraph: SubgraphClient;
  readonly auxiliarySubgraph: SubgraphClient;
  private readonly engine: FacilitationEngine;
  private readonly streams: Subscription[] = [];
  private readonly pair: AuxiliaryChainConfig;
  private stopBalanceWatch: (() => void) | undefined;

  constructor(private readonly options: FacilitatorOptions) {
    const pair = options.mosaic.auxiliaryChains[String(options.auxChainId)];
    if (!pair) throw new Error(`the mosaic-config has no auxiliary chain ${options.auxChainId}`);
    this.pair = pair;
    const { origin, auxiliary, logger } = options;
    const originClient = new ChainClient(new HttpJsonRpc(origin.rpcUrl, origin.rpcTimeoutMs ?? 15_000), origin.chainId);
    const auxClient = new ChainClient(new HttpJsonRpc(auxiliary.rpcUrl, auxiliary.rpcTimeoutMs ?? 15_000), auxiliary.chainId);
    const engineFor = (client: ChainClient, chain: ChainRuntimeOptions, name: string) =>
      new TransactionEngine({
        client,
        signers: new Map(chain.workers.map((signer) => [signer.address, signer])),
        outbox: options.stores.outbox,
        confirmations: chain.confirmations,
        stuckAfterMs: chain.stuckAfterMs,
        fees: new FeeOracle(client, chain.txType ?? 'auto', chain.maxFeePerGas),
        pollIntervalMs: Math.min(chain.pollIntervalMs, 200),
        logger: logger.child({ component: 'transactions', chain: name }),
      });
    const addresses = pair.contractAddresses;
    const gateway = addresses.origin.ostEIP20GatewayAddress.toLowerCase();
    this.context = {
      origin: {
        chainId: origin.chainId,
        client: originClient,
        composer: new OstComposer(originClient, addresses.origin.ostComposerAddress),
        gateway: new Eip20Gateway(originClient, gateway),
        valueToken: new Eip20Token(originClient, options.mosaic.originChain.contractAddresses.simpleTokenAddress),
        engine: engineFor(originClient, origin, 'origin'),
      },
      auxiliary: {
        chainId: auxiliary.chainId,
        client: auxClient,
        coGateway: new Eip20CoGateway(auxClient, addresses.auxiliary.ostEIP20CogatewayAddress),
        anchor: new Anchor(auxClient, addresses.auxiliary.anchorAddress),
        engine: engineFor(auxClient, auxiliary, 'auxiliary'),
      },
      store: options.stores.facilitation,
      policy: {
        supportedGateways: options.policy?.supportedGateways ?? new Set([gateway]),
        minGasPrice: options.policy?.minGasPrice ?? 0n,
        minGasLimit: options.policy?.minGasLimit ?? 0n,
        minWorkerGasBalance: options.policy?.minWorkerGasBalance ?? 10n ** 16n,
        bountyAllowanceBatch: options.policy?.bountyAllowanceBatch ?? 10n,
      },
      logger: logger.child({ component: 'facilitation' }),
    };
    this.originSubgraph = new SubgraphClient(origin.subgraph);
    this.auxiliarySubgraph = new SubgraphClient(auxiliary.subgraph);
    this.engine = new FacilitationEngine(this.context, { reconcileIntervalMs: options.reconcileIntervalMs });
  }

  /** Names of the entity streams, as their cursors are stored. */
  streamNames(): string[] {
    return [...ORIGIN_STREAMS.map((t) => `origin.${t}`), ...AUXILIARY_STREAMS.map((t) => `auxiliary.${t}`)];
  }

  start(): void {
    const { logger, stores } = this.options;
    const addresses = this.pair.contractAddresses;
    const handlerContext: HandlerContext = {
      store: stores.facilitation,
      logger: logger.child({ component: 'handlers' }),
      composer: addresses.origin.ostComposerAddress.toLowerCase(),
      gateway: addresses.origin.ostEIP20GatewayAddress.toLowerCase(),
      coGateway: addresses.auxiliary.ostEIP20CogatewayAddress.toLowerCase(),
      auxiliaryAnchor: addresses.auxiliary.anchorAddress.toLowerCase(),
      auxiliaryChainId: this.options.auxiliary.chainId,
    };
    const open = (side: 'origin' | 'auxiliary', types: StreamedEntityType[]) => {
      const chain = this.options[side];
      const client = side === 'origin' ? this.originSubgraph : this.auxiliarySubgraph;
      for (const entityType of types) {
        this.streams.push(
          runEntityStream(
            {
              name: `${side}.${entityType}`,
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
    this.context.origin.engine.start();
    this.context.auxiliary.engine.start();
    this.engine.start();
    this.stopBalanceWatch = startBalanceWatch(this.context, {
      intervalMs: 60_000,
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
    await Promise.all([this.context.origin.engine.stop(), this.context.auxiliary.engine.stop()]);
    await Promise.all([this.originSubgraph.close(), this.auxiliarySubgraph.close()]);
    this.options.logger.info('facilitator stopped');
  }
}
