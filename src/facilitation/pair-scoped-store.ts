import { filter, type Observable } from 'rxjs';
import type { AnchorRecord, FacilitationChange, GatewayRecord, MessageRecord, MessageState, StakeRequestRecord, StakeRequestState } from './model';
import type { StakeEvent } from './stake/events';
import type { StakeTransition } from './stake/transition';
import type { FacilitationStore } from './store-port';

/** The addresses that tell one gateway pair's records from another's in a shared database (lowercase). */
export interface PairAddresses {
  /** The origin gateway: every message of the pair names it, and its stake requests. */
  gateway: string;
  /** The auxiliary cogateway: the pair's redeem requests name it. */
  coGateway: string;
  /** The pair's two anchors (origin's, then the auxiliary chain's). */
  anchors: string[];
}

/**
 * One pair's view of a database several pairs share (`facilitator start --chains`): lists and change
 * notifications keep only the pair's requests, messages, gateways and anchors, so a pair's services
 * never act on another pair's records. Writes and reads by hash pass through (hashes name one record).
 */
export class PairScopedStore implements FacilitationStore {
  readonly changes$: Observable<FacilitationChange>;

  constructor(
    private readonly store: FacilitationStore,
    private readonly pair: PairAddresses,
  ) {
    this.changes$ = store.changes$.pipe(filter((change) => this.owns(change)));
  }

  apply(event: StakeEvent): Promise<StakeTransition> {
    return this.store.apply(event);
  }
  applyAll(events: readonly StakeEvent[]): Promise<StakeTransition[]> {
    return this.store.applyAll(events);
  }
  getStakeRequest(stakeRequestHash: string): Promise<StakeRequestRecord | undefined> {
    return this.store.getStakeRequest(stakeRequestHash);
  }
  async stakeRequestsInState(states: StakeRequestState[]): Promise<StakeRequestRecord[]> {
    return (await this.store.stakeRequestsInState(states)).filter((request) => this.ownsRequest(request));
  }
  messageForStakeRequest(stakeRequestHash: string): Promise<MessageRecord | undefined> {
    return this.store.messageForStakeRequest(stakeRequestHash);
  }
  getMessage(messageHash: string): Promise<MessageRecord | undefined> {
    return this.store.getMessage(messageHash);
  }
  async messagesInState(states: MessageState[]): Promise<MessageRecord[]> {
    return (await this.store.messagesInState(states)).filter((message) => this.ownsMessage(message));
  }
  getGateway(gateway: string): Promise<GatewayRecord | undefined> {
    return this.store.getGateway(gateway);
  }
  recordGatewayProven(gateway: string, coGateway: string, height: bigint): Promise<void> {
    return this.store.recordGatewayProven(gateway, coGateway, height);
  }
  getAnchor(anchor: string): Promise<AnchorRecord | undefined> {
    return this.store.getAnchor(anchor);
  }
  recordAnchoredHeight(anchor: string, chainId: number, height: bigint, stateRoot?: string): Promise<void> {
    return this.store.recordAnchoredHeight(anchor, chainId, height, stateRoot);
  }

  /** A stake request names the origin gateway; a redeem request (same record) the cogateway. */
  private ownsRequest(request: StakeRequestRecord): boolean {
    return request.gateway.toLowerCase() === (request.direction === 'STAKE' ? this.pair.gateway : this.pair.coGateway);
  }

  /** A message of either direction names the pair's origin gateway. */
  private ownsMessage(message: MessageRecord): boolean {
    return message.gateway.toLowerCase() === this.pair.gateway;
  }

  private owns(change: FacilitationChange): boolean {
    switch (change.kind) {
      case 'stake': {
        const { request, message } = change.transition.next;
        if (message) return this.ownsMessage(message);
        return request !== undefined && this.ownsRequest(request);
      }
      case 'gateway': {
        // Both ends: a gateway of one pair may share its address with a contract of another pair's other chain.
        const ends = [change.record.gateway.toLowerCase(), change.record.coGateway.toLowerCase()];
        return ends.every((end) => end === this.pair.gateway || end === this.pair.coGateway);
      }
      case 'anchor':
        return this.pair.anchors.includes(change.record.anchor.toLowerCase());
    }
  }
}
