import { millis, Repository } from './scope';
import { withStoreErrors } from '../store-error';

/** One row of `process_locks`: who holds a lock, and when it last said it is alive. */
export interface ProcessLockRow {
  lockKey: string;
  pid: number;
  hostname: string;
  startedAt: number;
  heartbeatAt: number;
}

interface Columns {
  lock_key: string;
  pid: number;
  hostname: string;
  started_at: number | string;
  heartbeat_at: number | string;
}

const TABLE = 'process_locks';

const toRow = (c: Columns): ProcessLockRow => ({
  lockKey: c.lock_key,
  pid: Number(c.pid),
  hostname: c.hostname,
  startedAt: millis(c.started_at),
  heartbeatAt: millis(c.heartbeat_at),
});

const toColumns = (r: ProcessLockRow): Columns => ({
  lock_key: r.lockKey,
  pid: r.pid,
  hostname: r.hostname,
  started_at: r.startedAt,
  heartbeat_at: r.heartbeatAt,
});

/** The `process_locks` table; the locking protocol itself is ProcessLock (../process-lock.ts). */
export class ProcessLockRepository extends Repository<ProcessLockRow> {
  async get(lockKey: string): Promise<ProcessLockRow | undefined> {
    return withStoreErrors('process_locks.get', async () => {
      const c = await this.db<Columns>(TABLE).where({ lock_key: lockKey }).first();
      return c ? toRow(c) : undefined;
    });
  }

  async list(): Promise<ProcessLockRow[]> {
    return withStoreErrors('process_locks.list', async () => {
      return (await this.db<Columns>(TABLE).orderBy('lock_key')).map(toRow);
    });
  }

  /** Writes `row` as the holder of its key (insert or replace). */
  async put(row: ProcessLockRow): Promise<ProcessLockRow> {
    return withStoreErrors('process_locks.put', async () => {
      return this.write(async (trx) => {
        await trx(TABLE).insert(toColumns(row)).onConflict('lock_key').merge();
        return { result: row, changed: [row] };
      });
    });
  }

  /** Moves the heartbeat of a lock held by (pid, hostname); false when that process no longer holds it. */
  async touch(lockKey: string, holder: { pid: number; hostname: string }, at: number): Promise<boolean> {
    return withStoreErrors('process_locks.touch', async () => {
      return this.write(async (trx) => {
        const updated = await trx(TABLE).where({ lock_key: lockKey, pid: holder.pid, hostname: holder.hostname }).update({ heartbeat_at: at });
        const row = updated > 0 ? toRow((await trx<Columns>(TABLE).where({ lock_key: lockKey }).first())!) : undefined;
        return { result: updated > 0, changed: row ? [row] : [] };
      });
    });
  }

  /** Deletes a lock if (pid, hostname) holds it; returns whether it did. */
  async remove(lockKey: string, holder: { pid: number; hostname: string }): Promise<boolean> {
    return withStoreErrors('process_locks.remove', async () => {
      return this.write(async (trx) => {
        const deleted = await trx(TABLE).where({ lock_key: lockKey, pid: holder.pid, hostname: holder.hostname }).delete();
        return { result: deleted > 0, changed: [] };
      });
    });
  }
}
