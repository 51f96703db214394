import { expect } from 'chai';
import { createRepositories, type NewTransaction, type Repositories } from '../../../src/db/repositories';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { hex } from './rows';

const worker = hex('a1', 20);

function tx(overrides: Partial<NewTransaction> = {}): NewTransaction {
  return { chainId: 1337, worker, purpose: 'acceptStakeRequest', subject: hex('11', 32), to: hex('c0', 20), data: '0xABCD', gas: 400_000n, ...overrides };
}

describe('TransactionRepository and WorkerNonceRepository (the outbox)', function () {
  let db: TestDatabase;
  let repos: Repositories;
  beforeEach(async () => {
    db = await openTestDatabase();
    repos = createRepositories(db.knex);
  });
  afterEach(async () => db.close());

  it('enqueues one transaction per (chain, purpose, subject)', async function () {
    const first = await repos.transactions.enqueue(tx());
    expect(first.created).to.equal(true);
    expect(first.row).to.include({ status: 'queued', data: '0xabcd', value: '0', gas: '400000', attempts: 0, nonce: null });
    const again = await repos.transactions.enqueue(tx({ data: '0x99' }));
    expect(again).to.deep.equal({ row: first.row, created: false });
    expect((await repos.transactions.enqueue(tx({ chainId: 1405 }))).created).to.equal(true);
    expect((await repos.transactions.enqueue(tx({ purpose: 'progressStake' }))).created).to.equal(true);
  });

  it('the database itself refuses a duplicate (chain, purpose, subject)', async function () {
    await repos.transactions.enqueue(tx());
    const now = Date.now();
    let error: unknown;
    try {
      await db.knex('transactions').insert({
        chain_id: 1337, worker, purpose: 'acceptStakeRequest', subject: hex('11', 32), to_address: hex('c0', 20), data: '0x',
        value: '0', gas: '1', status: 'queued', tx_hashes: '[]', attempts: 0, created_at: now, updated_at: now,
      });
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.match(/UNIQUE constraint failed: transactions\.chain_id, transactions\.purpose, transactions\.subject/);
  });

  it('moves through sent (with gas bumps) to mined, and lists pending work per worker', async function () {
    const seen: string[] = [];
    repos.transactions.changes$.subscribe((row) => seen.push(row.status));
    const { row } = await repos.transactions.enqueue(tx());
    await repos.transactions.enqueue(tx({ subject: hex('12', 32) }));
    await repos.transactions.enqueue(tx({ subject: hex('13', 32), worker: hex('a2', 20) }));
    expect((await repos.transactions.pendingForWorker(1337, worker.toUpperCase().replace('0X', '0x'))).map((r) => r.subject)).to.deep.equal([
      hex('11', 32),
      hex('12', 32),
    ]);
    await repos.transactions.markSent(row.id, { nonce: 7n, gasPrice: 10n, txHash: hex('aa', 32), rawTransaction: '0xf8' });
    const bumped = await repos.transactions.markSent(row.id, { nonce: 7n, gasPrice: 11n, txHash: hex('bb', 32), rawTransaction: '0xf9' });
    expect(bumped).to.include({ status: 'sent', nonce: '7', gasPrice: '11', txHash: hex('bb', 32), attempts: 2 });
    expect(bumped?.txHashes).to.deep.equal([hex('aa', 32), hex('bb', 32)]);
    const mined = await repos.transactions.markMined(row.id, { txHash: hex('aa', 32), blockNumber: 99n, success: true });
    expect(mined).to.include({ status: 'mined', minedBlock: '99', txHash: hex('aa', 32), lastError: null });
    expect((await repos.transactions.pendingForWorker(1337, worker)).map((r) => r.subject)).to.deep.equal([hex('12', 32)]);
    await repos.transactions.update(row.id + 1, { status: 'replaced' });
    expect((await repos.transactions.inStatuses(['replaced', 'mined'], { chainId: 1337 })).length).to.equal(2);
    expect((await repos.transactions.markFailed(row.id + 2, 'reverted: nope'))?.lastError).to.equal('reverted: nope');
    expect(seen).to.deep.equal(['queued', 'queued', 'queued', 'sent', 'sent', 'mined', 'replaced', 'failed']);
    expect(await repos.transactions.get(12345)).to.equal(undefined);
  });

  it('reserves nonces above both the stored one and the chain pending count; releases the last', async function () {
    expect(await repos.workerNonces.reserve(1337, worker, 5n)).to.equal('5');
    expect(await repos.workerNonces.reserve(1337, worker, 0)).to.equal('6');
    expect(await repos.workerNonces.reserve(1337, worker, '10')).to.equal('10');
    expect(await repos.workerNonces.release(1337, worker, 9n)).to.equal(false);
    expect(await repos.workerNonces.release(1337, worker, 10n)).to.equal(true);
    expect(await repos.workerNonces.get(1337, worker)).to.deep.equal({ chainId: 1337, worker, nextNonce: '10' });
    expect(await repos.workerNonces.reserve(1405, worker, 0)).to.equal('0');
  });

  it('concurrent reservations never hand out the same nonce', async function () {
    const nonces = await Promise.all(Array.from({ length: 20 }, () => repos.workerNonces.reserve(1337, worker, 0)));
    expect(new Set(nonces).size).to.equal(20);
  });
});
