import { scrub } from '../logging/safe-error';
import { FacilitatorError } from './facilitator-error';

const MAX_DEPTH = 16;

/** The error and its causes, outermost first (bounded: a cause cycle must not hang a loop). */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < MAX_DEPTH && !chain.includes(current)) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/** The first error of class `type` in the cause chain of `error`, or undefined. */
export function findCause<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  return causeChain(error).find((link): link is T => link instanceof type);
}

/**
 * Whether trying again can help: the outermost FacilitatorError of the chain decides. Errors nobody
 * classified (a bug, a library's plain Error) count as retryable, as every loop treated them before
 * classification: stopping a unit needs a deliberate decision that the failure is deterministic.
 */
export function isRetryable(error: unknown): boolean {
  const classified = findCause(error, FacilitatorError);
  return classified ? classified.retryable : true;
}

/**
 * The message of an unknown thrown value, safe to log or store: SQL and its values, 32-byte values,
 * long hex and URL paths are cut out (see describeError).
 */
export function messageOf(error: unknown): string {
  return scrub(error instanceof Error ? error.message : String(error));
}
