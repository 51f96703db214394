import type { ChainClient } from '../chain/chain-client';
import type { TransactionEngine } from '../chain/tx-engine/transaction-engine';
import type { Logger } from '../logging/logger';
import type { Anchor, Eip20CoGateway, Eip20Gateway, Eip20Token, OstComposer } from '../mosaic/contracts';
import type { FacilitationStore } from './store-port';

/** Everything the services share: the two chains, the contracts of one gateway pair, the store. */
export interface FacilitationContext {
  origin: {
    chainId: number;
    client: ChainClient;
    composer: OstComposer;
    gateway: Eip20Gateway;
    valueToken: Eip20Token;
    engine: TransactionEngine;
  };
  auxiliary: {
    chainId: number;
    client: ChainClient;
    coGateway: Eip20CoGateway;
    /** Anchor on the auxiliary chain that holds origin state roots. */
    anchor: Anchor;
    engine: TransactionEngine;
  };
  store: FacilitationStore;
  policy: FacilitationPolicy;
  logger: Logger;
}

export interface FacilitationPolicy {
  /** Gateways (lowercase) whose requests this facilitator accepts. */
  supportedGateways: ReadonlySet<string>;
  /** Requests offering less are ignored (not worth the gas). */
  minGasPrice: bigint;
  minGasLimit: bigint;
  /** A worker needs at least this much native coin for gas to be chosen. */
  minWorkerGasBalance: bigint;
  /** Bounty allowance approved at once, in bounties (fewer approve transactions). */
  bountyAllowanceBatch: bigint;
}
