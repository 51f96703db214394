import { isRetryable } from '../../errors';
import { describeError } from '../../logging/safe-error';
import type { FacilitationContext } from '../context';

/**
 * Runs one item's step and returns its result (undefined when the item was ended). A failure that
 * trying again cannot cure (a contract read that reverts, a constraint the database refuses) ends that
 * item, FAILED with the reason, instead of being retried by every reconcile for ever; retryable
 * failures go on to the caller's backoff.
 */
export async function endOnDeterministicFailure<T>(
  context: FacilitationContext,
  item: { messageHash: string } | { stakeRequestHash: string },
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (isRetryable(error)) throw error;
    const reason = `stopped by a deterministic failure: ${describeError(error)}`;
    context.logger.error({ ...item, reason }, 'step cannot succeed: recorded FAILED, not retried');
    await context.store.apply(
      'messageHash' in item
        ? { kind: 'messageFailed', messageHash: item.messageHash, reason }
        : { kind: 'acceptGivenUp', stakeRequestHash: item.stakeRequestHash, reason },
    );
    return undefined;
  }
}
