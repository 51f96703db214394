import { expect } from 'chai';
import type { Knex } from 'knex';
import { SqlCursorStore } from '../../src/streams/sql-cursor-store';
import { openTestDatabase } from '../helpers/database';
import { openTestPostgresDatabase } from '../helpers/postgres';

function describeCursors(name: string, open: () => Promise<{ knex: Knex; close(): Promise<void> }>): void {
  describe(`stream cursors on ${name}`, () => {
    let db: { knex: Knex; close(): Promise<void> };
    beforeEach(async () => (db = await open()));
    afterEach(async () => db.close());

    it('saves a cursor per stream, moves it (never duplicates it) and lists them in name order', async () => {
      const cursors = new SqlCursorStore(db.knex);
      expect(await cursors.load('origin.StakeRequested')).to.equal(undefined);
      await cursors.save('origin.StakeRequested', 10);
      await cursors.save('auxiliary.MintProgressed', 7);
      await cursors.save('origin.StakeRequested', 12);
      expect(await cursors.load('origin.StakeRequested')).to.equal(12);
      expect(await cursors.all()).to.deep.equal([
        { stream: 'auxiliary.MintProgressed', throughBlock: 7 },
        { stream: 'origin.StakeRequested', throughBlock: 12 },
      ]);
      expect(await db.knex('stream_cursors').where({ stream: 'origin.StakeRequested' })).to.have.length(1);
    });
  });
}

describeCursors('SQLite', openTestDatabase);
describeCursors('PostgreSQL (a real server)', openTestPostgresDatabase);
