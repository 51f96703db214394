import type { ChainClient } from '../chain/chain-client';
import type { AccountProof } from '../chain/proofs';
import type { TransactionEngine } from '../chain/tx-engine/transaction-engine';
import type { Logger } from '../logging/logger';
import type { Anchor, Eip20CoGateway, Eip20Gateway, Eip20Token, OstComposer } from '../mosaic/contracts';
import type { RedeemPool } from '../mosaic/redeem-contracts';
import type { Direction } from './model';
import type { StepEngine } from './step-outbox';
import type { FacilitationStore } from './store-port';

/** The transaction engine of one chain as the facilitation uses it (a fake in unit tests; onHead: none without newHeads). */
export type ChainEngine = StepEngine & Pick<TransactionEngine, 'outcomes$' | 'workers'> & Partial<Pick<TransactionEngine, 'onHead'>>;

/** Merkle-Patricia proofs of a gateway's storage (eth_getProof on its chain). */
export interface ProofPort {
  /** One proof of the origin gateway account at `height` with the outbox slots of these messages, in order. */
  gatewayOutbox(messageHashes: readonly string[], height: bigint): Promise<AccountProof>;
  /** The same for the auxiliary cogateway (redeem messages). */
  coGatewayOutbox(messageHashes: readonly string[], height: bigint): Promise<AccountProof>;
}

/** What gas costs on one chain now (wei per gas a transaction is expected to pay; see FeeOracle.expectedPerGas). */
export interface FeeReader {
  expectedFeePerGas(): Promise<bigint>;
}

/** Everything the services share: the two chains, the contracts of one gateway pair, the store. */
export interface FacilitationContext {
  origin: {
    chainId: number;
    client: ChainClient;
    composer: OstComposer;
    gateway: Eip20Gateway;
    valueToken: Eip20Token;
    /** Anchor on origin that holds auxiliary state roots (redeem proofs). */
    anchor: Anchor;
    engine: ChainEngine;
    fees: FeeReader;
  };
  auxiliary: {
    chainId: number;
    client: ChainClient;
    coGateway: Eip20CoGateway;
    /** Anchor on the auxiliary chain that holds origin state roots. */
    anchor: Anchor;
    /** Where redeemers request redeems; its workers accept them. */
    redeemPool: RedeemPool;
    engine: ChainEngine;
    fees: FeeReader;
  };
  proofs: ProofPort;
  store: FacilitationStore;
  policy: FacilitationPolicy;
  logger: Logger;
}

export interface FacilitationPolicy {
  /** Gateways and cogateways (lowercase) whose stake and redeem requests this facilitator accepts. */
  supportedGateways: ReadonlySet<string>;
  /** Requests offering less are ignored (not worth the gas). */
  minGasPrice: bigint;
  minGasLimit: bigint;
  /** A worker needs at least this much native coin for gas to be chosen. */
  minWorkerGasBalance: bigint;
  /** Bounty allowance approved at once, in bounties (fewer approve transactions). */
  bountyAllowanceBatch: bigint;
  /** Accept only requests whose reward covers the flow's expected gas; undefined: off. */
  profitability?: ProfitabilityPolicy;
}

/**
 * A request is profitable when its reward (gasPrice × gasLimit, in the value token: OSTPrime on the
 * auxiliary chain for a stake, OST on origin for a redeem) is at least the expected gas cost of its whole
 * flow on both chains at current fees, times the margin. Origin gas is paid in ETH and converted at
 * `ostPerEth`; auxiliary gas is paid in OSTPrime, one OST each.
 */
export interface ProfitabilityPolicy {
  /** Required reward = expected cost × marginPercent / 100. */
  marginPercent: bigint;
  /** How many OST one ETH is worth, as an exact fraction (numerator / denominator). */
  ostPerEth: { numerator: bigint; denominator: bigint };
  /** Gas of the whole flow, per direction, on each chain. */
  gas: Record<Direction, { origin: bigint; auxiliary: bigint }>;
}
