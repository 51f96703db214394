import { expect } from 'chai';
import type { Fees } from '../../../src/chain/fees';
import type { OutboxPort, OutboxRequest } from '../../../src/chain/tx-engine/outbox-port';

const WORKER = `0x${'31'.repeat(20)}`;
const FEES: Fees = { type: 'eip1559', maxFeePerGas: 20n, maxPriorityFeePerGas: 2n };

function request(subject: string, overrides: Partial<OutboxRequest> = {}): OutboxRequest {
  return { chainId: 1000, worker: WORKER, purpose: 'approveBounty', subject, to: `0x${'70'.repeat(20)}`, data: '0x', value: 0n, gas: 21_000n, ...overrides };
}

/** What every OutboxPort must do, run against SqlOutbox and the in-memory fake. */
export function describeOutbox(name: string, open: () => Promise<{ outbox: OutboxPort; close(): Promise<void> }>): void {
  describe(`outbox contract: ${name}`, () => {
    let outbox: OutboxPort;
    let close: () => Promise<void>;
    /** One after the other: concurrent inserts may take ids in any order (PostgreSQL). */
    const queueInOrder = async (subjects: string[]) => {
      const records = [];
      for (const subject of subjects) records.push((await outbox.enqueue(request(subject))).record);
      return records;
    };
    beforeEach(async () => ({ outbox, close } = await open()));
    afterEach(async () => close());

    it('queues a step of a subject once per chain: the second enqueue returns the first record', async () => {
      const first = await outbox.enqueue(request('a'));
      const second = await outbox.enqueue(request('a', { data: '0x1234' }));
      const otherChain = await outbox.enqueue(request('a', { chainId: 1405 }));
      expect([first.created, second.created, otherChain.created]).to.deep.equal([true, false, true]);
      expect(second.record.id).to.equal(first.record.id);
      expect(second.record.data).to.equal('0x');
      expect((await outbox.find(1000, 'approveBounty', 'a'))!.id).to.equal(first.record.id);
    });

    it('queues a step once however many enqueue it at the same time: one is created, all get its record', async () => {
      const all = await Promise.all(Array.from({ length: 5 }, () => outbox.enqueue(request('b'))));
      expect(all.filter((r) => r.created)).to.have.length(1);
      expect(new Set(all.map((r) => r.record.id)).size).to.equal(1);
      expect(all[0].record).to.include({ status: 'queued', subject: 'b', attempts: 0 });
    });

    it('hands out queued records oldest first, not before their time, and lists sent ones by nonce', async () => {
      const a = (await outbox.enqueue(request('a'))).record;
      const b = (await outbox.enqueue(request('b'))).record;
      await outbox.defer(a.id, 'fees above the cap', 5_000);
      expect((await outbox.queued(1000, WORKER, 1_000, 10)).map((r) => r.id), 'a deferred').to.deep.equal([b.id]);
      expect((await outbox.queued(1000, WORKER, 5_000, 10)).map((r) => r.id)).to.deep.equal([a.id, b.id]);
      expect((await outbox.queued(1000, WORKER, 5_000, 1)).map((r) => r.id), 'at most the limit').to.deep.equal([a.id]);
      expect((await outbox.get(a.id))!.attempts, 'deferring is no attempt').to.equal(0);
      await outbox.markSigned(b.id, { nonce: 8n, fees: FEES, txHash: '0xb1', rawTransaction: '0xraw' });
      await outbox.markSigned(a.id, { nonce: 7n, fees: FEES, txHash: '0xa1', rawTransaction: '0xraw' });
      await outbox.markSigned(a.id, { nonce: 7n, fees: FEES, txHash: '0xa2', rawTransaction: '0xraw2' });
      const inFlight = await outbox.inFlight(1000, WORKER);
      expect(inFlight.map((r) => [r.nonce, r.txHash, r.txHashes])).to.deep.equal([
        [7n, '0xa2', ['0xa1', '0xa2']],
        [8n, '0xb1', ['0xb1']],
      ]);
      expect(inFlight[0].fees).to.deep.equal(FEES);
    });

    it('reserves nonces atomically from the higher of the stored and the chain\'s, and gives back only the last one', async () => {
      const reserved = await Promise.all([outbox.reserveNonce(1000, WORKER, 5n), outbox.reserveNonce(1000, WORKER, 5n), outbox.reserveNonce(1000, WORKER, 5n)]);
      expect([...reserved].sort()).to.deep.equal([5n, 6n, 7n]);
      await outbox.releaseNonce(1000, WORKER, 6n); // not the last one: kept
      expect(await outbox.reserveNonce(1000, WORKER, 0n)).to.equal(8n);
      await outbox.releaseNonce(1000, WORKER, 8n);
      expect(await outbox.reserveNonce(1000, WORKER, 0n)).to.equal(8n);
      await outbox.resetNonce(1000, WORKER, 3n);
      expect(await outbox.reserveNonce(1000, WORKER, 2n)).to.equal(3n);
    });

    it('gives a worker\'s very first nonces to many concurrent reservations without a clash or a failure', async () => {
      const fresh = `0x${'fe'.repeat(20)}`;
      const reserved = await Promise.all(Array.from({ length: 8 }, () => outbox.reserveNonce(1001, fresh, 0n)));
      expect([...reserved].sort((a, b) => Number(a - b))).to.deep.equal([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    });

    it('signs a batch with consecutive nonces in one write, skipping a record settled meanwhile (it takes no nonce)', async () => {
      const [a, b, c] = await queueInOrder(['a', 'b', 'c']);
      await outbox.resetNonce(1000, WORKER, 4n);
      await outbox.markFailed(b.id, 'abandoned');
      const signed = await outbox.signInOrder(1000, WORKER, [a, b, c], (record, nonce) => ({ fees: FEES, txHash: `0x${record.subject}${nonce}`, rawTransaction: `0xraw${nonce}` }));
      expect(signed.map((s) => [s.record.id, s.signed.nonce, s.signed.txHash])).to.deep.equal([[a.id, 4n, '0xa4'], [c.id, 5n, '0xc5']]);
      const stored = await outbox.inFlight(1000, WORKER);
      expect(stored.map((r) => [r.id, r.nonce, r.txHashes, r.rawTransaction, r.attempts])).to.deep.equal([[a.id, 4n, ['0xa4'], '0xraw4', 1], [c.id, 5n, ['0xc5'], '0xraw5', 1]]);
      expect((await outbox.get(b.id))!.status, 'the settled record is left alone').to.equal('failed');
      expect(await outbox.reserveNonce(1000, WORKER, 0n)).to.equal(6n);
    });

    it('puts signed but unbroadcast records back in the queue and the next nonce back where the refused one was', async () => {
      const [a, b, c] = await queueInOrder(['a', 'b', 'c']);
      const signed = await outbox.signInOrder(1000, WORKER, [a, b, c], (record, nonce) => ({ fees: FEES, txHash: `0x${record.subject}${nonce}`, rawTransaction: '0xraw' }));
      await outbox.markFailed(a.id, 'rejected by the node: insufficient funds');
      await outbox.unsign(1000, WORKER, signed.slice(1).map((s) => ({ id: s.record.id, txHash: s.signed.txHash })), 0n);
      const queued = await outbox.queued(1000, WORKER, Date.now(), 10);
      expect(queued.map((r) => [r.id, r.status, r.nonce, r.txHash, r.txHashes, r.rawTransaction])).to.deep.equal([
        [b.id, 'queued', undefined, undefined, [], undefined],
        [c.id, 'queued', undefined, undefined, [], undefined],
      ]);
      expect(await outbox.inFlight(1000, WORKER)).to.deep.equal([]);
      expect(await outbox.reserveNonce(1000, WORKER, 0n)).to.equal(0n);
    });

    it('settles records: mined, reverted (failed with the reason), failed, retried', async () => {
      const ids = await Promise.all(['m', 'r', 'f', 't'].map(async (s) => (await outbox.enqueue(request(s))).record.id));
      await outbox.markMined(ids[0], { txHash: '0x1', blockNumber: 9n, success: true });
      await outbox.markMined(ids[1], { txHash: '0x2', blockNumber: 9n, success: false, error: 'reverted: no allowance' });
      await outbox.markFailed(ids[2], 'would revert');
      await outbox.markRetry(ids[3], 'RPC down', 100);
      const [m, r, f, t] = await Promise.all(ids.map((id) => outbox.get(id)));
      expect([m!.status, m!.minedBlock, r!.status, r!.lastError, f!.status, t!.status, t!.attempts, t!.notBefore]).to.deep.equal([
        'mined', 9n, 'failed', 'reverted: no allowance', 'failed', 'queued', 1, 100,
      ]);
      expect((await outbox.unsettled(1000, 'approveBounty')).map((x) => x.subject)).to.deep.equal(['t']);
    });

    it('queues a failed record again for an operator as if new (no nonce, no hashes), and nothing else', async () => {
      const failed = (await outbox.enqueue(request('failed'))).record.id;
      const mined = (await outbox.enqueue(request('mined'))).record.id;
      for (const id of [failed, mined]) await outbox.markSigned(id, { nonce: BigInt(id), fees: FEES, txHash: `0x${id}`, rawTransaction: '0xraw' });
      await outbox.markMined(failed, { txHash: `0x${failed}`, blockNumber: 9n, success: false, error: 'reverted' });
      await outbox.markMined(mined, { txHash: `0x${mined}`, blockNumber: 9n, success: true });

      expect(await outbox.requeueFailed(failed, 'requeued by an operator')).to.equal(true);
      expect(await outbox.requeueFailed(mined, 'requeued by an operator'), 'a mined record stays mined').to.equal(false);
      const again = (await outbox.get(failed))!;
      expect([again.status, again.nonce, again.txHash, again.txHashes, again.rawTransaction, again.attempts, again.lastError, again.minedBlock]).to.deep.equal([
        'queued', undefined, undefined, [], undefined, 0, 'requeued by an operator', undefined,
      ]);
      expect((await outbox.queued(1000, WORKER, Date.now(), 1))[0].id).to.equal(failed);
      expect((await outbox.get(mined))!.status).to.equal('mined');
    });

    it('cancels a record only while it is queued (never one signed or sent)', async () => {
      const queued = (await outbox.enqueue(request('queued'))).record.id;
      const sent = (await outbox.enqueue(request('sent'))).record.id;
      await outbox.markSigned(sent, { nonce: 1n, fees: FEES, txHash: '0x1', rawTransaction: '0xraw' });
      expect(await outbox.cancelQueued(queued, 'abandoned by an operator')).to.equal(true);
      expect(await outbox.cancelQueued(sent, 'abandoned by an operator')).to.equal(false);
      const [q, s] = await Promise.all([outbox.get(queued), outbox.get(sent)]);
      expect([q!.status, q!.lastError, s!.status]).to.deep.equal(['failed', 'abandoned by an operator', 'sent']);
    });

    it('tells the stored next nonce of a worker, none before its first reservation', async () => {
      expect(await outbox.storedNonce(1000, WORKER)).to.equal(undefined);
      await outbox.reserveNonce(1000, WORKER, 4n);
      expect(await outbox.storedNonce(1000, WORKER)).to.equal(5n);
    });
  });
}
