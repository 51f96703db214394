import { SqlOutbox } from '../../../src/chain/tx-engine/sql-outbox';
import { openTestDatabase } from '../../helpers/database';
import { openTestPostgresDatabase } from '../../helpers/postgres';
import { describeOutbox } from './outbox-contract';

describeOutbox('SQLite', async () => {
  const db = await openTestDatabase();
  return { outbox: new SqlOutbox(db.knex), close: () => db.close() };
});

describeOutbox('PostgreSQL (a real server)', async () => {
  const db = await openTestPostgresDatabase();
  return { outbox: new SqlOutbox(db.knex), close: () => db.close() };
});
