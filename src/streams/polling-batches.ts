import { Observable } from 'rxjs';
import type { EntityBatch, EntityStreamOptions } from './entity-stream';
import { fetchRange, readHead, REORG_WINDOW_BLOCKS, startingCursor } from './stream-reads';
import type { SubgraphHead } from './subgraph-client';
import { BlockNotYetIndexedError } from './subgraph-errors';
import { DEFAULTS } from '../facilitator/defaults';

/** Where a polling session stands; a subscription session that falls back to polling hands its own over. */
export interface PollingState {
  /** Every entity in blocks ≤ cursor has been emitted. */
  cursor: number;
  /** Blocks ≤ sessionStart were delivered by an earlier session: never read again. */
  sessionStart: number;
  /** Entities emitted in this session (id → block), kept for the reorg window. */
  delivered: Map<string, number>;
}

async function freshState(options: EntityStreamOptions): Promise<PollingState> {
  const cursor = await startingCursor(options);
  return { cursor, sessionStart: cursor, delivered: new Map() };
}

/** A reorg seen in `_meta`: the head went back, or its block changed at the same height. */
function rewound(head: SubgraphHead, last: SubgraphHead | undefined): boolean {
  return last !== undefined && (head.number < last.number || (head.number === last.number && head.hash !== last.hash));
}

/**
 * One poll: when the head (less confirmations) passed the cursor, or reached it again after a reorg,
 * the entities changed since, pinned at that block, not emitted yet. Undefined when there is nothing to
 * emit, or when the head went back before the pages were read (a reorg, or a graph-node behind a load
 * balancer answering the pages): the next poll reads the head again.
 */
async function poll(options: EntityStreamOptions, state: PollingState, head: SubgraphHead, reorged: boolean): Promise<EntityBatch | undefined> {
  const safeHead = head.number - (options.confirmations ?? 0);
  if (!(safeHead > state.cursor || (reorged && safeHead >= state.cursor))) return undefined;
  const from = Math.max(state.sessionStart + 1, state.cursor + 1 - (options.reorgWindowBlocks ?? REORG_WINDOW_BLOCKS));
  let fetched;
  try {
    fetched = await fetchRange(options, from, safeHead);
  } catch (error) {
    if (error instanceof BlockNotYetIndexedError) return undefined;
    throw error;
  }
  const entities = fetched.filter((e) => !state.delivered.has(e.id));
  for (const [id, block] of state.delivered) if (block < from) state.delivered.delete(id);
  for (const entity of entities) state.delivered.set(entity.id, Number(entity.blockNumber));
  state.cursor = Math.max(state.cursor, safeHead);
  return { stream: options.name, entityType: options.entityType, entities, throughBlock: state.cursor };
}

/**
 * Polling transport (graph-node ≥ 0.38 has no subscriptions): poll `_meta`; when the head passes the
 * cursor (or the head block changed at the same height: a reorg), page the entities changed since,
 * pinned at the head, and emit the ones not yet delivered as one batch. The pages start a reorg window
 * below the cursor: a reorg may put new entities at heights this stream already passed. Entities are
 * recognised by id within the session; blocks an earlier session delivered are not read again. A
 * subgraph that has not indexed a block yet is waited for.
 */
export function pollingBatches(options: EntityStreamOptions, resume?: PollingState): Observable<EntityBatch> {
  return new Observable<EntityBatch>((subscriber) => {
    let stopped = false;
    const run = async () => {
      const state = resume ?? (await freshState(options));
      let last: SubgraphHead | undefined;
      let reorged = false; // since the last batch: its pages must be read again once the head is back at the cursor
      while (!stopped) {
        const head = await readHead(options);
        reorged ||= head !== undefined && rewound(head, last);
        const batch = head && (await poll(options, state, head, reorged));
        if (stopped) return;
        if (batch) {
          reorged = false;
          subscriber.next(batch);
        }
        last = head ?? last;
        await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? DEFAULTS.chain.pollIntervalMs));
      }
    };
    run().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
    };
  });
}
