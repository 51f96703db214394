import { Subject } from 'rxjs';
import type { AnchorRecord, FacilitationChange, GatewayRecord, MessageRecord, MessageState, StakeRequestRecord, StakeRequestState } from '../../src/facilitation/model';
import { stakeEventKey, type StakeEvent } from '../../src/facilitation/stake/events';
import { stakeTransition, type StakeFacilitation, type StakeTransition } from '../../src/facilitation/stake/transition';
import type { FacilitationStore } from '../../src/facilitation/store-port';

/**
 * The FacilitationStore port in memory, for unit tests of services and the engine without a database.
 * It applies events through the same transition as the SQL store, so the rules are the real ones; the
 * store contract suite (test/facilitation/facilitation-store-contract.ts) runs against both.
 */
export class MemoryFacilitationStore implements FacilitationStore {
  private readonly changes = new Subject<FacilitationChange>();
  readonly changes$ = this.changes.asObservable();
  private readonly facilitations = new Map<string, StakeFacilitation>();
  private readonly requestOfMessage = new Map<string, string>();
  private readonly gateways = new Map<string, GatewayRecord>();
  private readonly anchors = new Map<string, AnchorRecord>();
  /** Every event applied, in order (tests read what services and handlers produced). */
  readonly events: StakeEvent[] = [];
  /** The size of each applyAll() batch, in order (what the SQL store writes in one commit). */
  readonly batches: number[] = [];
  /** Set to make the next apply() throw (a failing database write). */
  failNextApply: Error | undefined;

  async apply(event: StakeEvent): Promise<StakeTransition> {
    if (this.failNextApply) {
      const error = this.failNextApply;
      this.failNextApply = undefined;
      throw error;
    }
    this.events.push(event);
    const key = stakeEventKey(event);
    const stakeRequestHash = 'stakeRequestHash' in key ? key.stakeRequestHash : this.requestOfMessage.get(key.messageHash);
    const state = (stakeRequestHash && this.facilitations.get(stakeRequestHash)) || {};
    const transition = stakeTransition(clone(state), event);
    const { next, changed } = transition;
    if (stakeRequestHash && (changed.request || changed.message || changed.closure)) {
      this.facilitations.set(stakeRequestHash, clone(next));
      if (next.message) this.requestOfMessage.set(next.message.messageHash, stakeRequestHash);
    }
    await Promise.resolve(); // notified after the "commit", as the SQL store does
    if (changed.request || changed.message) this.changes.next({ kind: 'stake', transition });
    return transition;
  }

  async applyAll(events: readonly StakeEvent[]): Promise<StakeTransition[]> {
    this.batches.push(events.length);
    const transitions: StakeTransition[] = [];
    for (const event of events) transitions.push(await this.apply(event));
    return transitions;
  }

  async getStakeRequest(stakeRequestHash: string): Promise<StakeRequestRecord | undefined> {
    return copy(this.facilitations.get(stakeRequestHash)?.request);
  }
  async stakeRequestsInState(states: StakeRequestState[]): Promise<StakeRequestRecord[]> {
    return this.all()
      .flatMap((f) => (f.request && states.includes(f.request.state) ? [copy(f.request)!] : []))
      .sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.stakeRequestHash.localeCompare(b.stakeRequestHash));
  }
  async messageForStakeRequest(stakeRequestHash: string): Promise<MessageRecord | undefined> {
    return copy(this.facilitations.get(stakeRequestHash)?.message);
  }
  async getMessage(messageHash: string): Promise<MessageRecord | undefined> {
    const stakeRequestHash = this.requestOfMessage.get(messageHash);
    return stakeRequestHash ? copy(this.facilitations.get(stakeRequestHash)?.message) : undefined;
  }
  async messagesInState(states: MessageState[]): Promise<MessageRecord[]> {
    return this.all().flatMap((f) => (f.message && states.includes(f.message.state) ? [copy(f.message)!] : []));
  }

  async getGateway(gateway: string): Promise<GatewayRecord | undefined> {
    return copy(this.gateways.get(gateway));
  }
  async recordGatewayProven(gateway: string, coGateway: string, height: bigint): Promise<void> {
    const current = this.gateways.get(gateway);
    if (current && current.lastProvenHeight >= height) return;
    const record = { gateway, coGateway, lastProvenHeight: height };
    this.gateways.set(gateway, record);
    this.changes.next({ kind: 'gateway', record: { ...record } });
  }
  async getAnchor(anchor: string): Promise<AnchorRecord | undefined> {
    return copy(this.anchors.get(anchor));
  }
  async recordAnchoredHeight(anchor: string, chainId: number, height: bigint, stateRoot?: string): Promise<void> {
    const current = this.anchors.get(anchor);
    if (current && current.lastAnchoredHeight >= height) return;
    const record = { anchor, chainId, lastAnchoredHeight: height, stateRoot };
    this.anchors.set(anchor, record);
    this.changes.next({ kind: 'anchor', record: { ...record } });
  }

  private all(): StakeFacilitation[] {
    return [...this.facilitations.values()];
  }
}

function copy<T extends object>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : { ...value };
}

function clone(state: StakeFacilitation): StakeFacilitation {
  return { request: copy(state.request), message: copy(state.message), closure: state.closure };
}
