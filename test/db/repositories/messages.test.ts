import { expect } from 'chai';
import { createRepositories, MessageStatus, type Repositories } from '../../../src/db/repositories';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { hex, message } from './rows';

describe('MessageRepository', function () {
  let db: TestDatabase;
  let repos: Repositories;
  beforeEach(async () => {
    db = await openTestDatabase();
    repos = createRepositories(db.knex);
  });
  afterEach(async () => db.close());

  it('stores the unlock secret but never returns it in rows', async function () {
    const { row, created } = await repos.messages.insert(message());
    expect(created).to.equal(true);
    expect(row).to.include({ type: 'stake', state: 'ACCEPTING', sourceStatus: MessageStatus.Undeclared, hashLock: hex('4c', 32) });
    expect(JSON.stringify(row)).not.to.contain('5e5e5e');
    expect(JSON.stringify(await repos.messages.get(message().messageHash))).not.to.contain('5e5e5e');
    expect(JSON.stringify(await repos.messages.inStates(['ACCEPTING']))).not.to.contain('5e5e5e');
    expect(await repos.messages.unlockSecret(message().messageHash.toUpperCase().replace('0X', '0x'))).to.equal(hex('5e', 32));
    expect((await repos.messages.insert(message({ amount: 1n }))).created).to.equal(false);
  });

  it('updates with a patch or a function of the current row; emits only on change', async function () {
    const emitted: string[] = [];
    repos.messages.changes$.subscribe((m) => emitted.push(`${m.state}/${m.sourceStatus}`));
    await repos.messages.insert(message());
    const declared = await repos.messages.update(message().messageHash, { sourceStatus: MessageStatus.Declared, declarationHeight: 42n, state: 'DECLARED' });
    expect(declared).to.include({ sourceStatus: 1, declarationHeight: '42', state: 'DECLARED' });
    // Raise only upwards:
    const same = await repos.messages.update(message().messageHash, (current) => ({
      sourceStatus: Math.max(current.sourceStatus, MessageStatus.Undeclared) as MessageStatus,
    }));
    expect(same?.sourceStatus).to.equal(MessageStatus.Declared);
    expect(emitted).to.deep.equal(['ACCEPTING/0', 'DECLARED/1']);
    expect(await repos.messages.update(hex('00', 32), { state: 'FAILED' })).to.equal(undefined);
  });

  it('finds by stake request, lists, counts by state', async function () {
    await repos.messages.insert(message());
    await repos.messages.insert(message({ messageHash: hex('ef', 32), stakeRequestHash: hex('12', 32), state: 'CONFIRMED' }));
    expect((await repos.messages.forStakeRequest(hex('12', 32)))?.messageHash).to.equal(hex('ef', 32));
    expect(await repos.messages.countByState()).to.deep.equal([
      { state: 'ACCEPTING', count: 1 },
      { state: 'CONFIRMED', count: 1 },
    ]);
    expect((await repos.messages.list({ state: 'CONFIRMED' })).map((m) => m.messageHash)).to.deep.equal([hex('ef', 32)]);
    expect(await repos.messages.list({ staker: hex('5a', 20) }, { first: 1 })).to.have.length(1);
  });

  it('refuses a secret that is not 32 bytes', async function () {
    let error: unknown;
    try {
      await repos.messages.insert(message({ unlockSecret: '0x1234' }));
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.contain('unlockSecret must be 32 bytes');
    expect(String(error)).not.to.contain('1234');
  });
});
