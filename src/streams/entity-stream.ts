import { concatMap, defer, from, Observable, retry, throwError, timer, type Subscription } from 'rxjs';
import { backoffDelay } from '../errors/backoff';
import { isRetryable, messageOf } from '../errors/cause-chain';
import { stoppedUnits, type StoppedUnits } from '../errors/stopped-units';
import type { Logger } from '../logging/logger';
import { entityDocuments, type StreamedEntityType } from './documents';
import type { SubgraphClient, SubgraphHead } from './subgraph-client';

/** An entity as the subgraph returns it (graph-node JSON: BigInt as decimal strings, Bytes as 0x-hex). */
export interface StreamedEntity {
  id: string;
  blockNumber: string;
  logIndex: string;
  [field: string]: unknown;
}

/** Entities of one type that became visible, in (blockNumber, logIndex) order, and the block they are complete up to. */
export interface EntityBatch {
  stream: string;
  entityType: StreamedEntityType;
  entities: StreamedEntity[];
  /** Every entity of this type in blocks ≤ throughBlock has been delivered once this batch is handled. */
  throughBlock: number;
}

/** Where a stream's progress is kept; the engine persists it in the database. */
export interface StreamCursorStore {
  load(stream: string): Promise<number | undefined>;
  save(stream: string, throughBlock: number): Promise<void>;
}

export type StreamTransport = 'subscription' | 'polling';

export interface EntityStreamOptions {
  /** Unique stream name, e.g. `origin.StakeRequested` (the cursor's key). */
  name: string;
  entityType: StreamedEntityType;
  client: SubgraphClient;
  transport: StreamTransport;
  cursors: StreamCursorStore;
  /** First block of interest (the data source's start block). */
  startBlock: number;
  /** Act only on entities this many blocks below the subgraph head (reorg safety). */
  confirmations?: number;
  pollIntervalMs?: number;
  /** Subscription transport: with no push for this long, check for missed entities and reconnect if any. */
  silenceMs?: number;
  /**
   * Reads reach this many blocks below the cursor (polling: every poll; subscription: the subscription's
   * start), within the blocks this stream session delivered, so that entities a reorg put at heights
   * already passed are still delivered. Within a session entities are recognised by id, so none twice.
   */
  reorgWindowBlocks?: number;
  pageSize?: number;
  logger: Logger;
  /** Where a stream stopped by a deterministic error is recorded (default: the process's). */
  stoppedUnits?: StoppedUnits;
}

const PAGE_SIZE = 1000;
const REORG_WINDOW_BLOCKS = 32;
/** Without confirmations to release, a subscription looks at the head at most this often: pushes carry the entities. */
const QUIET_CHECK_MS = 1_000;
/** Restarts after a transient failure: 500 ms doubling up to 15 s, with jitter. */
const RESTART_BACKOFF = { initialMs: 500, maxMs: 15_000 };

function byBlockThenLog(a: StreamedEntity, b: StreamedEntity): number {
  const blocks = Number(a.blockNumber) - Number(b.blockNumber);
  return blocks !== 0 ? blocks : Number(a.logIndex) - Number(b.logIndex);
}

/** Every entity changed in [fromBlock, atBlock], paging by id at a pinned block. */
async function fetchRange(
  options: EntityStreamOptions,
  fromBlock: number,
  atBlock: number,
): Promise<StreamedEntity[]> {
  const documents = entityDocuments(options.entityType);
  const first = options.pageSize ?? PAGE_SIZE;
  const all: StreamedEntity[] = [];
  let afterId = '';
  for (;;) {
    const page = await options.client.query<{ entities: StreamedEntity[] }>(documents.page, {
      fromBlock,
      atBlock,
      afterId,
      first,
    });
    all.push(...page.entities);
    if (page.entities.length < first) break;
    afterId = page.entities[page.entities.length - 1].id;
  }
  return all.sort(byBlockThenLog);
}

async function startingCursor(options: EntityStreamOptions): Promise<number> {
  const saved = await options.cursors.load(options.name);
  return saved ?? options.startBlock - 1;
}

/**
 * Polling transport (graph-node ≥ 0.38 has no subscriptions): poll `_meta`; when the head passes the
 * cursor (or the head block changed at the same height: a reorg), page the entities changed since,
 * pinned at the head, and emit the ones not yet delivered as one batch. The pages start a reorg window
 * below the cursor: a reorg may put new entities at heights this stream already passed. Entities are
 * recognised by id within the session; blocks an earlier session delivered are not read again.
 */
function pollingBatches(options: EntityStreamOptions): Observable<EntityBatch> {
  return new Observable<EntityBatch>((subscriber) => {
    let stopped = false;
    const run = async () => {
      let cursor = await startingCursor(options);
      const sessionStart = cursor;
      const window = options.reorgWindowBlocks ?? REORG_WINDOW_BLOCKS;
      const delivered = new Map<string, number>(); // id → block, for the blocks of the window
      let lastHead: SubgraphHead | undefined;
      while (!stopped) {
        const head = await options.client.head();
        const safeHead = head.number - (options.confirmations ?? 0);
        const reorged = lastHead !== undefined && head.number === lastHead.number && head.hash !== lastHead.hash;
        if (safeHead > cursor || (reorged && safeHead >= cursor)) {
          const from = Math.max(sessionStart + 1, cursor + 1 - window);
          const entities = (await fetchRange(options, from, safeHead)).filter((e) => !delivered.has(e.id));
          if (stopped) return;
          for (const [id, block] of delivered) if (block < from) delivered.delete(id);
          for (const entity of entities) delivered.set(entity.id, Number(entity.blockNumber));
          cursor = Math.max(cursor, safeHead);
          subscriber.next({ stream: options.name, entityType: options.entityType, entities, throughBlock: cursor });
        }
        lastHead = head;
        await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 1000));
      }
    };
    run().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
    };
  });
}

/** Pages every entity from the cursor to the subgraph head (less confirmations) as one batch; the head and the new cursor. */
async function catchUp(
  options: EntityStreamOptions,
  cursor: number,
  seen: Set<string>,
  emit: (batch: EntityBatch) => void,
): Promise<{ head: SubgraphHead; cursor: number }> {
  const head = await options.client.head();
  const safeHead = head.number - (options.confirmations ?? 0);
  if (safeHead <= cursor) return { head, cursor };
  const entities = await fetchRange(options, cursor + 1, safeHead);
  for (const entity of entities) seen.add(entity.id);
  emit({ stream: options.name, entityType: options.entityType, entities, throughBlock: safeHead });
  return { head, cursor: safeHead };
}

/** How often a subscription's watchdog looks at the head: every poll while entities wait for confirmations, else at most once a second. */
function watchdogTickMs(options: EntityStreamOptions): number {
  const pollMs = options.pollIntervalMs ?? 1000;
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

/**
 * Subscription transport: catch up by paging to the current head, then subscribe to entities changed
 * since; each push (the whole current result since the subscription's start) is filtered to entities
 * not yet delivered, by id, whatever their block: after a reorg the indexer pushes the entities of the
 * new branch, possibly at heights already passed. Entities waiting for confirmations are taken from the
 * latest push only, so one that a reorg removed is never released. A full push (page limit reached) or
 * a silent subscription that missed entities restarts the whole thing from the last delivered block.
 */
function subscriptionBatches(options: EntityStreamOptions): Observable<EntityBatch> {
  return new Observable<EntityBatch>((subscriber) => {
    let stopped = false;
    let live: Subscription | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    const first = options.pageSize ?? PAGE_SIZE;
    const confirmations = options.confirmations ?? 0;

    const fail = (error: unknown) => {
      if (!stopped) subscriber.error(error);
    };

    const run = async () => {
      const sessionStart = await startingCursor(options);
      const seen = new Set<string>();
      const { head, cursor: caughtUp } = await catchUp(options, sessionStart, seen, (batch) => subscriber.next(batch));
      let cursor = caughtUp;
      if (stopped) return;

      let pending: StreamedEntity[] = [];
      let lastPushAt = Date.now();
      let knownHead = head.number;

      const release = () => {
        const ready = pending.filter((e) => Number(e.blockNumber) <= knownHead - confirmations);
        if (ready.length === 0) return;
        pending = pending.filter((e) => Number(e.blockNumber) > knownHead - confirmations);
        for (const entity of ready) seen.add(entity.id);
        ready.sort(byBlockThenLog);
        const through = Math.max(cursor, Number(ready[ready.length - 1].blockNumber));
        cursor = through;
        subscriber.next({ stream: options.name, entityType: options.entityType, entities: ready, throughBlock: through });
      };

      const documents = entityDocuments(options.entityType);
      // Pushes cover a reorg window below the cursor too (blocks of this session: their ids are in `seen`).
      const windowStart = () => Math.max(sessionStart + 1, cursor + 1 - (options.reorgWindowBlocks ?? REORG_WINDOW_BLOCKS));
      let fromBlock = windowStart();
      const listen = () => {
        live = options.client.subscribe<{ entities: StreamedEntity[] }>(documents.live, { fromBlock, first }).subscribe({
          next: (data) => {
            lastPushAt = Date.now();
            if (data.entities.length >= first) {
              fail(new Error(`${options.name}: subscription result reached ${first} entities; restarting with a catch-up`));
              return;
            }
            pending = data.entities.filter((entity) => !seen.has(entity.id));
            for (const entity of pending) knownHead = Math.max(knownHead, Number(entity.blockNumber));
            if (confirmations === 0) release();
            // Every push is the whole result since fromBlock, queried, sent and parsed again: once it is
            // mostly entities already delivered, subscribe again from the window below the cursor.
            if (data.entities.length >= Math.max(1, Math.floor(first / 10)) && windowStart() > fromBlock) {
              live?.unsubscribe();
              fromBlock = windowStart();
              listen();
            }
          },
          error: fail,
          complete: () => fail(new Error(`${options.name}: subscription closed by the server`)),
        });
      };
      listen();

      const [silenceMs, tickMs] = [options.silenceMs ?? 30_000, watchdogTickMs(options)];
      // A quiet type gets no push: each tick without one checks that nothing up to the safe head is undelivered
      // and moves the cursor there, as a poll would (lag counts from it). Missing ones past silenceMs: reconnect.
      const checkQuiet = async (safeHead: number) => {
        if (safeHead <= cursor || Date.now() - lastPushAt < tickMs) return;
        const missed = (await fetchRange(options, cursor + 1, safeHead)).filter((e) => !seen.has(e.id));
        if (missed.length === 0 && safeHead > cursor) {
          cursor = safeHead;
          subscriber.next({ stream: options.name, entityType: options.entityType, entities: [], throughBlock: cursor });
        } else if (missed.length > 0 && Date.now() - lastPushAt >= silenceMs) {
          fail(new Error(`${options.name}: subscription silent while ${missed.length} new entities exist; reconnecting`));
        }
      };
      watchdog = everyTick(tickMs, fail, async () => {
        const now = await options.client.head();
        knownHead = now.number;
        release();
        await checkQuiet(now.number - confirmations);
      });
    };

    run().catch(fail);
    return () => {
      stopped = true;
      live?.unsubscribe();
      if (watchdog) clearInterval(watchdog);
    };
  });
}

/** The stream of batches for one entity type, from the saved cursor on, over the chosen transport. */
export function entityBatches(options: EntityStreamOptions): Observable<EntityBatch> {
  return defer(() => (options.transport === 'subscription' ? subscriptionBatches(options) : pollingBatches(options)));
}

/**
 * Runs a stream: each batch goes to `handle` (which commits its effects), and only then is the cursor
 * saved. A transient failure restarts the stream from the saved cursor after a backoff (handlers are
 * idempotent, so a batch seen twice does no harm). A deterministic one (non-retryable) would fail the
 * same batch for ever: the stream stops, the reason recorded (logged once, reported as a metric).
 */
export function runEntityStream(
  options: EntityStreamOptions,
  handle: (batch: EntityBatch) => Promise<void>,
): Subscription {
  let attempt = 0;
  const units = options.stoppedUnits ?? stoppedUnits;
  units.clear('stream', options.name);
  return entityBatches(options)
    .pipe(
      concatMap((batch) =>
        from(
          (async () => {
            if (batch.entities.length > 0) {
              options.logger.info(
                { stream: options.name, entities: batch.entities.length, throughBlock: batch.throughBlock },
                'stream batch',
              );
            }
            await handle(batch);
            await options.cursors.save(options.name, batch.throughBlock);
            attempt = 0;
          })(),
        ),
      ),
      retry({
        delay: (error: unknown) => {
          if (!isRetryable(error)) return throwError(() => error);
          attempt += 1;
          const delayMs = backoffDelay(attempt, RESTART_BACKOFF);
          options.logger.warn({ stream: options.name, attempt, delayMs, err: messageOf(error) }, 'stream restarting');
          return timer(delayMs);
        },
      }),
    )
    .subscribe({
      error: (error: unknown) => {
        const unit = units.record('stream', options.name, error);
        options.logger.error({ stream: options.name, errorName: unit.errorName, err: unit.reason, details: unit.details }, 'stream stopped: the failure is deterministic');
      },
    });
}
