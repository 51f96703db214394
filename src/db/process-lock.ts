import type { Knex } from 'knex';
import { hostname as osHostname } from 'node:os';
import { processIdentity } from '../util/process-identity';
import type { Fence } from './fence';
import { ProcessLockRepository, type ProcessLockRow } from './repositories/process-locks';
import { rootScope } from './repositories/scope';
import { forWrite, isPostgres } from './row-lock';
import { DEFAULTS } from '../facilitator/defaults';

export interface ProcessLockHolder {
  pid: number;
  hostname: string;
  startedAt: number;
  heartbeatAt: number;
}

export interface ProcessLockOptions {
  /** The lease: a holder silent for longer than this may be taken over (default 30 s). */
  staleAfterMs?: number;
  /** How often the holder renews (default staleAfterMs / 3, at least 1 s… or less when the lease is shorter). */
  heartbeatIntervalMs?: number;
  /** Called once if another process took the lease over (this process must then stop sending). */
  onLost?: (holder: ProcessLockRow | undefined) => void;
  /**
   * A holder alive on this host (same pid and process start time) keeps the lock however late its
   * heartbeat: true for SQLite (one machine; a long GC pause must not let a second instance in). With
   * PostgreSQL (false) the lease alone decides, so that a paused active is deposed by a standby.
   */
  liveHolderKeeps?: boolean;
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
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_CONSTRAINT') || code === '23505' || code === '40001';
}

interface LockColumns {
  lock_key: string;
  pid: number;
  hostname: string;
  started_at: number | string;
  heartbeat_at: number | string;
  epoch: number | string;
  process_start: string | null;
}

/** Milliseconds by the database's clock on PostgreSQL (hosts' clocks differ), by this host's on SQLite. */
async function databaseNow(knex: Knex | Knex.Transaction): Promise<number> {
  if (!isPostgres(knex)) return Date.now();
  const result = (await knex.raw('SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS now')) as { rows: Array<{ now: string }> };
  return Number(result.rows[0].now);
}

/**
 * One active facilitator per set of worker keys, as a lease with a fencing token. The holder renews
 * its heartbeat; a holder silent longer than `staleAfterMs` (or dead, on this host) is taken over and
 * the lease's `epoch` grows by one. Every nonce reservation, signed transaction and broadcast of the
 * holder is checked against its epoch (assertFence), so a deposed holder that wakes up sends nothing.
 * A released lease keeps its row (pid 0) so that epochs are never reused.
 */
export class ProcessLock {
  private timer: NodeJS.Timeout | undefined;
  private readonly locks: ProcessLockRepository;
  private readonly options: ProcessLockOptions;
  private readonly me: { pid: number; hostname: string; processStart: string | null };
  private lost = false;
  private held: bigint | undefined;

  /** `options` may be a number: staleAfterMs (the first version's signature). */
  constructor(
    private readonly knex: Knex,
    readonly key: string,
    options: ProcessLockOptions | number = {},
  ) {
    this.locks = new ProcessLockRepository(rootScope(knex));
    this.options = typeof options === 'number' ? { staleAfterMs: options } : options;
    this.me = { pid: process.pid, hostname: osHostname(), processStart: processIdentity(process.pid)?.startTicks ?? null };
  }

  private get staleAfterMs(): number {
    return this.options.staleAfterMs ?? DEFAULTS.sqliteLockStaleMs;
  }

  /** The fencing token of the lease this process holds, if it holds it. */
  get fence(): Fence | undefined {
    return this.held === undefined || this.lost ? undefined : { key: this.key, epoch: this.held };
  }

  /** Whether `row` may be taken over by this process at `now` (database clock). */
  isStale(row: ProcessLockRow & { processStart?: string | null }, now = Date.now()): boolean {
    if (row.pid === 0) return true; // released
    if (row.hostname === this.me.hostname) {
      const alive = isProcessAlive(row.pid) && (!row.processStart || processIdentity(row.pid)?.startTicks === row.processStart);
      if (!alive) return true;
      if (this.options.liveHolderKeeps ?? true) return false;
    }
    return now - row.heartbeatAt > this.staleAfterMs;
  }

  /** Takes the lease or throws ProcessLockHeldError; re-acquiring a lease this process holds is fine. Returns the epoch. */
  async acquire(): Promise<bigint> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.held = await this.tryAcquire();
        break;
      } catch (error) {
        // Two processes starting together: one insert loses (constraint) or waits (busy); look again.
        if (attempt >= 4 || !isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
      }
    }
    this.lost = false;
    if (this.timer) clearInterval(this.timer);
    const interval = this.options.heartbeatIntervalMs ?? Math.max(200, Math.min(5_000, Math.floor(this.staleAfterMs / 3)));
    this.timer = setInterval(() => void this.heartbeat().catch(() => undefined), interval);
    this.timer.unref();
    return this.held;
  }

  /**
   * Stands by until the lease can be taken (the active stops, dies, or stays silent past the lease),
   * then takes it. `onWaiting` is told once who holds it. Rejects when `signal` aborts.
   */
  async acquireWhenFree(options: { pollMs: number; signal?: AbortSignal; onWaiting?: (holder: ProcessLockHolder) => void }): Promise<bigint> {
    let told = false;
    let failures = 0;
    for (;;) {
      try {
        return await this.acquire();
      } catch (error) {
        if (error instanceof ProcessLockHeldError) {
          if (!told) options.onWaiting?.(error.holder);
          told = true;
          failures = 0;
        } else if (++failures > 30) {
          throw error; // the database keeps failing: say so rather than stand by blind
        }
      }
      if (options.signal?.aborted) throw new Error('stopped while standing by');
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
  }

  private async tryAcquire(): Promise<bigint> {
    return this.knex.transaction(async (trx) => {
      // The active's fenced writes share-lock the row: wait for them briefly, never for a paused process.
      if (isPostgres(trx)) await trx.raw("SET LOCAL lock_timeout = '1s'");
      const now = await databaseNow(trx);
      const columns = (await forWrite(trx, trx<LockColumns>('process_locks').where({ lock_key: this.key })).first()) as LockColumns | undefined;
      const mine = { pid: this.me.pid, hostname: this.me.hostname, process_start: this.me.processStart, heartbeat_at: now };
      if (!columns) {
        await trx('process_locks').insert({ lock_key: this.key, ...mine, started_at: now, epoch: 1 });
        return 1n;
      }
      const row = { ...toHolder(columns), processStart: columns.process_start };
      const epoch = BigInt(columns.epoch);
      const isMine = row.pid === this.me.pid && row.hostname === this.me.hostname && epoch === this.held;
      if (isMine) {
        await trx('process_locks').where({ lock_key: this.key }).update({ heartbeat_at: now });
        return epoch;
      }
      if (!this.isStale(row, now)) throw new ProcessLockHeldError(this.key, row);
      const next = epoch + 1n;
      await trx('process_locks').where({ lock_key: this.key, epoch: columns.epoch }).update({ ...mine, started_at: now, epoch: next.toString() });
      return next;
    });
  }

  /** Renews the heartbeat; returns false (and stops, calling onLost once) if another process took the lease. */
  async heartbeat(): Promise<boolean> {
    if (this.lost || this.held === undefined) return false;
    const now = await databaseNow(this.knex);
    const renewed = await this.knex('process_locks')
      .where({ lock_key: this.key, pid: this.me.pid, hostname: this.me.hostname, epoch: this.held.toString() })
      .update({ heartbeat_at: now });
    if (renewed > 0) return true;
    this.lost = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.options.onLost?.(await this.locks.get(this.key));
    return false;
  }

  /** Stops the heartbeat and releases the lease if this process still holds it (the row and its epoch stay). */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.held === undefined) return;
    await this.knex('process_locks')
      .where({ lock_key: this.key, pid: this.me.pid, hostname: this.me.hostname, epoch: this.held.toString() })
      .update({ pid: 0, heartbeat_at: 0 });
    this.held = undefined;
  }

  /**
   * Every held lock in the database, with whether its holder looks alive (for `facilitator list`): a
   * live pid on this host, or a heartbeat within `staleAfterMs` on another.
   */
  static async holders(knex: Knex, staleAfterMs = 30_000): Promise<Array<ProcessLockHolder & { key: string; alive: boolean }>> {
    const rows = (await new ProcessLockRepository(rootScope(knex)).list()).filter((row) => row.pid !== 0);
    const here = osHostname();
    const now = await databaseNow(knex);
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

function toHolder(columns: LockColumns): ProcessLockRow {
  return {
    lockKey: columns.lock_key,
    pid: Number(columns.pid),
    hostname: columns.hostname,
    startedAt: Number(columns.started_at),
    heartbeatAt: Number(columns.heartbeat_at),
  };
}
