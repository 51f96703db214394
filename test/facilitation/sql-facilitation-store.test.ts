import { expect } from 'chai';
import { SqlFacilitationStore } from '../../src/facilitation/sql-facilitation-store';
import { openTestDatabase } from '../helpers/database';
import { openTestPostgresDatabase } from '../helpers/postgres';
import { describeFacilitationStore, REQUEST_HASH, stakeMessage, stakeRequest } from './facilitation-store-contract';

describeFacilitationStore('SQLite', async () => {
  const db = await openTestDatabase();
  return { store: new SqlFacilitationStore(db.knex), close: () => db.close() };
});

describeFacilitationStore('PostgreSQL (a real server)', async () => {
  const db = await openTestPostgresDatabase();
  return { store: new SqlFacilitationStore(db.knex), close: () => db.close() };
});

describe('facilitation store on SQLite', () => {
  it('writes a request, its message and its secret in one transaction: a failing write leaves neither', async () => {
    const db = await openTestDatabase();
    try {
      const store = new SqlFacilitationStore(db.knex);
      await store.apply({ kind: 'requestSeen', request: stakeRequest() });
      // A message row that breaks a NOT NULL column fails the insert after the request row was updated.
      const broken = { ...stakeMessage(), worker: null as unknown as string };
      let failed = false;
      await store.apply({ kind: 'acceptancePrepared', message: broken }).catch(() => (failed = true));
      expect(failed, 'the write failed').to.equal(true);
      expect((await store.getStakeRequest(REQUEST_HASH))!.state, 'the request is not ACCEPTING without its message').to.equal('REQUESTED');
      expect(await store.messageForStakeRequest(REQUEST_HASH)).to.equal(undefined);
    } finally {
      await db.close();
    }
  });

  it('lists requests and messages for the status API, newest first', async () => {
    const db = await openTestDatabase();
    try {
      const store = new SqlFacilitationStore(db.knex);
      await store.apply({ kind: 'requestSeen', request: stakeRequest() });
      await store.apply({ kind: 'acceptancePrepared', message: stakeMessage() });
      expect((await store.listStakeRequests({ state: 'ACCEPTING' }, 10, 0)).map((r) => r.stakeRequestHash)).to.deep.equal([REQUEST_HASH]);
      expect((await store.listMessages({}, 10, 0)).map((m) => m.state)).to.deep.equal(['ACCEPTING']);
      expect(await store.messageCounts()).to.deep.equal([{ direction: 'STAKE', state: 'ACCEPTING', gateway: `0x${'9a'.repeat(20)}`, count: 1 }]);
    } finally {
      await db.close();
    }
  });
});
