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

  /**
   * Inserts a newly observed request; an existing one is left as it is, except an ORPHANED one that
   * reappears on the chain: it is REQUESTED again (new block and transaction), and its abandoned message
   * goes back to ACCEPTING with the same secret. Returns the stored record.
   */
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
  /**
   * A reorg took the request or our acceptance off the chain and the request is not pending in the
   * composer: the request moves to `state` (ORPHANED: reorganised away itself; TAKEN: accepted by
   * someone else or revoked on the new branch) with `reason`, from any state but REVOKED, REJECTED and
   * IGNORED; its message, unless confirmed on the auxiliary chain or being confirmed, becomes ABANDONED
   * with the reason, its outbox status and declaration height cleared (the secret is kept).
   */
  recordLostRequest(stakeRequestHash: string, state: 'ORPHANED' | 'TAKEN', reason: string): Promise<void>;
  /**
   * A reorg took our acceptance off the chain while the request is still pending in the composer: the
   * message (unless confirmed on the auxiliary chain or being confirmed) goes back to ACCEPTING with the
   * reason, outbox status and declaration height cleared, and the request to ACCEPTING, so the accept is
   * sent again with the same hash lock.
   */
  reopenAcceptance(stakeRequestHash: string, reason: string): Promise<void>;
  messageForStakeRequest(stakeRequestHash: string): Promise<MessageRecord | undefined>;
  getMessage(messageHash: string): Promise<MessageRecord | undefined>;
  messagesInState(states: MessageState[]): Promise<MessageRecord[]>;
  /** Raises the outbox (source) status; records the declaration height when given. */
  updateSourceStatus(messageHash: string, status: MessageStatus, declarationHeight?: bigint): Promise<void>;
  /** Raises the inbox (target) status; records the proven height used when given. */
  updateTargetStatus(messageHash: string, status: MessageStatus, confirmedHeight?: bigint): Promise<void>;
  setMessageState(messageHash: string, state: MessageState, reason?: string): Promise<void>;
  /** The declaration is on the chain at another height than recorded (mined again after a reorg). */
  moveDeclaration(messageHash: string, declarationHeight: bigint): Promise<void>;

  getGateway(gateway: string): Promise<GatewayRecord | undefined>;
  /** Raises lastProvenHeight (never lowers it). */
  recordGatewayProven(gateway: string, coGateway: string, height: bigint): Promise<void>;

  getAnchor(anchor: string): Promise<AnchorRecord | undefined>;
  /** Raises lastAnchoredHeight (never lowers it). */
  recordAnchoredHeight(anchor: string, chainId: number, height: bigint, stateRoot?: string): Promise<void>;
}
