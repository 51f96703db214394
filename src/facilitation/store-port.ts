import type { Observable } from 'rxjs';
import type { AnchorRecord, FacilitationChange, GatewayRecord, MessageRecord, MessageState, StakeRequestRecord, StakeRequestState } from './model';
import type { StakeEvent } from './stake/events';
import type { StakeTransition } from './stake/transition';

/**
 * What the facilitation layer needs from the database. It persists and notifies only: every change of a
 * stake facilitation is an event applied by `stakeTransition` (src/facilitation/stake/transition.ts) to
 * the facilitation read in the same database transaction; `changes$` emits only after the commit.
 */
export interface FacilitationStore {
  readonly changes$: Observable<FacilitationChange>;

  /** Applies one event to the facilitation it is about (unknown ones: see the transition) and returns the transition. */
  apply(event: StakeEvent): Promise<StakeTransition>;
  /**
   * Applies events one after the other as `apply` does, in one database commit where the store can (a
   * stream batch of entities: one commit instead of one each, the connection taken once); each change is
   * notified after that commit. The transitions, in the events' order.
   */
  applyAll(events: readonly StakeEvent[]): Promise<StakeTransition[]>;

  getStakeRequest(stakeRequestHash: string): Promise<StakeRequestRecord | undefined>;
  stakeRequestsInState(states: StakeRequestState[]): Promise<StakeRequestRecord[]>;
  messageForStakeRequest(stakeRequestHash: string): Promise<MessageRecord | undefined>;
  getMessage(messageHash: string): Promise<MessageRecord | undefined>;
  messagesInState(states: MessageState[]): Promise<MessageRecord[]>;

  getGateway(gateway: string): Promise<GatewayRecord | undefined>;
  /** Raises lastProvenHeight (never lowers it). */
  recordGatewayProven(gateway: string, coGateway: string, height: bigint): Promise<void>;

  getAnchor(anchor: string): Promise<AnchorRecord | undefined>;
  /** Raises lastAnchoredHeight (never lowers it). */
  recordAnchoredHeight(anchor: string, chainId: number, height: bigint, stateRoot?: string): Promise<void>;
}
