import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../migrations';
import { openDatabase } from '../../src/db/open-database';

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
      expect(await pragma('synchronous')).to.equal(1); // NORMAL
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
});
