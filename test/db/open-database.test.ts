import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../migrations';
import { MissingDatabaseError, openDatabase } from '../../src/db/open-database';

describe('openDatabase', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'facilitator-open-db-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates folder and file, sets the pragmas, runs every migration', async function () {
    const path = join(dir, 'nested', 'folder', 'f.sqlite');
    const knex = await openDatabase(path, { busyTimeoutMs: 1234 });
    try {
      const pragma = async (name: string) => Object.values((await knex.raw(`PRAGMA ${name}`))[0] as Record<string, unknown>)[0];
      expect(await pragma('journal_mode')).to.equal('wal');
      expect(await pragma('foreign_keys')).to.equal(1);
      expect(await pragma('busy_timeout')).to.equal(1234);
      expect(await pragma('synchronous')).to.equal(2); // FULL: committed secrets and signed transactions survive an OS crash
      const applied = (await knex('knex_migrations').orderBy('id')).map((r: { name: string }) => r.name);
      expect(applied).to.deep.equal(MIGRATIONS.map(([name]) => name));
      for (const table of ['stake_requests', 'messages', 'gateways', 'anchors', 'stream_cursors', 'transactions', 'worker_nonces', 'process_locks']) {
        expect(await knex.schema.hasTable(table), table).to.equal(true);
      }
      expect(await knex.schema.hasColumn('messages', 'type')).to.equal(true);
      expect(await knex.schema.hasColumn('stream_cursors', 'last_entity_id')).to.equal(true);
    } finally {
      await knex.destroy();
    }
  });

  it('is idempotent: opening a migrated file again keeps its data and applies nothing', async function () {
    const path = join(dir, 'f.sqlite');
    const first = await openDatabase(path);
    await first('stream_cursors').insert({ stream: 's', through_block: 5, updated_at: 1 });
    await first.destroy();
    const second = await openDatabase(path);
    try {
      expect(await second('knex_migrations').count({ n: '*' })).to.deep.equal([{ n: MIGRATIONS.length }]);
      expect((await second('stream_cursors').first()).through_block).to.equal(5);
    } finally {
      await second.destroy();
    }
  });

  it('fails with a message naming the file when it is not a database', async function () {
    const path = join(dir, 'not-a-db.sqlite');
    writeFileSync(path, 'this is not sqlite '.repeat(100));
    let error: unknown;
    try {
      await openDatabase(path);
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.contain(`cannot open the database ${path}`);
  });

  const modeOf = (path: string) => statSync(path).mode & 0o777;

  it('creates the database owner-only: file and -wal/-shm 0600, folder 0700', async function () {
    const path = join(dir, 'fresh', 'f.sqlite');
    const knex = await openDatabase(path);
    try {
      await knex('stream_cursors').insert({ stream: 's', through_block: 1, updated_at: 1 });
      expect(modeOf(join(dir, 'fresh'))).to.equal(0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file), file).to.equal(0o600);
    } finally {
      await knex.destroy();
    }
  });

  it('tightens an older 0644 database and its -wal/-shm on open, and leaves the folder it did not create as it was', async function () {
    const folder = join(dir, 'old');
    const path = join(folder, 'f.sqlite');
    const first = await openDatabase(path);
    await first('stream_cursors').insert({ stream: 's', through_block: 1, updated_at: 1 });
    chmodSync(folder, 0o755);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o644);
    const second = await openDatabase(path);
    try {
      expect(modeOf(folder), 'an existing folder is the operator\'s').to.equal(0o755);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) expect(modeOf(file), file).to.equal(0o600);
    } finally {
      await first.destroy();
      await second.destroy();
    }
  });

  it('never changes the mode of an existing folder, such as a world-writable sticky /tmp', async function () {
    const shared = join(dir, 'tmp');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const path = join(shared, 'x.sqlite');
    const knex = await openDatabase(path);
    try {
      await knex('stream_cursors').insert({ stream: 's', through_block: 1, updated_at: 1 });
      expect(statSync(shared).mode & 0o7777).to.equal(0o1777);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file), file).to.equal(0o600);
    } finally {
      await knex.destroy();
    }
  });

  it('makes every folder it creates 0700, down from the first missing one', async function () {
    const path = join(dir, 'a', 'b', 'c', 'f.sqlite');
    const previous = process.umask(0o000);
    try {
      await (await openDatabase(path)).destroy();
    } finally {
      process.umask(previous);
    }
    for (const folder of [join(dir, 'a'), join(dir, 'a', 'b'), join(dir, 'a', 'b', 'c')]) expect(modeOf(folder), folder).to.equal(0o700);
    expect(modeOf(path)).to.equal(0o600);
  });

  it('leaves no file behind when opening a database it created fails', async function () {
    const path = join(dir, 'f.sqlite');
    mkdirSync(`${path}-wal`); // SQLite cannot write its write-ahead log: the first migration fails
    let error: unknown;
    try {
      await openDatabase(path);
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.contain(`cannot open the database ${path}`);
    expect(existsSync(path), 'the empty database it created is removed').to.equal(false);
    expect(existsSync(`${path}-shm`)).to.equal(false);
  });

  it('keeps an existing file when opening it fails', async function () {
    const path = join(dir, 'f.sqlite');
    writeFileSync(path, 'this is not sqlite '.repeat(100));
    let error: unknown;
    try {
      await openDatabase(path);
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.contain(`cannot open the database ${path}`);
    expect(existsSync(path), 'not ours to remove').to.equal(true);
  });

  describe('read-only', function () {
    it('refuses a missing file without creating it or its folder', async function () {
      const path = join(dir, 'missing', 'f.sqlite');
      let error: unknown;
      try {
        await openDatabase(path, { readOnly: true });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(MissingDatabaseError);
      expect(String(error)).to.contain(path).and.to.contain('facilitator init');
      expect(existsSync(join(dir, 'missing'))).to.equal(false);
    });

    it('neither migrates nor writes an existing database', async function () {
      const path = join(dir, 'empty.sqlite');
      mkdirSync(dir, { recursive: true });
      const writer = await openDatabase(path);
      await writer.raw('DELETE FROM knex_migrations');
      await writer.destroy();
      const reader = await openDatabase(path, { readOnly: true });
      try {
        expect(await reader('knex_migrations').count({ n: '*' })).to.deep.equal([{ n: 0 }]);
        let error: unknown;
        try {
          await reader('stream_cursors').insert({ stream: 's', through_block: 1, updated_at: 1 });
        } catch (caught) {
          error = caught;
        }
        expect(String(error)).to.match(/readonly/i);
      } finally {
        await reader.destroy();
      }
    });
  });
});
