import type { Knex } from 'knex';
import { hostname } from 'node:os';

export interface ProcessLockHolder {
  pid: number;
  hostname: string;
  startedAt: number;
  heartbeatAt: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One running facilitator per set of worker keys (two instances would race each other's nonces).
 * A lock whose holder is dead (same host) or silent for `staleAfterMs` (other host) is taken over.
 */
export class ProcessLock {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly knex: Knex,
    readonly key: string,
    private readonly staleAfterMs = 30_000,
  ) {}

  async acquire(): Promise<void> {
    const me = { lock_key: this.key, pid: process.pid, hostname: hostname(), started_at: Date.now(), heartbeat_at: Date.now() };
    await this.knex.transaction(async (trx) => {
      const row = await trx('process_locks').where({ lock_key: this.key }).first();
      if (row) {
        const holder = { pid: Number(row.pid), hostname: String(row.hostname), heartbeatAt: Number(row.heartbeat_at) };
        const sameProcess = holder.pid === process.pid && holder.hostname === me.hostname;
        const stale =
          holder.hostname === me.hostname ? !isAlive(holder.pid) : Date.now() - holder.heartbeatAt > this.staleAfterMs;
        if (!sameProcess && !stale) {
          throw new Error(
            `another facilitator (pid ${holder.pid} on ${holder.hostname}) is running with these worker keys: stop it first (facilitator stop)`,
          );
        }
        await trx('process_locks').where({ lock_key: this.key }).update(me);
      } else {
        await trx('process_locks').insert(me);
      }
    });
    this.timer = setInterval(() => {
      void this.knex('process_locks').where({ lock_key: this.key, pid: process.pid }).update({ heartbeat_at: Date.now() }).catch(() => undefined);
    }, Math.max(1000, Math.floor(this.staleAfterMs / 3)));
    this.timer.unref();
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.knex('process_locks').where({ lock_key: this.key, pid: process.pid }).delete();
  }

  static async holders(knex: Knex): Promise<Array<ProcessLockHolder & { key: string; alive: boolean }>> {
    const rows = await knex('process_locks').select();
    return rows.map((row: Record<string, unknown>) => ({
      key: String(row.lock_key),
      pid: Number(row.pid),
      hostname: String(row.hostname),
      startedAt: Number(row.started_at),
      heartbeatAt: Number(row.heartbeat_at),
      alive: String(row.hostname) === hostname() ? isAlive(Number(row.pid)) : true,
    }));
  }
}
