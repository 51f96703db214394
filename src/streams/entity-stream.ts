import { concatMap, defer, from, retry, throwError, timer, type Observable, type Subscription } from 'rxjs';
import { backoffDelay } from '../errors/backoff';
import { isRetryable, messageOf } from '../errors/cause-chain';
import { stoppedUnits, type StoppedUnits } from '../errors/stopped-units';
import type { Logger } from '../logging/logger';
import type { StreamedEntityType } from './documents';
import { pollingBatches } from './polling-batches';
import { pageSizeOf } from './stream-reads';
import type { SubgraphClient } from './subgraph-client';
import { subscriptionBatches } from './subscription-batches';

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
  /** Entities per page (graph-node's `first`): 1 to 1000, default 1000. */
  pageSize?: number;
  logger: Logger;
  /** Where a stream stopped by a deterministic error is recorded (default: the process's). */
  stoppedUnits?: StoppedUnits;
}

/** Restarts after a transient failure: 500 ms doubling up to 15 s, with jitter. */
const RESTART_BACKOFF = { initialMs: 500, maxMs: 15_000 };

/** The stream of batches for one entity type, from the saved cursor on, over the chosen transport. */
export function entityBatches(options: EntityStreamOptions): Observable<EntityBatch> {
  pageSizeOf(options);
  // A server found without subscriptions (by any stream of its endpoint) is polled from then on.
  return defer(() => (options.transport === 'subscription' && options.client.supportsSubscriptions ? subscriptionBatches(options) : pollingBatches(options)));
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
