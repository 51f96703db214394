import type { Observable } from 'rxjs';
import type { MessageStatus } from '../mosaic/message-status';
import type {
  AnchorRecord,
  FacilitationChange,
  GatewayRecord,
  MessageRecord,
  MessageState,
  StakeRequestRecord,
  StakeRequestState,
} from './model';

/**
 * What the facilitation layer needs from the database. Writes are idempotent (events and receipts may
 * be seen more than once) and monotonic (a status never goes back), and `changes$` emits only after
 * the write committed.
 */
export interface FacilitationStore {
  readonly changes$: Observable<FacilitationChange>;

  /** Inserts a newly observed request; an existing one is left as it is. Returns the stored record. */
  recordStakeRequest(request: StakeRequestRecord): Promise<StakeRequestRecord>;
  getStakeRequest(stakeRequestHash: string): Promise<StakeRequestRecord | undefined>;
  stakeRequestsInState(states: StakeRequestState[]): Promise<StakeRequestRecord[]>;
  /**
   * The composer closed a request (StakeRevoked / StakeRejected). Applied at once when the request is
   * known; otherwise kept, and the request is recorded closed when its StakeRequested arrives.
   */
  recordClosure(stakeRequestHash: string, state: 'REVOKED' | 'REJECTED'): Promise<void>;
  /**
   * Moves a request to `state` (with a reason / message hash) unless it is already final; REVOKED and
   * REJECTED (the composer's own word) still replace TAKEN, IGNORED and FAILED.
   */
  setStakeRequestState(
    stakeRequestHash: string,
    state: StakeRequestState,
    extra?: { reason?: string; messageHash?: string },
  ): Promise<void>;

  /**
   * Atomically persists a new message with its unlock secret AND moves its stake request to ACCEPTING
   * with the message hash. A request that already has a message keeps it (the secret is never replaced).
   * Returns the message stored for the request.
   */
  recordAcceptance(message: MessageRecord): Promise<MessageRecord>;
  messageForStakeRequest(stakeRequestHash: string): Promise<MessageRecord | undefined>;
  getMessage(messageHash: string): Promise<MessageRecord | undefined>;
  messagesInState(states: MessageState[]): Promise<MessageRecord[]>;
  /** Raises the outbox (source) status; records the declaration height when given. */
  updateSourceStatus(messageHash: string, status: MessageStatus, declarationHeight?: bigint): Promise<void>;
  /** Raises the inbox (target) status; records the proven height used when given. */
  updateTargetStatus(messageHash: string, status: MessageStatus, confirmedHeight?: bigint): Promise<void>;
  setMessageState(messageHash: string, state: MessageState, reason?: string): Promise<void>;

  getGateway(gateway: string): Promise<GatewayRecord | undefined>;
  /** Raises lastProvenHeight (never lowers it). */
  recordGatewayProven(gateway: string, coGateway: string, height: bigint): Promise<void>;

  getAnchor(anchor: string): Promise<AnchorRecord | undefined>;
  /** Raises lastAnchoredHeight (never lowers it). */
  recordAnchoredHeight(anchor: string, chainId: number, height: bigint, stateRoot?: string): Promise<void>;
}
