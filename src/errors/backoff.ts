export interface BackoffPolicy {
  /** Delay of the first retry. */
  initialMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** Share of the delay drawn at random (0: none, 0.5: ±25 %), so that many loops do not retry in step. */
  jitter?: number;
}

/**
 * Delay before retry number `attempt` (1 for the first): exponential, capped, with jitter. `random` is
 * injectable for tests.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.initialMs * 2 ** Math.max(0, attempt - 1), policy.maxMs);
  const jitter = policy.jitter ?? 0.5;
  const spread = exponential * jitter;
  const delay = exponential - spread / 2 + random() * spread;
  return Math.round(Math.min(Math.max(delay, 0), policy.maxMs));
}
