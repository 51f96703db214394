import { filter, map, type Observable } from 'rxjs';
import type { OutboxRecord } from '../chain/tx-engine/outbox-port';
import type { SqlOutbox } from '../chain/tx-engine/sql-outbox';
import type { HistoryEntry } from '../facilitation/history';
import type { Direction, MessageRecord, StakeRequestRecord } from '../facilitation/model';
import { describeWait, messageWait, requestWait, type Wait } from '../status/waiting-for';
import type { SqlFacilitationStore } from '../facilitation/sql-facilitation-store';
import { endpointsOf } from '../chain/failover-json-rpc';
import type { ChainEndpoints, ChainStatus, EngineCounters, MessageFilter, OldestWaiting, Page, Role, StakeRequestFilter, StateCount, StatusSource, StreamStatus, WorkerStatus } from '../status/status-source';
import type { SqlCursorStore } from '../streams/sql-cursor-store';
import type { Facilitator } from './facilitator';
import { WaitingFactsReader } from './waiting-facts';

/**
 * The status API's view of a running facilitator: its database, engines and subgraph heads. With
 * several pairs (`start --chains`) it sees every pair: their records share the database, each chain
 * (the origin's engine is shared) is listed once, every pair's streams under their own names.
 */
export class FacilitatorStatusSource implements StatusSource {
  readonly messageChanges$: Observable<MessageRecord>;
  private readonly waits: WaitingFactsReader;

  constructor(
    private readonly store: SqlFacilitationStore,
    private readonly outbox: SqlOutbox,
    private readonly cursors: SqlCursorStore,
    /** The running facilitators (one per pair); none while this instance stands by (or is starting). */
    private readonly current: () => readonly Facilitator[],
    /** Active once this instance holds the lease (default: once a facilitator runs). */
    private readonly currentRole: () => Role = () => (current().length > 0 ? 'active' : 'standby'),
  ) {
    this.messageChanges$ = store.changes$.pipe(
      map((change) => (change.kind === 'stake' && change.transition.changed.message ? change.transition.next.message : undefined)),
      filter((message): message is MessageRecord => message !== undefined),
    );
    this.waits = new WaitingFactsReader(store, outbox, current, () => this.currentRole());
  }

  stakeRequest(hash: string) {
    return this.store.getStakeRequest(hash);
  }
  stakeRequests(filterBy: StakeRequestFilter, page: Page) {
    return this.store.listStakeRequests(filterBy, page.first, page.skip);
  }
  async stakeRequestCounts() {
    return this.perPair(await this.store.stakeRequestCounts());
  }
  message(hash: string) {
    return this.store.getMessage(hash);
  }
  messages(filterBy: MessageFilter, page: Page) {
    return this.store.listMessages(filterBy, page.first, page.skip);
  }
  async messageCounts() {
    return this.perPair(await this.store.messageCounts());
  }

  /** Counts by gateway become counts by pair (a pair's gateway and cogateway both name it), added up. */
  private perPair<State extends string>(counts: Array<{ direction: Direction; state: State; gateway: string; count: number }>): Array<StateCount<State>> {
    const pairOf = new Map<string, number>();
    for (const { context } of this.current()) {
      pairOf.set(context.origin.gateway.address, context.auxiliary.chainId);
      pairOf.set(context.auxiliary.coGateway.address, context.auxiliary.chainId);
    }
    const merged = new Map<string, StateCount<State>>();
    for (const { direction, state, gateway, count } of counts) {
      const auxChainId = pairOf.get(gateway);
      const key = `${auxChainId ?? ''}:${direction}:${state}`;
      const entry = merged.get(key) ?? { direction, state, count: 0, ...(auxChainId !== undefined ? { auxChainId } : {}) };
      entry.count += count;
      merged.set(key, entry);
    }
    return [...merged.values()];
  }

  history(hash: string): Promise<HistoryEntry[]> {
    return this.store.history(hash);
  }

  async waitingFor(message: MessageRecord): Promise<string | null> {
    return describeWait(await this.messageWait(message), Date.now());
  }

  async messageWait(message: MessageRecord): Promise<Wait | null> {
    return messageWait(message, await this.waits.messageFacts(message));
  }

  async requestWait(request: StakeRequestRecord): Promise<Wait | null> {
    const message = request.messageHash ? await this.store.getMessage(request.messageHash) : undefined;
    return requestWait(request, message, await this.waits.requestFacts(request, message));
  }

  oldestWaiting(): Promise<OldestWaiting[]> {
    return this.store.oldestWaiting();
  }

  workerGasFloors(): Array<{ chainId: number; minGasBalance: bigint }> {
    const floors = new Map<number, bigint>();
    for (const { context } of this.current()) {
      for (const side of [context.origin, context.auxiliary]) floors.set(side.chainId, context.policy.minWorkerGasBalance);
    }
    return [...floors].map(([chainId, minGasBalance]) => ({ chainId, minGasBalance }));
  }

  transactionsFor(message: MessageRecord): Promise<OutboxRecord[]> {
    return this.waits.steps(message);
  }

  role(): Role {
    return this.currentRole();
  }

  /** Each chain once, with its client and engine (the origin's are the same for every pair). */
  private chainSides() {
    const sides = new Map<number, Facilitator['context']['origin'] | Facilitator['context']['auxiliary']>();
    for (const { context } of this.current()) {
      for (const side of [context.origin, context.auxiliary]) if (!sides.has(side.chainId)) sides.set(side.chainId, side);
    }
    return [...sides.values()];
  }

  async workers(): Promise<WorkerStatus[]> {
    const origin = this.current()[0].context.origin;
    const result: WorkerStatus[] = [];
    for (const side of this.chainSides()) {
      for (const address of side.engine.workers()) {
        const [balance, tokenBalance, nonce, pending] = await Promise.all([
          side.client.getBalance(address).catch(() => 0n),
          side.chainId === origin.chainId ? origin.valueToken.balanceOf(address).catch(() => undefined) : Promise.resolve(undefined),
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
    const perPair = await Promise.all(this.current().map((facilitator) => this.pairStreams(facilitator, saved)));
    return perPair.flat();
  }

  private async pairStreams(facilitator: Facilitator, saved: Map<string, number>): Promise<StreamStatus[]> {
    const heads = await Promise.all([
      facilitator.originSubgraph.head().then((h) => h.number).catch(() => undefined),
      facilitator.auxiliarySubgraph.head().then((h) => h.number).catch(() => undefined),
    ]);
    return facilitator.streamNames().map((name) => {
      const origin = /(^|\/)origin\./.test(name);
      return {
        name,
        cursor: saved.get(name),
        subgraphHead: origin ? heads[0] : heads[1],
        confirmations: facilitator.streamConfirmations(origin ? 'origin' : 'auxiliary'),
      };
    });
  }

  /** Each chain's engine once. */
  private chainEngines() {
    const engines = new Map<number, Facilitator['engines']['origin']>();
    for (const { engines: pair } of this.current()) {
      for (const engine of [pair.origin, pair.auxiliary]) if (!engines.has(engine.chainId)) engines.set(engine.chainId, engine);
    }
    return [...engines.values()];
  }

  engineCounters(): EngineCounters[] {
    return this.chainEngines().map((engine) => ({
      chainId: engine.chainId,
      ...engine.metrics,
      maxFeePerGas: engine.feeCap,
      feeCapWait: engine.feeCapWait(),
    }));
  }

  rpcEndpoints(): ChainEndpoints[] {
    return this.chainSides().flatMap((side) => {
      const view = endpointsOf(side.client.rpc);
      return view ? [{ chainId: side.chainId, endpoints: view.endpoints(), switches: view.switches() }] : [];
    });
  }

  async chains(): Promise<ChainStatus[]> {
    const types = await Promise.all(this.chainEngines().map((engine) => engine.txType()));
    const endpoints = new Map(this.rpcEndpoints().map((chain) => [chain.chainId, chain]));
    return this.engineCounters().map((counters, i) => {
      const rpc = endpoints.get(counters.chainId);
      const rpcFailovers = (rpc?.switches ?? []).reduce((sum, entry) => sum + entry.count, 0);
      return { ...counters, txType: types[i], rpcEndpoints: rpc?.endpoints ?? [], rpcFailovers };
    });
  }
}
