import type { MessageStatus } from '../mosaic/message-status';
import type { StakeTransition } from './stake/transition';

/**
 * Which way value moves. A REDEEM lives in the same records as a STAKE, read the other way round: the
 * request is a RedeemPool request on the auxiliary chain (`stakeRequestHash` holds its redeem request
 * hash, `composer` the RedeemPool, `gateway` the cogateway it names, `staker` the redeemer, `stakerProxy`
 * its RedeemerProxy); the message's source is the cogateway's outbox, its target the gateway's inbox.
 */
export type Direction = 'STAKE' | 'REDEEM';

export const DIRECTIONS: readonly Direction[] = ['STAKE', 'REDEEM'];

/**
 * The facilitator's own records of stake requests and messages. Every decision is taken from them
 * (never from memory alone), so a restart rebuilds the same decisions.
 */

export type StakeRequestState =
  /** Seen on-chain; waiting to be accepted. */
  | 'REQUESTED'
  /** A hash lock was made and acceptStakeRequest is queued or in flight. */
  | 'ACCEPTING'
  /** acceptStakeRequest mined: the stake intent is declared. */
  | 'ACCEPTED'
  /** The staker revoked it. */
  | 'REVOKED'
  /** A worker rejected it. */
  | 'REJECTED'
  /** Not ours to facilitate (unsupported gateway, gas price or limit below the configured minimum). */
  | 'IGNORED'
  /** Gone from the composer without our acceptance (another facilitator accepted it). */
  | 'TAKEN'
  /**
   * Its StakeRequested was reorganised away: the node knows its transaction neither mined nor pending.
   * Recorded again as REQUESTED if the same request reappears on the chain.
   */
  | 'ORPHANED'
  | 'FAILED';

export type MessageState =
  /** Unlock secret persisted, acceptStakeRequest queued or in flight. */
  | 'ACCEPTING'
  /** Declared in the gateway outbox; waiting for an anchored height ≥ the declaration and a proof there. */
  | 'DECLARED'
  /** confirmStakeIntent queued or in flight. */
  | 'CONFIRMING'
  /** Declared in the cogateway inbox: progressStake and progressMint may go. */
  | 'CONFIRMED'
  /** Progressed on both sides. */
  | 'COMPLETED'
  /**
   * Not declared: another facilitator accepted the request first, the staker revoked it, or the request
   * (and our acceptance) was reorganised away. Not a failure. Should our declaration appear on the
   * chain after all, the message follows it again (a declared message is never left behind).
   */
  | 'ABANDONED'
  /**
   * An operator gave it up (the admin API's abandonMessage, reason recorded). Final: no step is sent
   * for it again, whatever the message boxes show later; its unlock secret stays in the database and is
   * never served.
   */
  | 'ADMIN_ABANDONED'
  | 'FAILED';

export interface StakeRequestRecord {
  direction: Direction;
  stakeRequestHash: string;
  composer: string;
  gateway: string;
  staker: string;
  stakerProxy: string;
  amount: bigint;
  beneficiary: string;
  gasPrice: bigint;
  gasLimit: bigint;
  nonce: bigint;
  blockNumber: bigint;
  transactionHash: string;
  state: StakeRequestState;
  messageHash?: string;
  reason?: string;
}

export interface MessageRecord {
  direction: Direction;
  messageHash: string;
  stakeRequestHash: string;
  gateway: string;
  coGateway: string;
  /** The message sender: the staker's StakerProxy (the redeemer's RedeemerProxy). */
  sender: string;
  staker: string;
  nonce: bigint;
  amount: bigint;
  beneficiary: string;
  gasPrice: bigint;
  gasLimit: bigint;
  hashLock: string;
  /** Secret until revealed by progressStake/progressMint; never logged, never served before that. */
  unlockSecret: string;
  /** The worker that accepted (its bounty is locked until progressStake / progressRedeem). */
  worker: string;
  sourceStatus: MessageStatus;
  targetStatus: MessageStatus;
  /** Source-chain block of StakeIntentDeclared (origin) or RedeemIntentDeclared (auxiliary). */
  declarationHeight?: bigint;
  /** Source-chain height whose proof confirmed the intent. */
  confirmedHeight?: bigint;
  state: MessageState;
  reason?: string;
  createdAt?: number;
  updatedAt?: number;
}

export interface GatewayRecord {
  /** The gateway proven: the origin gateway (on the auxiliary chain) or the cogateway (on origin). */
  gateway: string;
  /** Where it is proven: its counterpart on the other chain. */
  coGateway: string;
  /** Highest height of the proven gateway's chain at which its counterpart holds its storage root. */
  lastProvenHeight: bigint;
}

export interface AnchorRecord {
  anchor: string;
  chainId: number;
  /** Highest remote height whose state root is anchored here. */
  lastAnchoredHeight: bigint;
  stateRoot?: string;
}

/** What changed in the models, emitted after the commit. */
export type FacilitationChange =
  /** A stake facilitation moved: its next state, what changed and the work it made due. */
  | { kind: 'stake'; transition: StakeTransition }
  | { kind: 'gateway'; record: GatewayRecord }
  | { kind: 'anchor'; record: AnchorRecord };
