import { expect } from 'chai';
import type { FacilitationChange, MessageRecord, StakeRequestRecord } from '../../src/facilitation/model';
import { SqlFacilitationStore } from '../../src/facilitation/sql-facilitation-store';
import { MessageStatus } from '../../src/mosaic/message-status';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

const hex = (byte: string, bytes: number) => `0x${byte.repeat(bytes)}`;

function request(overrides: Partial<StakeRequestRecord> = {}): StakeRequestRecord {
  return {
    stakeRequestHash: hex('11', 32),
    composer: hex('c0', 20),
    gateway: hex('9a', 20),
    staker: hex('5a', 20),
    stakerProxy: hex('5b', 20),
    amount: 10n ** 20n,
    beneficiary: hex('be', 20),
    gasPrice: 1n,
    gasLimit: 2n,
    nonce: 0n,
    blockNumber: 10n,
    transactionHash: hex('77', 32),
    state: 'REQUESTED',
    ...overrides,
  };
}

function message(overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    messageHash: hex('ee', 32),
    stakeRequestHash: hex('11', 32),
    gateway: hex('9a', 20),
    coGateway: hex('9b', 20),
    sender: hex('5b', 20),
    staker: hex('5a', 20),
    nonce: 0n,
    amount: 10n ** 20n,
    beneficiary: hex('be', 20),
    gasPrice: 1n,
    gasLimit: 2n,
    hashLock: hex('ab', 32),
    unlockSecret: hex('cd', 32),
    worker: hex('33', 20),
    sourceStatus: MessageStatus.Undeclared,
    targetStatus: MessageStatus.Undeclared,
    state: 'ACCEPTING',
    ...overrides,
  };
}

describe('facilitation store on SQLite', () => {
  let db: TestDatabase;
  let store: SqlFacilitationStore;
  let changes: FacilitationChange[];

  beforeEach(async () => {
    db = await openTestDatabase();
    store = new SqlFacilitationStore(db.knex);
    changes = [];
    store.changes$.subscribe((change) => changes.push(change));
  });
  afterEach(async () => db.close());

  it('records a stake request once, however often the event is replayed', async () => {
    await store.recordStakeRequest(request());
    await store.recordStakeRequest(request({ amount: 1n }));
    const stored = await store.getStakeRequest(hex('11', 32));
    expect(stored!.amount).to.equal(10n ** 20n);
    expect(changes.filter((c) => c.kind === 'stakeRequest')).to.have.length(1);
  });

  it('keeps the first unlock secret of a request: a second acceptance returns the stored message', async () => {
    await store.recordStakeRequest(request());
    const first = await store.recordAcceptance(message());
    const second = await store.recordAcceptance(message({ messageHash: hex('ef', 32), unlockSecret: hex('00', 32) }));
    expect(second.messageHash).to.equal(first.messageHash);
    expect(second.unlockSecret).to.equal(hex('cd', 32));
    expect((await store.getStakeRequest(hex('11', 32)))!.state).to.equal('ACCEPTING');
    expect(await store.getMessage(hex('ef', 32))).to.equal(undefined);
  });

  it('keeps final request states, except that the composer\'s revocation or rejection explains TAKEN, IGNORED and FAILED', async () => {
    const cases: Array<[StakeRequestRecord['state'], StakeRequestRecord['state'], StakeRequestRecord['state']]> = [
      ['TAKEN', 'REVOKED', 'REVOKED'],
      ['IGNORED', 'REJECTED', 'REJECTED'],
      ['FAILED', 'REVOKED', 'REVOKED'],
      ['ACCEPTED', 'REVOKED', 'ACCEPTED'],
      ['REVOKED', 'REJECTED', 'REVOKED'],
      ['TAKEN', 'FAILED', 'TAKEN'],
    ];
    for (const [index, [from, to, expected]] of cases.entries()) {
      const hash = `0x${(index + 1).toString(16).padStart(64, '0')}`;
      await store.recordStakeRequest(request({ stakeRequestHash: hash }));
      await store.setStakeRequestState(hash, from, { reason: 'first' });
      await store.setStakeRequestState(hash, to);
      expect((await store.getStakeRequest(hash))!.state, `${from} then ${to}`).to.equal(expected);
    }
  });

  it('records a request closed on chain before it was seen as closed, and closes a known one at once', async () => {
    const early = hex('21', 32);
    await store.recordClosure(early, 'REVOKED');
    await store.recordClosure(early, 'REVOKED'); // the event replayed
    const recorded = await store.recordStakeRequest(request({ stakeRequestHash: early }));
    expect(recorded.state).to.equal('REVOKED');
    expect(recorded.reason).to.match(/closed by the composer/);

    const known = hex('22', 32);
    await store.recordStakeRequest(request({ stakeRequestHash: known }));
    await store.recordClosure(known, 'REJECTED');
    expect((await store.getStakeRequest(known))!.state).to.equal('REJECTED');
  });

  it('moves message states with the message boxes, never backwards', async () => {
    await store.recordStakeRequest(request());
    await store.recordAcceptance(message());
    await store.updateSourceStatus(hex('ee', 32), MessageStatus.Declared, 42n);
    let stored = (await store.getMessage(hex('ee', 32)))!;
    expect(stored.state).to.equal('DECLARED');
    expect(stored.declarationHeight).to.equal(42n);
    expect((await store.getStakeRequest(hex('11', 32)))!.state).to.equal('ACCEPTED');

    await store.setMessageState(hex('ee', 32), 'CONFIRMING');
    await store.updateTargetStatus(hex('ee', 32), MessageStatus.Declared, 50n);
    expect((await store.getMessage(hex('ee', 32)))!.state).to.equal('CONFIRMED');

    await store.updateSourceStatus(hex('ee', 32), MessageStatus.Progressed);
    await store.updateSourceStatus(hex('ee', 32), MessageStatus.Declared); // a late replay
    await store.updateTargetStatus(hex('ee', 32), MessageStatus.Progressed);
    stored = (await store.getMessage(hex('ee', 32)))!;
    expect(stored.sourceStatus).to.equal(MessageStatus.Progressed);
    expect(stored.state).to.equal('COMPLETED');
  });

  it('after a reorg: a lost request is ORPHANED with its message ABANDONED (declaration cleared, secret kept), and revived when it reappears', async () => {
    await store.recordStakeRequest(request());
    await store.recordAcceptance(message());
    await store.updateSourceStatus(hex('ee', 32), MessageStatus.Declared, 42n);
    expect((await store.getStakeRequest(hex('11', 32)))!.state).to.equal('ACCEPTED');
    changes.length = 0;

    await store.recordLostRequest(hex('11', 32), 'ORPHANED', 'reorganised away');
    const orphaned = (await store.getStakeRequest(hex('11', 32)))!;
    expect([orphaned.state, orphaned.reason]).to.deep.equal(['ORPHANED', 'reorganised away']);
    let stored = (await store.getMessage(hex('ee', 32)))!;
    expect([stored.state, stored.reason, stored.sourceStatus, stored.declarationHeight, stored.unlockSecret]).to.deep.equal([
      'ABANDONED',
      'reorganised away',
      MessageStatus.Undeclared,
      undefined,
      hex('cd', 32),
    ]);
    expect(changes.map((c) => c.kind).sort()).to.deep.equal(['message', 'stakeRequest']);
    await store.recordLostRequest(hex('11', 32), 'ORPHANED', 'reorganised away'); // seen again: no change
    expect(changes).to.have.length(2);
    await store.setStakeRequestState(hex('11', 32), 'TAKEN');
    expect((await store.getStakeRequest(hex('11', 32)))!.state, 'final').to.equal('ORPHANED');

    // The same request mined again (a node re-injected it): REQUESTED at its new block, the message ACCEPTING.
    await store.recordStakeRequest(request({ blockNumber: 12n, transactionHash: hex('78', 32) }));
    const revived = (await store.getStakeRequest(hex('11', 32)))!;
    expect([revived.state, revived.reason, revived.blockNumber, revived.transactionHash]).to.deep.equal(['REQUESTED', undefined, 12n, hex('78', 32)]);
    stored = (await store.getMessage(hex('ee', 32)))!;
    expect([stored.state, stored.reason, stored.unlockSecret]).to.deep.equal(['ACCEPTING', undefined, hex('cd', 32)]);
  });

  it('after a reorg: an acceptance lost while the request stands goes back to ACCEPTING; a confirmed message is left alone', async () => {
    await store.recordStakeRequest(request());
    await store.recordAcceptance(message());
    await store.updateSourceStatus(hex('ee', 32), MessageStatus.Declared, 42n);
    await store.reopenAcceptance(hex('11', 32), 'acceptance reorganised away');
    expect((await store.getStakeRequest(hex('11', 32)))!.state).to.equal('ACCEPTING');
    let stored = (await store.getMessage(hex('ee', 32)))!;
    expect([stored.state, stored.sourceStatus, stored.declarationHeight, stored.reason]).to.deep.equal(['ACCEPTING', 0, undefined, 'acceptance reorganised away']);
    // Declared again at another height: followed from there.
    await store.updateSourceStatus(hex('ee', 32), MessageStatus.Declared, 47n);
    stored = (await store.getMessage(hex('ee', 32)))!;
    expect([stored.state, stored.declarationHeight]).to.deep.equal(['DECLARED', 47n]);
    await store.moveDeclaration(hex('ee', 32), 49n);
    expect((await store.getMessage(hex('ee', 32)))!.declarationHeight).to.equal(49n);

    await store.updateTargetStatus(hex('ee', 32), MessageStatus.Declared, 50n);
    await store.recordLostRequest(hex('11', 32), 'ORPHANED', 'reorganised away');
    expect((await store.getMessage(hex('ee', 32)))!.state, 'confirmed on the auxiliary chain').to.equal('CONFIRMED');
  });

  it('an ABANDONED message whose declaration shows up on chain after all is carried on (DECLARED)', async () => {
    await store.recordStakeRequest(request());
    await store.recordAcceptance(message());
    await store.setMessageState(hex('ee', 32), 'ABANDONED', 'looked taken');
    await store.updateTargetStatus(hex('ee', 32), MessageStatus.Undeclared);
    expect((await store.getMessage(hex('ee', 32)))!.state).to.equal('ABANDONED');
    await store.updateSourceStatus(hex('ee', 32), MessageStatus.Declared, 44n);
    const stored = (await store.getMessage(hex('ee', 32)))!;
    expect([stored.state, stored.declarationHeight]).to.deep.equal(['DECLARED', 44n]);
  });

  it('emits a change only after the write is visible, and none for a no-op', async () => {
    await store.recordStakeRequest(request());
    await store.recordAcceptance(message());
    const seen: string[] = [];
    store.changes$.subscribe((change) => {
      if (change.kind === 'message') {
        void store.getMessage(change.record.messageHash).then((m) => seen.push(m!.state));
      }
    });
    const before = changes.length;
    await store.updateSourceStatus(hex('ee', 32), MessageStatus.Declared, 42n);
    await store.updateSourceStatus(hex('ee', 32), MessageStatus.Declared, 42n);
    await new Promise((r) => setTimeout(r, 20));
    expect(changes.length - before).to.equal(2); // the message and its stake request, once
    expect(seen).to.deep.equal(['DECLARED']);
  });

  it('only raises proven and anchored heights', async () => {
    await store.recordGatewayProven(hex('9a', 20), hex('9b', 20), 10n);
    await store.recordGatewayProven(hex('9a', 20), hex('9b', 20), 5n);
    expect((await store.getGateway(hex('9a', 20)))!.lastProvenHeight).to.equal(10n);
    await store.recordAnchoredHeight(hex('a1', 20), 1405, 7n);
    await store.recordAnchoredHeight(hex('a1', 20), 1405, 3n);
    expect((await store.getAnchor(hex('a1', 20)))!.lastAnchoredHeight).to.equal(7n);
    expect(changes.filter((c) => c.kind === 'gateway' || c.kind === 'anchor')).to.have.length(2);
  });
});
