import type { Knex } from 'knex';
import { NonRetryableError } from '../errors';
import { isPostgres } from './row-lock';

/** The lease a writer holds: its key and the epoch (fencing token) it was granted. */
export interface Fence {
  key: string;
  epoch: bigint;
}

/**
 * This process's lease was taken over (its epoch is no longer current): it must not reserve a nonce,
 * sign or broadcast again. Not retryable: the engines stop, the process stands by or exits.
 */
export class FencedError extends NonRetryableError {
  override readonly name = 'FencedError';
  constructor(readonly fence: Fence, readonly current: bigint | undefined) {
    super(
      `this facilitator's lease ${fence.key} (epoch ${fence.epoch}) was taken over${current !== undefined ? ` (now epoch ${current})` : ''}: it sends nothing more`,
      { details: { key: fence.key, epoch: String(fence.epoch), current: current === undefined ? undefined : String(current) } },
    );
  }
}

/**
 * Throws FencedError unless `fence` is the lease's current epoch. Inside a write transaction on
 * PostgreSQL the lease row is share-locked until the commit: a takeover (which updates that row) waits
 * for the write to commit, and every write after the takeover sees the new epoch.
 */
export async function assertFence(trx: Knex.Transaction, fence: Fence): Promise<void> {
  const query = trx('process_locks').select('epoch', 'pid').where({ lock_key: fence.key });
  const row = (await (isPostgres(trx) ? query.forShare() : query).first()) as { epoch: string | number; pid: number } | undefined;
  const current = row ? BigInt(row.epoch) : undefined;
  if (current !== fence.epoch || !row || Number(row.pid) === 0) throw new FencedError(fence, current);
}
