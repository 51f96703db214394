import type { Route } from '../route';
import { findStep } from '../step-outbox';

/** A reverted or cancelled accept is tried again (the request still pending) at most this many times in all. */
export const MAX_ACCEPT_ATTEMPTS = 3;

export interface AcceptAttempt {
  /** The attempt to send next; undefined while one is queued, in flight or mined. */
  next: number | undefined;
  lastError: string | undefined;
  /** The attempt in flight had to be replaced (no block took it). */
  replaced: boolean;
}

/**
 * The attempt to send next, or `next: undefined` while one is queued, in flight or mined. A failed
 * (reverted or cancelled) accept changed nothing on chain, nor did a mined one whose block was
 * reorganised away: the next attempt gets its own outbox row. Shared by both directions.
 */
export async function nextAcceptAttempt(route: Route, requestHash: string): Promise<AcceptAttempt> {
  let lastError: string | undefined;
  for (let attempt = 0; attempt < MAX_ACCEPT_ATTEMPTS; attempt++) {
    const record = await findStep(route.source.engine, route.acceptStep(requestHash, attempt));
    if (!record) return { next: attempt, lastError, replaced: false };
    if (record.status === 'mined' && record.txHash && !(await route.source.client.getReceipt(record.txHash))) {
      lastError = `${route.names.accept} ${record.txHash} was reorganised away`;
      continue;
    }
    if (record.status !== 'failed') return { next: undefined, lastError, replaced: record.txHashes.length > 1 };
    lastError = record.lastError;
  }
  return { next: MAX_ACCEPT_ATTEMPTS, lastError, replaced: false };
}
