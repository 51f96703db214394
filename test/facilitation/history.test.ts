import { expect } from 'chai';
import { SqlFacilitationStore } from '../../src/facilitation/sql-facilitation-store';
import { MessageStatus } from '../../src/mosaic/message-status';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
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
