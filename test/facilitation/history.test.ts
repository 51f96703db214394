import { expect } from 'chai';
import type { Knex } from 'knex';
import { SqlFacilitationStore } from '../../src/facilitation/sql-facilitation-store';
import { MessageStatus } from '../../src/mosaic/message-status';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { openTestPostgresDatabase } from '../helpers/postgres';
import { MESSAGE_HASH, REQUEST_HASH, stakeMessage, stakeRequest } from './facilitation-store-contract';

describe('facilitation history (written with each transition)', () => {
  let db: TestDatabase;
  beforeEach(async () => (db = await openTestDatabase()));
  afterEach(async () => db.close());

  it('records every state change and box status move with its event, reason, block and transaction, and nothing for a replay', async () => {
    const store = new SqlFacilitationStore(db.knex);
    const tx = `0x${'aa'.repeat(32)}`;
    await store.apply({ kind: 'requestSeen', request: stakeRequest() });
    await store.apply({ kind: 'requestSeen', request: stakeRequest() }); // a replay changes nothing
    await store.apply({ kind: 'acceptancePrepared', message: stakeMessage() });
    await store.apply({ kind: 'sourceStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared, declarationHeight: 42n, evidence: { txHash: tx } });
    await store.apply({ kind: 'targetStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared, evidence: { blockNumber: 50n, txHash: tx } });
    await store.apply({ kind: 'sourceStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Progressed, evidence: { blockNumber: 51n, txHash: tx } });

    const request = (await store.history(REQUEST_HASH)).map((e) => [e.from, e.state, e.event, e.blockNumber, e.txHash]);
    expect(request).to.deep.equal([
      [undefined, 'REQUESTED', 'requestSeen', 10n, `0x${'77'.repeat(32)}`],
      ['REQUESTED', 'ACCEPTING', 'acceptancePrepared', undefined, undefined],
      ['ACCEPTING', 'ACCEPTED', 'sourceStatusSeen', 42n, tx],
    ]);
    const message = (await store.history(MESSAGE_HASH)).map((e) => [e.from, e.state, e.sourceStatus, e.targetStatus, e.event, e.blockNumber]);
    expect(message, 'progressStake mined while progressMint waits: a row, same state').to.deep.equal([
      [undefined, 'ACCEPTING', MessageStatus.Undeclared, MessageStatus.Undeclared, 'acceptancePrepared', undefined],
      ['ACCEPTING', 'DECLARED', MessageStatus.Declared, MessageStatus.Undeclared, 'sourceStatusSeen', 42n],
      ['DECLARED', 'CONFIRMED', MessageStatus.Declared, MessageStatus.Declared, 'targetStatusSeen', 50n],
      ['CONFIRMED', 'CONFIRMED', MessageStatus.Progressed, MessageStatus.Declared, 'sourceStatusSeen', 51n],
    ]);
  });

  it('records an operator\'s retry and abandon with who asked and why, even when the state does not change', async () => {
    const store = new SqlFacilitationStore(db.knex);
    const failedTx = `0x${'bb'.repeat(32)}`;
    await store.apply({ kind: 'requestSeen', request: stakeRequest() });
    await store.apply({ kind: 'acceptancePrepared', message: stakeMessage() });
    await store.apply({ kind: 'sourceStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared, declarationHeight: 42n });
    await store.apply({ kind: 'targetStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared });
    await store.apply({ kind: 'adminRetry', messageHash: MESSAGE_HASH, note: 'retried by an operator (admin API, 127.0.0.1): progressMint requeued', evidence: { txHash: failedTx } });
    await store.apply({ kind: 'adminAbandon', messageHash: MESSAGE_HASH, reason: 'abandoned by an operator (admin API, 127.0.0.1): staker asked' });

    const rows = (await store.history(MESSAGE_HASH)).slice(-2).map((e) => [e.from, e.state, e.event, e.reason, e.txHash]);
    expect(rows).to.deep.equal([
      ['CONFIRMED', 'CONFIRMED', 'adminRetry', 'retried by an operator (admin API, 127.0.0.1): progressMint requeued', failedTx],
      ['CONFIRMED', 'ADMIN_ABANDONED', 'adminAbandon', 'abandoned by an operator (admin API, 127.0.0.1): staker asked', undefined],
    ]);
    const stored = await store.getMessage(MESSAGE_HASH);
    expect([stored!.state, stored!.unlockSecret], 'the secret stays in the database').to.deep.equal(['ADMIN_ABANDONED', stakeMessage().unlockSecret]);
  });
});

const hex = (byte: string) => `0x${byte.repeat(32)}`;
const pause = () => new Promise((resolve) => setTimeout(resolve, 15));

for (const [name, open] of [
  ['SQLite', openTestDatabase],
  ['PostgreSQL (a real server)', openTestPostgresDatabase],
] as const) {
  describe(`request history and oldest waits: ${name}`, function () {
    this.timeout(60_000);
    let db: { knex: Knex; close(): Promise<void> };
    beforeEach(async () => (db = await open()));
    afterEach(async () => db.close());

    it('records a redeem request\u2019s transitions: seen, accepting, taken by another facilitator; an ignored one', async () => {
      const store = new SqlFacilitationStore(db.knex);
      const redeem = { direction: 'REDEEM' as const };
      await store.apply({ kind: 'requestSeen', request: stakeRequest({ ...redeem, stakeRequestHash: hex('a1') }) });
      await store.apply({ kind: 'acceptancePrepared', message: stakeMessage({ ...redeem, stakeRequestHash: hex('a1'), messageHash: hex('b1') }) });
      await store.apply({ kind: 'requestTaken', stakeRequestHash: hex('a1') });
      await store.apply({ kind: 'requestSeen', request: stakeRequest({ ...redeem, stakeRequestHash: hex('a2') }) });
      await store.apply({ kind: 'requestIgnored', stakeRequestHash: hex('a2'), reason: 'gas price 1 below the minimum 2' });

      const taken = await store.history(hex('a1'));
      expect(taken.map((e) => [e.direction, e.record, e.from, e.state, e.event])).to.deep.equal([
        ['REDEEM', 'request', undefined, 'REQUESTED', 'requestSeen'],
        ['REDEEM', 'request', 'REQUESTED', 'ACCEPTING', 'acceptancePrepared'],
        ['REDEEM', 'request', 'ACCEPTING', 'TAKEN', 'requestTaken'],
      ]);
      expect(taken.every((e, i) => i === 0 || e.at >= taken[i - 1].at)).to.equal(true);
      expect((await store.history(hex('b1'))).map((e) => e.state), 'its message abandoned').to.deep.equal(['ACCEPTING', 'ABANDONED']);
      const ignored = await store.history(hex('a2'));
      expect(ignored.map((e) => [e.state, e.reason])).to.deep.equal([
        ['REQUESTED', undefined],
        ['IGNORED', 'gas price 1 below the minimum 2'],
      ]);
    });

    it('oldest waits: when the longest-waiting record entered its state, per record, direction and state; final ones left out', async () => {
      const store = new SqlFacilitationStore(db.knex);
      const declare = async (request: string, message: string) => {
        await store.apply({ kind: 'requestSeen', request: stakeRequest({ stakeRequestHash: request }) });
        await store.apply({ kind: 'acceptancePrepared', message: stakeMessage({ stakeRequestHash: request, messageHash: message }) });
        await store.apply({ kind: 'sourceStatusSeen', messageHash: message, status: MessageStatus.Declared, declarationHeight: 5n });
      };
      await declare(hex('c1'), hex('d1'));
      await pause();
      await declare(hex('c2'), hex('d2'));
      await store.apply({ kind: 'targetStatusSeen', messageHash: hex('d2'), status: MessageStatus.Declared });
      await store.apply({ kind: 'requestSeen', request: stakeRequest({ stakeRequestHash: hex('c3'), direction: 'REDEEM' }) });
      await store.apply({ kind: 'requestSeen', request: stakeRequest({ stakeRequestHash: hex('c4') }) });
      await store.apply({ kind: 'requestIgnored', stakeRequestHash: hex('c4'), reason: 'not ours' });

      const entered = async (hash: string, state: string) => (await store.history(hash)).find((e) => e.state === state)!.at;
      const oldest = await store.oldestWaiting();
      expect(oldest).to.have.deep.members([
        { record: 'message', direction: 'STAKE', state: 'DECLARED', since: await entered(hex('d1'), 'DECLARED') },
        { record: 'message', direction: 'STAKE', state: 'CONFIRMED', since: await entered(hex('d2'), 'CONFIRMED') },
        { record: 'request', direction: 'REDEEM', state: 'REQUESTED', since: await entered(hex('c3'), 'REQUESTED') },
      ]);
      expect(await entered(hex('d1'), 'DECLARED')).to.be.below(await entered(hex('d2'), 'DECLARED'));
    });

    it('a record from before the history counts from its last update', async () => {
      const store = new SqlFacilitationStore(db.knex);
      await store.apply({ kind: 'requestSeen', request: stakeRequest({ stakeRequestHash: hex('e1') }) });
      await db.knex('facilitation_history').where({ hash: hex('e1') }).del();
      await db.knex('stake_requests').where({ stake_request_hash: hex('e1') }).update({ updated_at: 1_000 });
      expect(await store.oldestWaiting()).to.deep.equal([{ record: 'request', direction: 'STAKE', state: 'REQUESTED', since: 1_000 }]);
    });
  });
}
