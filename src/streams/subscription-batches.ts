import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { entityDocuments } from './documents';
import type { EntityBatch, EntityStreamOptions, StreamedEntity } from './entity-stream';
import { pollingBatches, type PollingState } from './polling-batches';
import { byBlockThenLog, fetchRange, pageSizeOf, readHead, REORG_WINDOW_BLOCKS, startingCursor } from './stream-reads';
import { BlockNotYetIndexedError, SubscriptionsUnavailableError } from './subgraph-errors';
import { DEFAULTS } from '../facilitator/defaults';

/** Pages every entity from the cursor to the subgraph head (less confirmations) as one batch; the head and the new cursor. */
async function catchUp(
  options: EntityStreamOptions,
  cursor: number,
  seen: Map<string, number>,
  emit: (batch: EntityBatch) => void,
): Promise<{ head: number; cursor: number }> {
  const head = await readHead(options);
  const safeHead = (head?.number ?? cursor) - (options.confirmations ?? 0);
  if (head === undefined || safeHead <= cursor) return { head: head?.number ?? cursor, cursor };
  const entities = await fetchRange(options, cursor + 1, safeHead);
  for (const entity of entities) seen.set(entity.id, Number(entity.blockNumber));
  emit({ stream: options.name, entityType: options.entityType, entities, throughBlock: safeHead });
  return { head: head.number, cursor: safeHead };
}

/** Says once per endpoint that its server has no subscriptions; every stream of it polls from here on. */
function noteFallback(options: EntityStreamOptions, error: SubscriptionsUnavailableError): void {
  if (!options.client.markSubscriptionsUnavailable(error.reason)) return;
  options.logger.warn(
    { subgraph: options.client.endpoint.name, reason: error.reason },
    'subgraph serves no GraphQL subscriptions (graph-node ≥ 0.38 has none): its streams poll instead',
  );
}

/** Without confirmations to release, a subscription looks at the head at most this often: pushes carry the entities. */
const QUIET_CHECK_MS = 1_000;

/** How often a subscription's watchdog looks at the head: every poll while entities wait for confirmations, else at most once a second. */
function watchdogTickMs(options: EntityStreamOptions): number {
  const pollMs = options.pollIntervalMs ?? DEFAULTS.chain.pollIntervalMs;
  return Math.min((options.confirmations ?? 0) > 0 ? pollMs : Math.max(pollMs, QUIET_CHECK_MS), options.silenceMs ?? 30_000);
}

/** Runs `tick` every `everyMs`, never two at once; a failure goes to `fail`. */
function everyTick(everyMs: number, fail: (error: unknown) => void, tick: () => Promise<void>): NodeJS.Timeout {
  let ticking = false;
  return setInterval(() => {
    if (ticking) return;
    ticking = true;
    tick()
      .catch(fail)
      .finally(() => (ticking = false));
  }, everyMs);
}

/** One subscription session after its catch-up: pushes filtered to the entities not yet delivered, released once confirmed. */
class LiveSession {
  private pending: StreamedEntity[] = [];
  private lastPushAt = Date.now();
  private fromBlock: number;
  private live: Subscription | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly first: number;
  private readonly confirmations: number;

  constructor(
    private readonly options: EntityStreamOptions,
    private readonly subscriber: Subscriber<EntityBatch>,
    private readonly state: PollingState,
    private knownHead: number,
    private readonly fail: (error: unknown) => void,
  ) {
    this.first = pageSizeOf(options);
    this.confirmations = options.confirmations ?? 0;
    this.fromBlock = this.windowStart();
  }

  /** Pushes cover a reorg window below the cursor too (blocks of this session: their ids are in `delivered`). */
  private windowStart(): number {
    return Math.max(this.state.sessionStart + 1, this.state.cursor + 1 - (this.options.reorgWindowBlocks ?? REORG_WINDOW_BLOCKS));
  }

  private release(): void {
    const ready = this.pending.filter((e) => Number(e.blockNumber) <= this.knownHead - this.confirmations);
    if (ready.length === 0) return;
    this.pending = this.pending.filter((e) => Number(e.blockNumber) > this.knownHead - this.confirmations);
    for (const entity of ready) this.state.delivered.set(entity.id, Number(entity.blockNumber));
    ready.sort(byBlockThenLog);
    this.state.cursor = Math.max(this.state.cursor, Number(ready[ready.length - 1].blockNumber));
    this.subscriber.next({ stream: this.options.name, entityType: this.options.entityType, entities: ready, throughBlock: this.state.cursor });
  }

  private onPush(entities: StreamedEntity[]): void {
    this.lastPushAt = Date.now();
    if (entities.length >= this.first) {
      this.fail(new Error(`${this.options.name}: subscription result reached ${this.first} entities; restarting with a catch-up`));
      return;
    }
    this.pending = entities.filter((entity) => !this.state.delivered.has(entity.id));
    for (const entity of this.pending) this.knownHead = Math.max(this.knownHead, Number(entity.blockNumber));
    if (this.confirmations === 0) this.release();
    // Every push is the whole result since fromBlock, queried, sent and parsed again: once it is
    // mostly entities already delivered, subscribe again from the window below the cursor.
    if (entities.length >= Math.max(1, Math.floor(this.first / 10)) && this.windowStart() > this.fromBlock) {
      this.live?.unsubscribe();
      this.fromBlock = this.windowStart();
      this.listen();
    }
  }

  listen(): void {
    const documents = entityDocuments(this.options.entityType);
    this.live = this.options.client
      .subscribe<{ entities: StreamedEntity[] }>(documents.live, { fromBlock: this.fromBlock, first: this.first })
      .subscribe({
        next: (data) => this.onPush(data.entities),
        error: (error: unknown) => (error instanceof SubscriptionsUnavailableError ? this.fallBack(error) : this.fail(error)),
        complete: () => this.fail(new Error(`${this.options.name}: subscription closed by the server`)),
      });
    this.watchdog ??= everyTick(watchdogTickMs(this.options), this.fail, () => this.tick());
  }

  /**
   * Releases confirmed entities. A quiet type gets no push: a tick without one checks that nothing up to
   * the safe head is undelivered and moves the cursor there, as a poll would (lag counts from it);
   * entities missing after silenceMs without a push: reconnect.
   */
  private async tick(): Promise<void> {
    const now = await readHead(this.options);
    if (now === undefined) return;
    this.knownHead = now.number;
    this.release();
    const safeHead = now.number - this.confirmations;
    if (safeHead <= this.state.cursor || Date.now() - this.lastPushAt < watchdogTickMs(this.options)) return;
    let missed: StreamedEntity[];
    try {
      missed = (await fetchRange(this.options, this.state.cursor + 1, safeHead)).filter((e) => !this.state.delivered.has(e.id));
    } catch (error) {
      if (error instanceof BlockNotYetIndexedError) return;
      throw error;
    }
    if (missed.length === 0) {
      this.state.cursor = safeHead;
      this.subscriber.next({ stream: this.options.name, entityType: this.options.entityType, entities: [], throughBlock: safeHead });
    } else if (Date.now() - this.lastPushAt >= (this.options.silenceMs ?? 30_000)) {
      this.fail(new Error(`${this.options.name}: subscription silent while ${missed.length} new entities exist; reconnecting`));
    }
  }

  /** The server has no subscriptions: poll from where this session stands, with what it delivered (no restart, nothing twice). */
  private fallBack(error: SubscriptionsUnavailableError): void {
    this.stop();
    noteFallback(this.options, error);
    this.live = pollingBatches(this.options, this.state).subscribe({
      next: (batch) => this.subscriber.next(batch),
      error: this.fail,
    });
  }

  stop(): void {
    this.live?.unsubscribe();
    if (this.watchdog) clearInterval(this.watchdog);
  }
}

/**
 * Subscription transport: catch up by paging to the current head, then subscribe to entities changed
 * since; each push (the whole current result since the subscription's start) is filtered to entities
 * not yet delivered, by id, whatever their block: after a reorg the indexer pushes the entities of the
 * new branch, possibly at heights already passed. Entities waiting for confirmations are taken from the
 * latest push only, so one that a reorg removed is never released. A full push (page limit reached) or
 * a silent subscription that missed entities restarts the whole thing from the last delivered block.
 * A server without subscriptions (graph-node ≥ 0.38) is polled instead, from where the session stands.
 */
export function subscriptionBatches(options: EntityStreamOptions): Observable<EntityBatch> {
  return new Observable<EntityBatch>((subscriber) => {
    let stopped = false;
    let session: LiveSession | undefined;
    const fail = (error: unknown) => {
      if (!stopped) subscriber.error(error);
    };
    const run = async () => {
      const sessionStart = await startingCursor(options);
      const delivered = new Map<string, number>();
      const caughtUp = await catchUp(options, sessionStart, delivered, (batch) => subscriber.next(batch));
      if (stopped) return;
      session = new LiveSession(options, subscriber, { cursor: caughtUp.cursor, sessionStart, delivered }, caughtUp.head, fail);
      session.listen();
    };
    run().catch(fail);
    return () => {
      stopped = true;
      session?.stop();
    };
  });
}
