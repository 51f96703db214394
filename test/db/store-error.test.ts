import { expect } from 'chai';
import { SqlOutbox } from '../../src/chain/tx-engine/sql-outbox';
import { StoreError, withStoreErrors } from '../../src/db/store-error';
import { isRetryable } from '../../src/errors/cause-chain';
import { NonRetryableError } from '../../src/errors/facilitator-error';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

/** An unlock secret as it would sit in a progressStake call's data. */
const SECRET = '0x5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e7abcd';

/** Every text a failure can reach a log or a status page through. */
function everyTextOf(error: StoreError): string[] {
  return [error.message, error.stack ?? '', JSON.stringify(error), JSON.stringify(error.details), String(error), String(error.cause)];
}

describe('store errors: database failures without SQL or values', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await openTestDatabase();
  });
  afterEach(async () => db.close());

  it('a failing insert carrying a secret throws a StoreError whose message, stack and JSON hold no part of it', async () => {
    // Refuse every insert into the outbox, as a constraint would.
    await db.knex.raw("CREATE TRIGGER refuse_outbox BEFORE INSERT ON transactions BEGIN SELECT RAISE(ABORT, 'refused'); END");
    const request = { chainId: 1405, worker: '0x' + '11'.repeat(20), purpose: 'progressStake', subject: '0x' + '22'.repeat(32), to: '0x' + '33'.repeat(20), data: `0xdeadbeef${SECRET.slice(2)}`, value: 0n, gas: 100_000n };

    // What knex alone would have thrown: the SQL with the secret in it.
    const columns = { chain_id: 1405, worker: request.worker, purpose: request.purpose, subject: request.subject, to_address: request.to, data: request.data, value: '0', gas: '100000', status: 'queued', tx_hashes: '[]', attempts: 0, created_at: 0, updated_at: 0 };
    const raw = (await db.knex('transactions').insert(columns).catch((error: unknown) => error)) as Error;
    expect(raw.message).to.contain(SECRET.slice(2));

    let caught: unknown;
    try {
      await new SqlOutbox(db.knex).enqueue(request);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(StoreError);
    const error = caught as StoreError;
    expect(error.message).to.equal('database outbox.enqueue failed (SQLITE_CONSTRAINT)');
    expect(error.code).to.equal('SQLITE_CONSTRAINT');
    expect(error.retryable).to.equal(false);
    for (const text of everyTextOf(error)) {
      for (let at = 2; at + 16 <= SECRET.length; at += 8) expect(text).to.not.contain(SECRET.slice(at, at + 16));
      expect(text).to.not.match(/insert into/i);
    }
  });

  it('makes a busy or locked database retryable and a constraint, a missing table or a bug not', async () => {
    expect(new StoreError('op', 'SQLITE_BUSY').retryable).to.equal(true);
    expect(new StoreError('op', 'SQLITE_BUSY_SNAPSHOT').retryable).to.equal(true);
    expect(new StoreError('op', 'SQLITE_LOCKED').retryable).to.equal(true);
    expect(new StoreError('op', 'KnexTimeoutError').retryable).to.equal(true);
    expect(new StoreError('op', '40001').retryable).to.equal(true);
    expect(new StoreError('op', 'SQLITE_CONSTRAINT_UNIQUE').retryable).to.equal(false);
    expect(new StoreError('op', '23505').retryable).to.equal(false);
    const missing = await withStoreErrors('read', () => db.knex('no_such_table').first()).catch((e: unknown) => e);
    expect(missing).to.be.instanceOf(StoreError);
    expect((missing as StoreError).code).to.equal('SQLITE_ERROR');
    expect(isRetryable(missing)).to.equal(false);
  });

  it('lets errors the operation classified itself pass unchanged', async () => {
    const own = new NonRetryableError('state machine refused');
    const passed = await withStoreErrors('write', () => Promise.reject(own)).catch((e: unknown) => e);
    expect(passed).to.equal(own);
  });
});
