import { ApolloError } from '@apollo/client/core';
import { RetryableError } from '../errors/facilitator-error';

/**
 * A subgraph server's answers the entity streams act on, classified once where they arrive
 * (SubgraphClient): graph-node's error texts (graph/src/data/query/error.rs, store errors) become
 * classes, so the streams never read message text.
 */

/** The server has no GraphQL subscriptions (graph-node ≥ 0.38): the streams poll instead. */
export class SubscriptionsUnavailableError extends RetryableError {
  override readonly name = 'SubscriptionsUnavailableError';
  constructor(
    subgraph: string,
    /** What showed it, safe to log: e.g. `the WebSocket upgrade was answered with HTTP 404`. */
    readonly reason: string,
  ) {
    super(`subgraph ${subgraph} serves no GraphQL subscriptions: ${reason}`, { details: { subgraph, reason } });
  }
}

/** graph-node: "Subgraph `…` has not started syncing yet": no block indexed, nothing to read yet. */
export class SubgraphNotStartedError extends RetryableError {
  override readonly name = 'SubgraphNotStartedError';
  constructor(subgraph: string, options: { cause?: unknown } = {}) {
    super(`subgraph ${subgraph} has not started syncing yet`, { ...options, details: { subgraph } });
  }
}

/** A query pinned at a block the server has not indexed (its head went back in a reorg, or a node behind a load balancer). */
export class BlockNotYetIndexedError extends RetryableError {
  override readonly name = 'BlockNotYetIndexedError';
  constructor(subgraph: string, readonly indexedThrough: number, options: { cause?: unknown } = {}) {
    super(`subgraph ${subgraph} has only indexed up to block ${indexedThrough}`, { ...options, details: { subgraph, indexedThrough } });
  }
}

/** A query pinned at a block before the subgraph's start block: the subgraph holds nothing there. */
export class BlockBeforeStartError extends RetryableError {
  override readonly name = 'BlockBeforeStartError';
  constructor(subgraph: string, readonly startBlock: number, options: { cause?: unknown } = {}) {
    super(`subgraph ${subgraph} only has data from block ${startBlock}`, { ...options, details: { subgraph, startBlock } });
  }
}

/** graph-node's texts (graph/src/data/query/error.rs `BlockNumberTooHigh`/`ValueParseError`, store `SubgraphNotStarted`…). */
const NOT_STARTED = /has not started syncing yet/;
const NOT_YET_INDEXED = /has only indexed up to block number (\d+) and data for block number \d+ is therefore not yet available/;
const BEFORE_START = /only has data starting at block number (\d+) and data for block number \d+ is therefore not available/;

/** A query's failure as one of the classes above, or unchanged. */
export function classifyQueryError(error: unknown, subgraph: string): unknown {
  if (!(error instanceof ApolloError)) return error;
  for (const { message } of error.graphQLErrors) {
    const known = classifyBlockMessage(message, subgraph, error);
    if (known) return known;
  }
  return error;
}

/** graph-node's answer that the data asked for is not there yet (or before the start), as its class; else undefined. */
export function classifyBlockMessage(message: string, subgraph: string, cause?: unknown): Error | undefined {
  if (NOT_STARTED.test(message)) return new SubgraphNotStartedError(subgraph, { cause });
  const behind = NOT_YET_INDEXED.exec(message);
  if (behind) return new BlockNotYetIndexedError(subgraph, Number(behind[1]), { cause });
  const early = BEFORE_START.exec(message);
  if (early) return new BlockBeforeStartError(subgraph, Number(early[1]), { cause });
  return undefined;
}
