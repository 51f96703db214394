import { expect } from 'chai';
import { createRepositories, type MessageRow, type Repositories, type StakeRequestRow } from '../../../src/db/repositories';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { message, stakeRequest } from './rows';

describe('Repositories: change observables and shared transactions', function () {
  let db: TestDatabase;
  let repos: Repositories;
  let requests: StakeRequestRow[];
  let messages: MessageRow[];

  beforeEach(async function () {
    db = await openTestDatabase();
    repos = createRepositories(db.knex);
    requests = [];
    messages = [];
    repos.stakeRequests.changes$.subscribe((row) => requests.push(row));
    repos.messages.changes$.subscribe((row) => messages.push(row));
  });
  afterEach(async function () {
    repos.complete();
    await db.close();
  });

  /** Records COMMIT/ROLLBACK statements and emissions in the order they happen. */
  function recordOrder(): string[] {
    const order: string[] = [];
    db.knex.on('query', (query: { sql: string }) => {
      if (/^(COMMIT|ROLLBACK)/i.test(query.sql.trim())) order.push(query.sql.trim().replace(/;$/, '').split(' ')[0].toUpperCase());
    });
    repos.stakeRequests.changes$.subscribe(() => order.push('emit'));
    return order;
  }

  it('a single write emits after its COMMIT', async function () {
    const order = recordOrder();
    await repos.stakeRequests.insert(stakeRequest());
    expect(order).to.deep.equal(['COMMIT', 'emit']);
    expect(requests).to.have.length(1);
    expect(requests[0]).to.include({ state: 'REQUESTED', stakeRequestHash: stakeRequest().stakeRequestHash });
  });

  it('writes in one transaction emit only after commit, in write order', async function () {
    const order = recordOrder();
    const result = await repos.inTransaction(async (tx) => {
      await tx.stakeRequests.insert(stakeRequest());
      await tx.messages.insert(message());
      await tx.stakeRequests.setState(stakeRequest().stakeRequestHash, 'ACCEPTING', { messageHash: message().messageHash });
      expect(requests, 'nothing emitted before commit').to.deep.equal([]);
      expect(messages).to.deep.equal([]);
      expect(tx.transaction).to.not.equal(undefined);
      return 'done';
    });
    expect(result).to.equal('done');
    expect(order.filter((e) => e !== 'COMMIT').length).to.equal(2);
    expect(order.indexOf('emit')).to.be.greaterThan(order.lastIndexOf('COMMIT'));
    expect(requests.map((r) => r.state)).to.deep.equal(['REQUESTED', 'ACCEPTING']);
    expect(messages.map((m) => m.messageHash)).to.deep.equal([message().messageHash]);
    expect(messages[0]).not.to.have.property('unlockSecret');
  });

  it('a rolled-back transaction emits nothing and writes nothing', async function () {
    const order = recordOrder();
    let error: unknown;
    try {
      await repos.inTransaction(async (tx) => {
        await tx.stakeRequests.insert(stakeRequest());
        await tx.messages.insert(message());
        throw new Error('boom');
      });
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.equal('boom');
    expect(order).to.deep.equal(['ROLLBACK']);
    expect(requests).to.deep.equal([]);
    expect(messages).to.deep.equal([]);
    expect(await repos.stakeRequests.get(stakeRequest().stakeRequestHash)).to.equal(undefined);
    expect(await repos.messages.get(message().messageHash)).to.equal(undefined);
  });

  it('a failed write inside a transaction is undone alone (savepoint); the rest commits', async function () {
    await repos.inTransaction(async (tx) => {
      await tx.stakeRequests.insert(stakeRequest());
      await tx.transactions.enqueue({ chainId: 1, worker: message().worker, purpose: 'p', subject: 's', to: message().gateway, data: '0x', gas: 1 });
      let failed = false;
      try {
        await tx.gateways.raiseProvenHeight(2, message().gateway, message().coGateway, 5); // ok
        await tx.gateways.raiseProvenHeight(3, message().gateway, message().coGateway, 6); // same address, other chain: error
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
    });
    expect(requests).to.have.length(1);
    expect((await repos.gateways.get(2, message().gateway))?.lastProvenHeight).to.equal('5');
    expect(await repos.transactions.bySubject(1, 'p', 's')).to.not.equal(undefined);
  });

  it('nested inTransaction joins the open transaction', async function () {
    await repos.inTransaction(async (tx) =>
      tx.inTransaction(async (inner) => {
        expect(inner).to.equal(tx);
        await inner.stakeRequests.insert(stakeRequest());
      }),
    );
    expect(requests).to.have.length(1);
  });

  it('a write that changes nothing emits nothing', async function () {
    await repos.stakeRequests.insert(stakeRequest());
    await repos.stakeRequests.insert(stakeRequest());
    await repos.stakeRequests.setState(stakeRequest().stakeRequestHash, 'REQUESTED');
    expect(requests).to.have.length(1);
  });
});
