import { filter, map, type Observable } from 'rxjs';
import type { OutboxRecord } from '../chain/tx-engine/outbox-port';
import type { SqlOutbox } from '../chain/tx-engine/sql-outbox';
import type { MessageRecord } from '../facilitation/model';
import type { SqlFacilitationStore } from '../facilitation/sql-facilitation-store';
import type { ChainStatus, EngineCounters, MessageFilter, Page, Role, StakeRequestFilter, StatusSource, StreamStatus, WorkerStatus } from '../status/status-source';
import type { SqlCursorStore } from '../streams/sql-cursor-store';
import type { Facilitator } from './facilitator';

/** The status API's view of a running facilitator: its database, engines and subgraph heads. */
export class FacilitatorStatusSource implements StatusSource {
  readonly messageChanges$: Observable<MessageRecord>;

  constructor(
    private readonly store: SqlFacilitationStore,
    private readonly outbox: SqlOutbox,
    private readonly cursors: SqlCursorStore,
    /** The running facilitator; undefined while this instance stands by (or is still starting). */
    private readonly current: () => Facilitator | undefined,
    /** Active once this instance holds the lease (default: once its facilitator runs). */
    private readonly currentRole: () => Role = () => (current() ? 'active' : 'standby'),
  ) {
    this.messageChanges$ = store.changes$.pipe(
      map((change) => (change.kind === 'stake' && change.transition.changed.message ? change.transition.next.message : undefined)),
      filter((message): message is MessageRecord => message !== undefined),
    );
  }

  stakeRequest(hash: string) {
    return this.store.getStakeRequest(hash);
  }
  stakeRequests(filterBy: StakeRequestFilter, page: Page) {
    return this.store.listStakeRequests(filterBy, page.first, page.skip);
  }
  stakeRequestCounts() {
    return this.store.stakeRequestCounts();
  }
  message(hash: string) {
    return this.store.getMessage(hash);
  }
  messages(filterBy: MessageFilter, page: Page) {
    return this.store.listMessages(filterBy, page.first, page.skip);
  }
  messageCounts() {
    return this.store.messageCounts();
  }

  transactionsFor(message: MessageRecord): Promise<OutboxRecord[]> {
    return this.outbox.list({ subjectLike: [message.messageHash, `${message.messageHash}@%`, message.stakeRequestHash, `${message.stakeRequestHash}#%`] });
  }

  role(): Role {
    return this.currentRole();
  }

  async workers(): Promise<WorkerStatus[]> {
    const facilitator = this.current();
    if (!facilitator) return [];
    const { origin, auxiliary } = facilitator.context;
    const result: WorkerStatus[] = [];
    for (const side of [origin, auxiliary]) {
      for (const address of side.engine.workers()) {
        const [balance, tokenBalance, nonce, pending] = await Promise.all([
          side.client.getBalance(address).catch(() => 0n),
          side === origin ? origin.valueToken.balanceOf(address).catch(() => undefined) : Promise.resolve(undefined),
          this.outbox.storedNonce(side.chainId, address),
          this.outbox.list({ chainId: side.chainId, worker: address, status: ['queued', 'sent'] }),
        ]);
        result.push({ chainId: side.chainId, address, balance, tokenBalance, nonce, pendingTransactions: pending });
      }
    }
    return result;
  }

  async streams(): Promise<StreamStatus[]> {
    const facilitator = this.current();
    if (!facilitator) return [];
    const saved = new Map((await this.cursors.all()).map((c) => [c.stream, c.throughBlock]));
    const heads = await Promise.all([
      facilitator.originSubgraph.head().then((h) => h.number).catch(() => undefined),
      facilitator.auxiliarySubgraph.head().then((h) => h.number).catch(() => undefined),
    ]);
    return facilitator.streamNames().map((name) => ({
      name,
      cursor: saved.get(name),
      subgraphHead: name.startsWith('origin.') ? heads[0] : heads[1],
    }));
  }

  engineCounters(): EngineCounters[] {
    const facilitator = this.current();
    if (!facilitator) return [];
    const { origin, auxiliary } = facilitator.engines;
    return [origin, auxiliary].map((engine) => ({
      chainId: engine.chainId,
      ...engine.metrics,
      maxFeePerGas: engine.feeCap,
      feeCapWait: engine.feeCapWait(),
    }));
  }

  async chains(): Promise<ChainStatus[]> {
    const facilitator = this.current();
    if (!facilitator) return [];
    const { origin, auxiliary } = facilitator.engines;
    const types = await Promise.all([origin.txType(), auxiliary.txType()]);
    return this.engineCounters().map((counters, i) => ({ ...counters, txType: types[i] }));
  }
}
