import { expect } from 'chai';
import { createRepositories, type Repositories } from '../../../src/db/repositories';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { hex, stakeRequest } from './rows';

describe('StakeRequestRepository', function () {
  let db: TestDatabase;
  let repos: Repositories;
  beforeEach(async () => {
    db = await openTestDatabase();
    repos = createRepositories(db.knex);
  });
  afterEach(async () => db.close());

  it('inserts once, stores uint256 as decimal text and addresses lowercase', async function () {
    const first = await repos.stakeRequests.insert(stakeRequest({ staker: hex('5A', 20) }));
    expect(first.created).to.equal(true);
    expect(first.row).to.include({
      state: 'REQUESTED',
      amount: (10n ** 30n).toString(),
      gasPrice: '1',
      gasLimit: '2',
      nonce: '0',
      blockNumber: '10',
      staker: hex('5a', 20),
      originChainId: 1337,
      messageHash: null,
    });
    const again = await repos.stakeRequests.insert(stakeRequest({ amount: 1n }));
    expect(again.created).to.equal(false);
    expect(again.row.amount).to.equal((10n ** 30n).toString());
    const raw = await db.knex('stake_requests').first();
    expect(raw.amount).to.equal('1000000000000000000000000000000');
  });

  it('upserts, gets, lists and queries by state in event order', async function () {
    await repos.stakeRequests.insert(stakeRequest({ stakeRequestHash: hex('01', 32), blockNumber: 9n }));
    await repos.stakeRequests.insert(stakeRequest({ stakeRequestHash: hex('02', 32), blockNumber: 10n }));
    await repos.stakeRequests.insert(stakeRequest({ stakeRequestHash: hex('03', 32), blockNumber: 100n, state: 'IGNORED' }));
    await repos.stakeRequests.setState(hex('02', 32), 'ACCEPTING', { messageHash: hex('ee', 32) });
    const upserted = await repos.stakeRequests.upsert(stakeRequest({ stakeRequestHash: hex('02', 32), blockNumber: 8n, reason: 'moved' }));
    expect(upserted).to.include({ blockNumber: '8', reason: 'moved', state: 'ACCEPTING', messageHash: hex('ee', 32) });
    await repos.stakeRequests.upsert(stakeRequest({ stakeRequestHash: hex('02', 32), blockNumber: 8n, state: 'REQUESTED' }));
    const requested = await repos.stakeRequests.inStates(['REQUESTED']);
    expect(requested.map((r) => r.stakeRequestHash)).to.deep.equal([hex('02', 32), hex('01', 32)]);
    expect((await repos.stakeRequests.inStates(['REQUESTED', 'IGNORED'], 2)).length).to.equal(2);
    expect((await repos.stakeRequests.list({ state: 'IGNORED' })).map((r) => r.blockNumber)).to.deep.equal(['100']);
    expect(await repos.stakeRequests.list({ staker: hex('5A', 20) }, { first: 2, skip: 1 })).to.have.length(2);
    expect(await repos.stakeRequests.get(hex('FF', 32))).to.equal(undefined);
  });

  it('numeric ordering holds past 2^53 and across digit counts', async function () {
    await repos.stakeRequests.insert(stakeRequest({ stakeRequestHash: hex('01', 32), blockNumber: 9007199254740993n }));
    await repos.stakeRequests.insert(stakeRequest({ stakeRequestHash: hex('02', 32), blockNumber: 99n }));
    expect((await repos.stakeRequests.inStates(['REQUESTED'])).map((r) => r.blockNumber)).to.deep.equal(['99', '9007199254740993']);
  });

  it('setState records reason and message hash', async function () {
    await repos.stakeRequests.insert(stakeRequest());
    const row = await repos.stakeRequests.setState(stakeRequest().stakeRequestHash, 'ACCEPTING', { messageHash: hex('EE', 32), reason: 'ok' });
    expect(row).to.include({ state: 'ACCEPTING', messageHash: hex('ee', 32), reason: 'ok' });
    expect(await repos.stakeRequests.setState(hex('99', 32), 'FAILED')).to.equal(undefined);
  });

  it('rejects malformed values before they reach the database', async function () {
    let error: unknown;
    try {
      await repos.stakeRequests.insert(stakeRequest({ amount: '-5' }));
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.contain('amount must be a non-negative whole number');
  });
});
