import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { ProcessLock, ProcessLockHeldError, isProcessAlive } from '../../src/db/process-lock';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('ProcessLock', function () {
  let db: TestDatabase;
  const key = 'facilitator:1405:0xaa,0xbb';
  beforeEach(async () => (db = await openTestDatabase()));
  afterEach(async () => db.close());

  const insertHolder = (row: { pid: number; hostname: string; heartbeat_at?: number }) =>
    db.knex('process_locks').insert({ lock_key: key, started_at: Date.now() - 60_000, heartbeat_at: Date.now(), ...row });

  it('acquires a free lock, is re-entrant for its holder, and releases', async function () {
    const lock = new ProcessLock(db.knex, key);
    await lock.acquire();
    await lock.acquire();
    const [holder] = await ProcessLock.holders(db.knex);
    expect(holder).to.include({ key, pid: process.pid, hostname: hostname(), alive: true });
    await lock.release();
    expect(await ProcessLock.holders(db.knex)).to.deep.equal([]);
  });

  it('refuses a lock held by a live process, naming its pid and host', async function () {
    await insertHolder({ pid: process.ppid, hostname: hostname() });
    expect(isProcessAlive(process.ppid)).to.equal(true);
    const lock = new ProcessLock(db.knex, key);
    let error: unknown;
    try {
      await lock.acquire();
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ProcessLockHeldError);
    expect((error as Error).message).to.contain(`another facilitator (pid ${process.ppid} on host ${hostname()}`);
    expect((await db.knex('process_locks').first()).pid).to.equal(process.ppid);
  });

  it('refuses a lock of another host with a fresh heartbeat', async function () {
    await insertHolder({ pid: 4242, hostname: 'other-host' });
    try {
      await new ProcessLock(db.knex, key).acquire();
      expect.fail('acquired a held lock');
    } catch (error) {
      expect((error as Error).message).to.contain('pid 4242 on host other-host');
    }
  });

  it('takes over the lock of a dead pid on this host', async function () {
    await insertHolder({ pid: await deadPid(), hostname: hostname() });
    const lock = new ProcessLock(db.knex, key);
    await lock.acquire();
    expect((await db.knex('process_locks').first()).pid).to.equal(process.pid);
    await lock.release();
  });

  it('takes over a lock whose heartbeat is older than staleAfterMs', async function () {
    await insertHolder({ pid: 4242, hostname: 'other-host', heartbeat_at: Date.now() - 5_000 });
    const lock = new ProcessLock(db.knex, key, { staleAfterMs: 2_000 });
    await lock.acquire();
    const row = await db.knex('process_locks').first();
    expect(row).to.include({ pid: process.pid, hostname: hostname() });
    await lock.release();
  });

  it('heartbeats, and notices when another process took the lock over', async function () {
    let lostTo: unknown;
    const lock = new ProcessLock(db.knex, key, { staleAfterMs: 3_000, heartbeatIntervalMs: 50, onLost: (holder) => (lostTo = holder) });
    await lock.acquire();
    const before = Number((await db.knex('process_locks').first()).heartbeat_at);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(Number((await db.knex('process_locks').first()).heartbeat_at)).to.be.greaterThan(before);
    await db.knex('process_locks').update({ pid: 4242, hostname: 'other-host' });
    expect(await lock.heartbeat()).to.equal(false);
    expect(lostTo).to.include({ pid: 4242, hostname: 'other-host' });
    await lock.release();
    expect((await db.knex('process_locks').first()).pid).to.equal(4242);
  });
});
