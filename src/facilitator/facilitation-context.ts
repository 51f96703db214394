import type { ChainClient } from '../chain/chain-client';
import type { AuxiliaryChainConfig, MosaicConfigShape } from '../config/mosaic-config';
import { FeeOracle } from '../chain/fees';
import type { ChainEngine, FacilitationContext, FacilitationPolicy, FeeReader, ProofPort } from '../facilitation/context';
import type { HandlerContext } from '../facilitation/handlers';
import type { FacilitationStore } from '../facilitation/store-port';
import type { Logger } from '../logging/logger';
import { Anchor, Eip20CoGateway, Eip20Gateway, Eip20Token, OstComposer } from '../mosaic/contracts';
import { RedeemPool } from '../mosaic/redeem-contracts';
import { proveCoGatewayOutbox } from '../mosaic/redeem-proofs';
import { proveGatewayOutbox } from '../mosaic/stake-proofs';
import { DEFAULTS } from './defaults';

export interface ContextChain {
  client: ChainClient;
  engine: ChainEngine;
  /** Today's fees (default: a fee oracle of the client, type 2 where blocks carry a base fee). */
  fees?: FeeReader;
}

export interface FacilitationContextOptions {
  mosaic: MosaicConfigShape;
  auxChainId: number;
  origin: ContextChain;
  auxiliary: ContextChain;
  store: FacilitationStore;
  policy?: Partial<FacilitationPolicy>;
  logger: Logger;
}

export interface BuiltFacilitationContext {
  context: FacilitationContext;
  /** What the entity handlers need: the same store and the pair's addresses. */
  handlers: HandlerContext;
  pair: AuxiliaryChainConfig;
}

/** The one place the services' context is made, for the daemon and for the tests alike. */
export function buildFacilitationContext(options: FacilitationContextOptions): BuiltFacilitationContext {
  const pair = options.mosaic.auxiliaryChains[String(options.auxChainId)];
  if (!pair) throw new Error(`the mosaic-config has no auxiliary chain ${options.auxChainId}`);
  const addresses = pair.contractAddresses;
  const { origin, auxiliary, store, logger } = options;
  const gateway = new Eip20Gateway(origin.client, addresses.origin.ostEIP20GatewayAddress);
  const coGateway = new Eip20CoGateway(auxiliary.client, addresses.auxiliary.ostEIP20CogatewayAddress);
  const context: FacilitationContext = {
    origin: {
      chainId: origin.client.chainId,
      client: origin.client,
      composer: new OstComposer(origin.client, addresses.origin.ostComposerAddress),
      gateway,
      valueToken: new Eip20Token(origin.client, options.mosaic.originChain.contractAddresses.simpleTokenAddress),
      anchor: new Anchor(origin.client, addresses.origin.anchorAddress),
      engine: origin.engine,
      fees: origin.fees ?? feeReaderOf(origin.client),
    },
    auxiliary: {
      chainId: auxiliary.client.chainId,
      client: auxiliary.client,
      coGateway,
      anchor: new Anchor(auxiliary.client, addresses.auxiliary.anchorAddress),
      redeemPool: new RedeemPool(auxiliary.client, addresses.auxiliary.redeemPoolAddress),
      engine: auxiliary.engine,
      fees: auxiliary.fees ?? feeReaderOf(auxiliary.client),
    },
    proofs: {
      gatewayOutbox: (hashes, height) => proveGatewayOutbox(origin.client, gateway, hashes, height),
      coGatewayOutbox: (hashes, height) => proveCoGatewayOutbox(auxiliary.client, coGateway, hashes, height),
    } satisfies ProofPort,
    store,
    policy: resolvePolicy(options.policy, [gateway.address, coGateway.address]),
    logger: logger.child({ component: 'facilitation' }),
  };
  const handlers: HandlerContext = {
    store,
    logger: logger.child({ component: 'handlers' }),
    composer: context.origin.composer.address,
    redeemPool: context.auxiliary.redeemPool.address,
    gateway: gateway.address,
    coGateway: context.auxiliary.coGateway.address,
    auxiliaryAnchor: context.auxiliary.anchor.address,
    originChainId: context.origin.chainId,
    originAnchor: context.origin.anchor.address,
    auxiliaryChainId: context.auxiliary.chainId,
  };
  return { context, handlers, pair };
}

function feeReaderOf(client: ChainClient): FeeReader {
  const oracle = new FeeOracle(client);
  return { expectedFeePerGas: () => oracle.expectedPerGas() };
}

function resolvePolicy(policy: Partial<FacilitationPolicy> | undefined, pair: string[]): FacilitationPolicy {
  return {
    supportedGateways: policy?.supportedGateways ?? new Set(pair),
    minGasPrice: policy?.minGasPrice ?? DEFAULTS.policy.minGasPrice,
    minGasLimit: policy?.minGasLimit ?? DEFAULTS.policy.minGasLimit,
    minWorkerGasBalance: policy?.minWorkerGasBalance ?? DEFAULTS.policy.minWorkerGasBalance,
    bountyAllowanceBatch: policy?.bountyAllowanceBatch ?? DEFAULTS.policy.bountyAllowanceBatch,
    profitability: policy?.profitability,
  };
}
