import { expect } from 'chai';
import type { FacilitationChange, MessageRecord, StakeRequestRecord } from '../../src/facilitation/model';
import type { StakeEvent } from '../../src/facilitation/stake/events';
import type { FacilitationStore } from '../../src/facilitation/store-port';
import { MessageStatus } from '../../src/mosaic/message-status';

const hex = (byte: string, bytes: number) => `0x${byte.repeat(bytes)}`;
export const REQUEST_HASH = hex('11', 32);
export const MESSAGE_HASH = hex('ee', 32);

export function stakeRequest(overrides: Partial<StakeRequestRecord> = {}): StakeRequestRecord {
  return {
    direction: 'STAKE',
    stakeRequestHash: REQUEST_HASH,
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

export function stakeMessage(overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    direction: 'STAKE',
    messageHash: MESSAGE_HASH,
    stakeRequestHash: REQUEST_HASH,
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

export interface OpenedStore {
  store: FacilitationStore;
  close(): Promise<void>;
}

/**
 * What every FacilitationStore must do, run against the SQL store and the in-memory fake: persist the
 * transitions' results, read them back, notify after the write and only on a change.
 */
export function describeFacilitationStore(name: string, open: () => Promise<OpenedStore>): void {
  describe(`facilitation store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: FacilitationStore;
    let changes: FacilitationChange[];
    const apply = (event: StakeEvent) => store.apply(event);
    const declared = (height?: bigint): StakeEvent => ({ kind: 'sourceStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared, declarationHeight: height });

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      changes = [];
      store.changes$.subscribe((change) => changes.push(change));
    });
    afterEach(async () => opened.close());

    it('records a stake request once, however often the event is replayed', async () => {
      await apply({ kind: 'requestSeen', request: stakeRequest() });
      await apply({ kind: 'requestSeen', request: stakeRequest({ amount: 1n }) });
      expect((await store.getStakeRequest(REQUEST_HASH))!.amount).to.equal(10n ** 20n);
      expect(changes).to.have.length(1);
      expect(await store.stakeRequestsInState(['REQUESTED'])).to.have.length(1);
    });

    it('keeps the first unlock secret of a request: a second acceptance returns the stored message', async () => {
      await apply({ kind: 'requestSeen', request: stakeRequest() });
      const first = (await apply({ kind: 'acceptancePrepared', message: stakeMessage() })).next.message!;
      const second = (await apply({ kind: 'acceptancePrepared', message: stakeMessage({ messageHash: hex('ef', 32), unlockSecret: hex('00', 32) }) })).next.message!;
      expect(second.messageHash).to.equal(first.messageHash);
      expect((await store.messageForStakeRequest(REQUEST_HASH))!.unlockSecret).to.equal(hex('cd', 32));
      expect((await store.getStakeRequest(REQUEST_HASH))!.state).to.equal('ACCEPTING');
      expect(await store.getMessage(hex('ef', 32))).to.equal(undefined);
    });

    it('keeps a closure that arrives before its request, and applies it when the request is seen', async () => {
      await apply({ kind: 'requestClosed', stakeRequestHash: REQUEST_HASH, by: 'REVOKED' });
      await apply({ kind: 'requestClosed', stakeRequestHash: REQUEST_HASH, by: 'REVOKED' });
      expect(await store.getStakeRequest(REQUEST_HASH)).to.equal(undefined);
      const seen = await apply({ kind: 'requestSeen', request: stakeRequest() });
      expect(seen.next.request!.state).to.equal('REVOKED');
      expect((await store.getStakeRequest(REQUEST_HASH))!.reason).to.match(/closed by the composer/);
    });

    it('moves a message with the message boxes, never backwards, and finds it by state', async () => {
      await apply({ kind: 'requestSeen', request: stakeRequest() });
      await apply({ kind: 'acceptancePrepared', message: stakeMessage() });
      await apply(declared(42n));
      expect((await store.getMessage(MESSAGE_HASH))!.declarationHeight).to.equal(42n);
      expect((await store.getStakeRequest(REQUEST_HASH))!.state).to.equal('ACCEPTED');
      expect((await store.messagesInState(['DECLARED'])).map((m) => m.messageHash)).to.deep.equal([MESSAGE_HASH]);
      await apply({ kind: 'confirmQueued', messageHash: MESSAGE_HASH });
      await apply({ kind: 'targetStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared, confirmedHeight: 50n });
      await apply({ kind: 'sourceStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Progressed });
      await apply(declared()); // a late replay
      await apply({ kind: 'targetStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Progressed });
      const stored = (await store.getMessage(MESSAGE_HASH))!;
      expect([stored.state, stored.sourceStatus, stored.confirmedHeight]).to.deep.equal(['COMPLETED', MessageStatus.Progressed, 50n]);
    });

    it('after a reorg: ORPHANED keeps the secret and clears the declaration; the request reappearing revives both', async () => {
      await apply({ kind: 'requestSeen', request: stakeRequest() });
      await apply({ kind: 'acceptancePrepared', message: stakeMessage() });
      await apply(declared(42n));
      await apply({ kind: 'requestLost', stakeRequestHash: REQUEST_HASH, state: 'ORPHANED', reason: 'reorganised away' });
      let message = (await store.getMessage(MESSAGE_HASH))!;
      expect([message.state, message.sourceStatus, message.declarationHeight, message.unlockSecret]).to.deep.equal(['ABANDONED', 0, undefined, hex('cd', 32)]);
      await apply({ kind: 'requestSeen', request: stakeRequest({ blockNumber: 12n, transactionHash: hex('78', 32) }) });
      const revived = (await store.getStakeRequest(REQUEST_HASH))!;
      expect([revived.state, revived.reason, revived.blockNumber, revived.transactionHash]).to.deep.equal(['REQUESTED', undefined, 12n, hex('78', 32)]);
      message = (await store.getMessage(MESSAGE_HASH))!;
      expect([message.state, message.reason, message.unlockSecret]).to.deep.equal(['ACCEPTING', undefined, hex('cd', 32)]);
    });

    it('notifies after the write is visible, once per change and never for a no-op', async () => {
      await apply({ kind: 'requestSeen', request: stakeRequest() });
      await apply({ kind: 'acceptancePrepared', message: stakeMessage() });
      const seen: string[] = [];
      store.changes$.subscribe((change) => {
        if (change.kind === 'stake' && change.transition.changed.message) void store.getMessage(MESSAGE_HASH).then((m) => seen.push(m!.state));
      });
      const before = changes.length;
      await apply(declared(42n));
      await apply(declared(42n));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(changes.length - before).to.equal(1);
      expect(seen).to.deep.equal(['DECLARED']);
    });

    it('applies a batch of events in order, each as apply would, and notifies each change once', async () => {
      const transitions = await store.applyAll([
        { kind: 'requestSeen', request: stakeRequest() },
        { kind: 'acceptancePrepared', message: stakeMessage() },
        declared(42n),
        declared(42n), // a replay within the batch
      ]);
      expect(transitions.map((t) => t.next.message?.state ?? t.next.request?.state)).to.deep.equal(['REQUESTED', 'ACCEPTING', 'DECLARED', 'DECLARED']);
      expect(transitions[3].changed).to.deep.equal({ request: false, message: false, closure: false });
      expect(changes).to.have.length(3);
      expect((await store.getMessage(MESSAGE_HASH))!.declarationHeight).to.equal(42n);
      expect((await store.getStakeRequest(REQUEST_HASH))!.state).to.equal('ACCEPTED');
      expect(await store.applyAll([])).to.deep.equal([]);
    });

    it('ignores events about messages it does not hold', async () => {
      const transition = await apply(declared(42n));
      expect(transition.changed).to.deep.equal({ request: false, message: false, closure: false });
      expect(changes).to.have.length(0);
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
}
