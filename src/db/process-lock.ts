import type { Knex } from 'knex';
import { hostname as osHostname } from 'node:os';
import { ProcessLockRepository, type ProcessLockRow } from './repositories/process-locks';
import { rootScope } from './repositories/scope';

export interface ProcessLockHolder {
  pid: number;
  hostname: string;
  startedAt: number;
  heartbeatAt: number;
}

export interface ProcessLockOptions {
  /** A holder silent for longer than this is presumed dead and its lock taken over (default 30 s). */
  staleAfterMs?: number;
  /** How often the holder writes its heartbeat (default staleAfterMs / 3, at least 1 s). */
  heartbeatIntervalMs?: number;
  /** Called once if another process took the lock over (this process must then stop working). */
  onLost?: (holder: ProcessLockRow | undefined) => void;
}

/** The lock is held by another live process. */
export class ProcessLockHeldError extends Error {
  override readonly name = 'ProcessLockHeldError';

  constructor(
    readonly key: string,
    readonly holder: ProcessLockHolder,
  ) {
    const silentFor = Math.max(0, Math.round((Date.now() - holder.heartbeatAt) / 1000));
    super(
      `another facilitator (pid ${holder.pid} on host ${holder.hostname}, started ${new Date(holder.startedAt).toISOString()}, ` +
        `last heartbeat ${silentFor} s ago) is running with these worker keys (lock ${key}): stop it first (facilitator stop)`,
    );
  }
}

/** Whether `pid` is a live process on this host (EPERM: alive, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_CONSTRAINT') || code === '23505';
}

/**
 * One running facilitator per set of worker keys (two instances would race each other's nonces).
 * A lock is stale, and taken over, when its holder is a dead pid on this host, or when its heartbeat
 * is older than `staleAfterMs` (a holder on another host, or a reused pid). The holder renews its
 * heartbeat on a timer; if it finds the lock taken over, it stops and calls `onLost`.
 */
export class ProcessLock {
  private timer: NodeJS.Timeout | undefined;
  private readonly locks: ProcessLockRepository;
  private readonly options: ProcessLockOptions;
  private readonly me: { pid: number; hostname: string } = { pid: process.pid, hostname: osHostname() };
  private lost = false;

  /** `options` may be a number: staleAfterMs (the first version's signature). */
  constructor(
    private readonly knex: Knex,
    readonly key: string,
    options: ProcessLockOptions | number = {},
  ) {
    this.locks = new ProcessLockRepository(rootScope(knex));
    this.options = typeof options === 'number' ? { staleAfterMs: options } : options;
  }

  private get staleAfterMs(): number {
    return this.options.staleAfterMs ?? 30_000;
  }

  /** Whether `row` may be taken over by this process. */
  isStale(row: ProcessLockRow, now = Date.now()): boolean {
    if (row.hostname === this.me.hostname && !isProcessAlive(row.pid)) return true;
    return now - row.heartbeatAt > this.staleAfterMs;
  }

  /** Takes the lock or throws ProcessLockHeldError; re-acquiring a lock this process holds is fine. */
  async acquire(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.tryAcquire();
        break;
      } catch (error) {
        // Two processes starting together: one insert loses (constraint) or waits (busy); look again.
        if (attempt >= 4 || !isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
      }
    }
    this.lost = false;
    if (this.timer) clearInterval(this.timer);
    const interval = this.options.heartbeatIntervalMs ?? Math.max(1000, Math.floor(this.staleAfterMs / 3));
    this.timer = setInterval(() => void this.heartbeat().catch(() => undefined), interval);
    this.timer.unref();
  }

  private async tryAcquire(): Promise<void> {
    const now = Date.now();
    await this.knex.transaction(async (trx) => {
      const locks = new ProcessLockRepository({ knex: this.knex, trx, pending: [] });
      const row = await locks.get(this.key);
      if (row) {
        const mine = row.pid === this.me.pid && row.hostname === this.me.hostname;
        if (!mine && !this.isStale(row, now)) throw new ProcessLockHeldError(this.key, row);
        const startedAt = mine ? row.startedAt : now;
        await trx('process_locks').where({ lock_key: this.key, pid: row.pid, hostname: row.hostname }).update({
          pid: this.me.pid,
          hostname: this.me.hostname,
          started_at: startedAt,
          heartbeat_at: now,
        });
      } else {
        await trx('process_locks').insert({ lock_key: this.key, ...this.me, started_at: now, heartbeat_at: now });
      }
    });
  }

  /** Renews the heartbeat; returns false (and stops, calling onLost once) if another process took the lock. */
  async heartbeat(): Promise<boolean> {
    if (this.lost) return false;
    if (await this.locks.touch(this.key, this.me, Date.now())) return true;
    this.lost = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.options.onLost?.(await this.locks.get(this.key));
    return false;
  }

  /** Stops the heartbeat and deletes the lock if this process still holds it. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.locks.remove(this.key, this.me);
  }

  /**
   * Every lock in the database, with whether its holder looks alive (for `facilitator list`): a live
   * pid on this host, or a heartbeat within `staleAfterMs` on another.
   */
  static async holders(knex: Knex, staleAfterMs = 30_000): Promise<Array<ProcessLockHolder & { key: string; alive: boolean }>> {
    const rows = await new ProcessLockRepository(rootScope(knex)).list();
    const here = osHostname();
    const now = Date.now();
    return rows.map((row) => ({
      key: row.lockKey,
      pid: row.pid,
      hostname: row.hostname,
      startedAt: row.startedAt,
      heartbeatAt: row.heartbeatAt,
      alive: row.hostname === here ? isProcessAlive(row.pid) : now - row.heartbeatAt <= staleAfterMs,
    }));
  }
}
