import { entityDocuments } from './documents';
import type { EntityStreamOptions, StreamedEntity } from './entity-stream';
import type { SubgraphHead } from './subgraph-client';
import { BlockBeforeStartError, SubgraphNotStartedError } from './subgraph-errors';

/** graph-node's largest `first` (graph/src/env GRAPH_GRAPHQL_MAX_FIRST, default 1000): a page of the streams. */
export const MAX_PAGE_SIZE = 1000;
export const REORG_WINDOW_BLOCKS = 32;

export function byBlockThenLog(a: StreamedEntity, b: StreamedEntity): number {
  const blocks = Number(a.blockNumber) - Number(b.blockNumber);
  return blocks !== 0 ? blocks : Number(a.logIndex) - Number(b.logIndex);
}

/** The page size of a stream: graph-node refuses `first` outside 1..1000 on every query, so a wrong one is a bug, said at once. */
export function pageSizeOf(options: Pick<EntityStreamOptions, 'name' | 'pageSize'>): number {
  const first = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new RangeError(`${options.name}: pageSize must be an integer from 1 to ${MAX_PAGE_SIZE} (graph-node's limits of first), got ${first}`);
  }
  return first;
}

/**
 * Every entity changed in [fromBlock, atBlock], paging by id at a pinned block, in block then log order.
 * A pin before the subgraph's start block holds nothing (graph-node refuses to read there).
 */
export async function fetchRange(options: EntityStreamOptions, fromBlock: number, atBlock: number): Promise<StreamedEntity[]> {
  if (fromBlock > atBlock) return [];
  const documents = entityDocuments(options.entityType);
  const first = pageSizeOf(options);
  const all: StreamedEntity[] = [];
  let afterId = '';
  for (;;) {
    let page: { entities: StreamedEntity[] };
    try {
      page = await options.client.query<{ entities: StreamedEntity[] }>(documents.page, { fromBlock, atBlock, afterId, first });
    } catch (error) {
      if (error instanceof BlockBeforeStartError) return [];
      throw error;
    }
    all.push(...page.entities);
    if (page.entities.length < first) break;
    afterId = page.entities[page.entities.length - 1].id;
  }
  return all.sort(byBlockThenLog);
}

export async function startingCursor(options: EntityStreamOptions): Promise<number> {
  const saved = await options.cursors.load(options.name);
  return saved ?? options.startBlock - 1;
}

/**
 * The subgraph head, or undefined while it has not indexed a block yet. `_meta.hasIndexingErrors` is
 * said once per endpoint: the head then stays at the last good block, and the stream waits there.
 */
export async function readHead(options: EntityStreamOptions): Promise<SubgraphHead | undefined> {
  let head: SubgraphHead;
  try {
    head = await options.client.head();
  } catch (error) {
    if (error instanceof SubgraphNotStartedError) return undefined;
    throw error;
  }
  if (options.client.noteIndexingErrors(head.hasIndexingErrors)) {
    options.logger.warn(
      { subgraph: options.client.endpoint.name, block: head.number },
      'subgraph has indexing errors (_meta.hasIndexingErrors): its streams wait at the last good block until it is fixed',
    );
  }
  return head;
}
