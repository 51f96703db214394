import { expect } from 'chai';
import type { Knex } from 'knex';
import { hostname } from 'node:os';
import { SqlOutbox } from '../../src/chain/tx-engine/sql-outbox';
import { FencedError, type Fence } from '../../src/db/fence';
import { ProcessLock, ProcessLockHeldError } from '../../src/db/process-lock';
import { processIdentity } from '../../src/util/process-identity';
import { openTestDatabase } from '../helpers/database';
import { openTestPostgresDatabase } from '../helpers/postgres';

const KEY = 'facilitator:1405:0xaa';
const WORKER = `0x${'aa'.repeat(20)}`;

/** Makes the lease look held by another instance on another host, silent for `silentMs`. */
async function heldElsewhere(knex: Knex, silentMs: number): Promise<void> {
  await knex('process_locks').where({ lock_key: KEY }).update({ pid: 4242, hostname: 'other-host', heartbeat_at: Date.now() - silentMs });
}

function describeLease(name: string, open: () => Promise<{ knex: Knex; close(): Promise<void> }>, postgres: boolean): void {
  describe(`lease and fencing token on ${name}`, function () {
    this.timeout(30_000);
    let db: { knex: Knex; close(): Promise<void> };
    beforeEach(async () => (db = await open()));
    afterEach(async () => db.close());

    it('grows the epoch at every takeover and never reuses one, a released lease included', async () => {
      const first = new ProcessLock(db.knex, KEY, { staleAfterMs: 2_000, liveHolderKeeps: !postgres });
      expect(await first.acquire()).to.equal(1n);
      expect(await first.acquire(), 're-entrant: same epoch').to.equal(1n);
      await first.release();
      const second = new ProcessLock(db.knex, KEY, { staleAfterMs: 2_000, liveHolderKeeps: !postgres });
      expect(await second.acquire(), 'after a release').to.equal(2n);
      await heldElsewhere(db.knex, 5_000);
      const third = new ProcessLock(db.knex, KEY, { staleAfterMs: 2_000, liveHolderKeeps: !postgres });
      expect(await third.acquire(), 'after a silent holder').to.equal(3n);
      await third.release();
    });

    it('refuses a deposed writer: nonce reservations, signed transactions and broadcasts under an old epoch throw FencedError', async () => {
      const lock = new ProcessLock(db.knex, KEY, { staleAfterMs: 2_000, liveHolderKeeps: !postgres });
      const epoch = await lock.acquire();
      const deposed: Fence = { key: KEY, epoch };
      const outbox = new SqlOutbox(db.knex, { fence: () => deposed });
      expect(await outbox.reserveNonce(1405, WORKER, 7n), 'current epoch: written').to.equal(7n);
      await heldElsewhere(db.knex, 5_000);
      const other = new ProcessLock(db.knex, KEY, { staleAfterMs: 2_000, liveHolderKeeps: !postgres });
      expect(await other.acquire()).to.equal(epoch + 1n);

      const refusals = await Promise.all([
        outbox.reserveNonce(1405, WORKER, 0n).catch((error: unknown) => error),
        outbox.resetNonce(1405, WORKER, 3n).catch((error: unknown) => error),
        outbox.assertMayBroadcast().catch((error: unknown) => error),
      ]);
      for (const refusal of refusals) expect(refusal).to.be.instanceOf(FencedError);
      const { record } = await outbox.enqueue({ chainId: 1405, worker: WORKER, purpose: 'p', subject: 's', to: WORKER, data: '0x', value: 0n, gas: 21_000n });
      const signed = await outbox
        .markSigned(record.id, { nonce: 8n, fees: { type: 'legacy', gasPrice: 1n }, txHash: `0x${'11'.repeat(32)}`, rawTransaction: '0x01' })
        .catch((error: unknown) => error);
      expect(signed).to.be.instanceOf(FencedError);
      expect((await outbox.get(record.id))!.status, 'nothing signed under the old epoch').to.equal('queued');
      expect(await outbox.storedNonce(1405, WORKER), 'nonce untouched').to.equal(8n);
      expect(await lock.heartbeat(), 'the deposed holder finds out at its heartbeat').to.equal(false);
      await other.release();
    });

    it(postgres ? 'deposes a holder alive on this host once silent past the lease (a paused active)' : 'keeps the lock of a holder alive on this host however late its heartbeat (a long pause)', async () => {
      // The parent process (mocha's runner) is alive on this host, with its real start time.
      await db.knex('process_locks').insert({
        lock_key: KEY,
        pid: process.ppid,
        hostname: hostname(),
        process_start: processIdentity(process.ppid)?.startTicks ?? null,
        started_at: Date.now() - 60_000,
        heartbeat_at: Date.now() - 60_000,
        epoch: 4,
      });
      const lock = new ProcessLock(db.knex, KEY, { staleAfterMs: 2_000, liveHolderKeeps: !postgres });
      const taken = await lock.acquire().catch((error: unknown) => error);
      if (postgres) {
        expect(taken).to.equal(5n);
        await lock.release();
      } else {
        expect(taken).to.be.instanceOf(ProcessLockHeldError);
      }
    });

    it('takes over at once from a holder on this host whose pid now names another process (pid reuse)', async () => {
      await db.knex('process_locks').insert({
        lock_key: KEY,
        pid: process.ppid,
        hostname: hostname(),
        process_start: '1',
        started_at: Date.now(),
        heartbeat_at: Date.now(),
        epoch: 1,
      });
      const lock = new ProcessLock(db.knex, KEY, { staleAfterMs: 60_000, liveHolderKeeps: true });
      expect(await lock.acquire()).to.equal(2n);
      await lock.release();
    });

    it('stands by until the holder releases, then takes the lease', async () => {
      const active = new ProcessLock(db.knex, KEY, { staleAfterMs: 60_000, liveHolderKeeps: false });
      await active.acquire();
      await db.knex('process_locks').where({ lock_key: KEY }).update({ hostname: 'other-host' }); // not judged by pid
      const standby = new ProcessLock(db.knex, KEY, { staleAfterMs: 60_000, liveHolderKeeps: false });
      let waiting = false;
      const taken = standby.acquireWhenFree({ pollMs: 50, onWaiting: () => (waiting = true) });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(waiting, 'told who is active').to.equal(true);
      await db.knex('process_locks').where({ lock_key: KEY }).update({ pid: 0, heartbeat_at: 0 }); // the active releases
      expect(await taken).to.equal(2n);
      await standby.release();
    });
  });
}

describeLease('SQLite', openTestDatabase, false);
describeLease('PostgreSQL (a real server)', openTestPostgresDatabase, true);
