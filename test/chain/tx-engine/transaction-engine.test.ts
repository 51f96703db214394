import { expect } from 'chai';
import { FeeOracle } from '../../../src/chain/fees';
import { LocalSigner } from '../../../src/chain/local-signer';
import { acquireNewHeads } from '../../../src/chain/new-heads';
import { SqlOutbox } from '../../../src/chain/tx-engine/sql-outbox';
import { NonceResyncRefusedError, TransactionEngine } from '../../../src/chain/tx-engine/transaction-engine';
import { startDevChain, type DevChain } from '../../../src/devnet/anvil-chain';
import type { Devnet } from '../../../src/devnet/devnet';
import { silentLogger } from '../../../src/logging/logger';
import { Eip20Token } from '../../../src/mosaic/contracts';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { openTestPostgresDatabase } from '../../helpers/postgres';
import { startTestDevnet } from '../../helpers/devnet';
import { startManualMiner, type ManualMiner } from '../../helpers/manual-miner';

const GWEI = 1_000_000_000n;

interface RpcTransaction {
  type: string;
  nonce: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
}

function describeEngine(name: string, open: () => Promise<{ knex: TestDatabase['knex']; close(): Promise<void> }>): void {
  describe(`transaction engine on a real chain with a ${name} outbox`, function () {
    this.timeout(60_000);
    let devnet: Devnet;
    let db: { knex: TestDatabase['knex']; close(): Promise<void> };
    let engine: TransactionEngine;
    let outbox: SqlOutbox;
    let worker: string;
    let token: Eip20Token;
    let miner: ManualMiner;
    let signer: LocalSigner;

    before(async () => {
      // A block per transaction while deploying, then blocks every 100 ms from a miner the tests control.
      devnet = await startTestDevnet({ stakers: 1, blockTimeMs: 0 });
      miner = await startManualMiner(devnet.origin.client);
    });
    after(async () => {
      await miner?.stop();
      await devnet?.close();
    });

    const startEngine = (fees?: FeeOracle, confirmations?: number) => {
      engine = new TransactionEngine({
        client: devnet.origin.client,
        signers: new Map([[worker, signer]]),
        outbox,
        stuckAfterMs: 300,
        pollIntervalMs: 20,
        confirmations,
        fees: fees ?? new FeeOracle(devnet.origin.client, 'auto', undefined, 0),
        logger: silentLogger(),
      });
      engine.start();
    };

    beforeEach(async () => {
      db = await open();
      outbox = new SqlOutbox(db.knex);
      const account = devnet.info.accounts.find((a) => a.role === 'worker')!;
      worker = account.address;
      signer = new LocalSigner(account.privateKey);
      token = new Eip20Token(devnet.origin.client, devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress);
      miner.resume();
      miner.holdBaseFee(undefined);
      startEngine();
    });
    afterEach(async () => {
      miner.resume();
      miner.holdBaseFee(undefined);
      await engine.stop();
      await db.close();
    });

    const transaction = (hash: string) => devnet.origin.client.rpc.request<RpcTransaction>('eth_getTransactionByHash', [hash]);
    const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };

    const approve = (spender: string, amount: bigint) => {
      const call = token.approve(spender, amount);
      return { worker, purpose: 'approve', subject: `${spender}:${amount}`, to: call.to, data: call.data, value: 0n, gas: call.gas };
    };

    it('sends a queued transaction, waits for its receipt and records it mined', async () => {
      const spender = '0x00000000000000000000000000000000000000a1';
      const { record, created } = await engine.submit(approve(spender, 5n));
      expect(created).to.equal(true);
      const outcome = await engine.waitFor(record.id);
      expect(outcome.status).to.equal('mined');
      expect(outcome.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(await token.allowance(worker, spender)).to.equal(5n);
    });

    it('with newHeads, records a receipt as soon as its block is announced, not at the next poll', async () => {
      await engine.stop();
      let provided = 0;
      engine = new TransactionEngine({
        client: devnet.origin.client,
        signers: new Map([[worker, signer]]),
        outbox,
        pollIntervalMs: 30_000,
        fees: new FeeOracle(devnet.origin.client, 'auto', undefined, 0),
        heads: () => (provided++, acquireNewHeads(devnet.origin.client.rpc.url, silentLogger())),
        logger: silentLogger(),
      });
      engine.start();
      await new Promise((r) => setTimeout(r, 200)); // the subscription is up before the first pass sleeps
      const started = Date.now();
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000a9', 9n));
      const outcome = await engine.waitFor(record.id);
      expect(outcome.status).to.equal('mined');
      expect(provided).to.equal(1);
      // Polling alone would look again after 30 s.
      expect(Date.now() - started).to.be.lessThan(5_000);
    });

    it('sends type-2 (EIP-1559) transactions on a chain whose blocks carry a base fee', async () => {
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000a6', 6n));
      const outcome = await engine.waitFor(record.id);
      const tx = await transaction(outcome.txHash!);
      expect(tx.type).to.equal('0x2');
      expect(outcome.fees?.type).to.equal('eip1559');
      const block = await devnet.origin.client.getBlock(outcome.minedBlock!);
      expect(BigInt(tx.maxFeePerGas!) >= BigInt(block.baseFeePerGas!)).to.equal(true);
    });

    it('never queues the same step of the same subject twice', async () => {
      const spender = '0x00000000000000000000000000000000000000a2';
      const first = await engine.submit(approve(spender, 7n));
      const second = await engine.submit(approve(spender, 7n));
      expect(second.created).to.equal(false);
      expect(second.record.id).to.equal(first.record.id);
      await engine.waitFor(first.record.id);
      const rows = await db.knex('transactions').where({ purpose: 'approve', subject: `${spender}:7` });
      expect(rows).to.have.length(1);
    });

    it('lists a purpose\'s records as unsettled until they are final', async () => {
      miner.pause();
      const { record } = await engine.submit({ ...approve('0x00000000000000000000000000000000000000a4', 4n), purpose: 'approve-unsettled' });
      const id = record.id;
      expect((await engine.unsettled('approve-unsettled')).map((r) => r.id)).to.deep.equal([record.id]);
      expect(await engine.unsettled('another-purpose')).to.deep.equal([]);
      miner.resume();
      await engine.waitFor(id);
      expect(await engine.unsettled('approve-unsettled')).to.deep.equal([]);
    });

    it('leaves no nonce gap after a crash between reserving a nonce and persisting its transaction', async () => {
      // What a process killed right after reserveNonce leaves behind: the stored counter one ahead of the chain.
      const pending = await devnet.origin.client.getTransactionCount(worker, 'pending');
      await outbox.reserveNonce(devnet.origin.chainId, worker, pending);
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000a5', 5n));
      const outcome = await Promise.race([
        engine.waitFor(record.id),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not mined within 20 s: sent behind a nonce gap')), 20_000)),
      ]);
      expect(outcome.status).to.equal('mined');
      expect(outcome.nonce).to.equal(pending);
    });

    it('records a transaction that would revert as failed with the reason, without sending it', async () => {
      const nonceBefore = await devnet.origin.client.getTransactionCount(worker, 'latest');
      const call = token.transfer('0x00000000000000000000000000000000000000a3', 10n ** 40n);
      const { record } = await engine.submit({ worker, purpose: 'transfer', subject: 'too-much', to: call.to, data: call.data, value: 0n, gas: call.gas });
      const outcome = await engine.waitFor(record.id);
      expect(outcome.status).to.equal('failed');
      expect(outcome.lastError).to.match(/EIP20Token|transfer|revert/i);
      expect(await devnet.origin.client.getTransactionCount(worker, 'latest')).to.equal(nonceBefore);
    });

    it('records a transaction the node refuses deterministically (funds) as failed at once, unsent, without retries', async () => {
      const nonceBefore = await devnet.origin.client.getTransactionCount(worker, 'latest');
      const balance = await devnet.origin.client.getBalance(worker);
      const recipient = '0x00000000000000000000000000000000000000a9';
      const { record } = await engine.submit({ worker, purpose: 'pay', subject: 'more-than-the-balance', to: recipient, data: '0x', value: balance * 2n, gas: 21_000n });
      const outcome = await engine.waitFor(record.id);
      expect(outcome.status).to.equal('failed');
      expect(outcome.attempts).to.equal(0);
      expect(outcome.lastError).to.match(/^not sent: eth_call: .*insufficient funds/i);
      expect(await devnet.origin.client.getTransactionCount(worker, 'latest')).to.equal(nonceBefore);
    });

    it('sends what was queued behind a transaction the node refused at broadcast, with no nonce gap', async () => {
      await engine.stop(); // queued while stopped: the three go out in one batch
      const balance = await devnet.origin.client.getBalance(worker);
      // The call itself passes (eth_call does not charge gas), its gas does not fit in the balance: refused.
      const refused = await engine.submit({ worker, purpose: 'pay', subject: 'value-leaves-no-gas', to: '0x00000000000000000000000000000000000000aa', data: '0x', value: balance - 1_000n, gas: 21_000n });
      const behind = await Promise.all([engine.submit(approve('0x00000000000000000000000000000000000000d1', 1n)), engine.submit(approve('0x00000000000000000000000000000000000000d2', 2n))]);
      const nonceBefore = await devnet.origin.client.getTransactionCount(worker, 'latest');
      startEngine();
      const failed = await engine.waitFor(refused.record.id);
      expect(failed.status).to.equal('failed');
      expect(failed.lastError).to.match(/^rejected by the node: .*(insufficient funds|lack of funds)/i);
      const outcomes = await Promise.all(behind.map((b) => engine.waitFor(b.record.id)));
      expect(outcomes.map((o) => o.status)).to.deep.equal(['mined', 'mined']);
      expect(outcomes.map((o) => o.nonce)).to.deep.equal([BigInt(nonceBefore), BigInt(nonceBefore) + 1n]);
    });

    it('sends a failed record again once an operator requeues it, from a fresh nonce', async () => {
      const client = devnet.origin.client;
      const balance = await client.getBalance(worker);
      const pay = { worker, purpose: 'pay', subject: 'requeued', to: '0x00000000000000000000000000000000000000aa', data: '0x', value: balance + 1n, gas: 21_000n };
      const { record } = await engine.submit(pay);
      expect((await engine.waitFor(record.id)).status).to.equal('failed');
      await client.rpc.request('anvil_setBalance', [worker, `0x${(balance * 2n).toString(16)}`]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await outbox.get(record.id))!.status, 'a failed record is not tried again on its own').to.equal('failed');
      expect(await engine.requeue(record.id, 'requeued by an operator')).to.equal(true);
      const outcome = await engine.waitFor(record.id);
      expect([outcome.status, outcome.nonce]).to.deep.equal(['mined', await client.getTransactionCount(worker, 'latest') - 1n]);
      expect(await engine.requeue(record.id, 'again'), 'a mined record is never requeued').to.equal(false);
    });

    it('resyncs a worker\'s next nonce from the chain when none of its transactions is in flight', async () => {
      const client = devnet.origin.client;
      expect((await engine.waitFor((await engine.submit(approve('0x00000000000000000000000000000000000000d1', 1n))).record.id)).status).to.equal('mined');
      const pending = await client.getTransactionCount(worker, 'pending');
      // A counter ahead of the chain (e.g. an outside tool changed the database): later sends would sit above a gap.
      await outbox.resetNonce(devnet.origin.chainId, worker, pending + 5n);
      const done = await engine.resyncNonce(worker.toUpperCase().replace('0X', '0x'));
      expect([done.previous, done.next, done.mined]).to.deep.equal([pending + 5n, pending, pending]);
      const outcome = await engine.waitFor((await engine.submit(approve('0x00000000000000000000000000000000000000d2', 2n))).record.id);
      expect([outcome.status, outcome.nonce]).to.deep.equal(['mined', pending]);
    });

    it('refuses a nonce resync while a transaction of the worker is in flight, naming its nonce, and changes nothing', async () => {
      miner.pause();
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000d3', 3n));
      await until('it is sent', async () => (await outbox.get(record.id))!.status === 'sent');
      const sent = (await outbox.get(record.id))!;
      const stored = await outbox.storedNonce(devnet.origin.chainId, worker);
      const error = await engine.resyncNonce(worker).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(NonceResyncRefusedError);
      expect((error as Error).message).to.contain(`nonce ${sent.nonce}`);
      expect(await outbox.storedNonce(devnet.origin.chainId, worker)).to.equal(stored);
      const unknown = await engine.resyncNonce('0x00000000000000000000000000000000000000d4').then(() => undefined, (e: unknown) => e);
      expect((unknown as Error).message).to.match(/is not a worker on chain/);
      miner.resume();
      expect((await engine.waitFor(record.id)).status).to.equal('mined');
    });

    it('keeps consecutive nonces for a burst of transactions of one worker', async () => {
      const submitted = await Promise.all(
        [1n, 2n, 3n, 4n, 5n].map((n) => engine.submit(approve(`0x00000000000000000000000000000000000000b${n}`, n))),
      );
      const outcomes = await Promise.all(submitted.map((s) => engine.waitFor(s.record.id)));
      expect(outcomes.every((o) => o.status === 'mined')).to.equal(true);
      const nonces = outcomes.map((o) => Number(o.nonce)).sort((a, b) => a - b);
      for (let i = 1; i < nonces.length; i++) expect(nonces[i]).to.equal(nonces[i - 1] + 1);
    });

    it('records a transaction mined only once it has the confirmation depth', async () => {
      await engine.stop();
      startEngine(undefined, 4);
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000a7', 7n));
      const outcome = await engine.waitFor(record.id);
      expect(outcome.status).to.equal('mined');
      expect((await devnet.origin.client.blockNumber()) - outcome.minedBlock! + 1n >= 4n).to.equal(true);
    });

    it('does not replace a transaction while the chain mines no blocks (slow is not stuck)', async () => {
      miner.pause();
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000c2', 3n));
      await new Promise((r) => setTimeout(r, 1_500)); // 5× the stuck delay, under the 10× fallback
      const current = await outbox.get(record.id);
      expect(current!.status).to.equal('sent');
      expect(current!.txHashes).to.have.length(1);
      miner.resume();
      expect((await engine.waitFor(record.id)).status).to.equal('mined');
    });

    it('replaces a transaction left behind by a base fee raised under it, with both fee fields bumped, and gets it mined', async () => {
      miner.pause();
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000c1', 9n));
      await until('the approve is sent', async () => (await outbox.get(record.id))?.status === 'sent');
      const first = (await outbox.get(record.id))!;
      if (first.fees?.type !== 'eip1559') throw new Error('expected a type-2 transaction');
      const spike = first.fees.maxFeePerGas * 4n;
      // Replaced transactions vanish from the node: watch the outbox for the fees of each broadcast.
      const seen = [first.fees];
      let watching = true;
      const watch = (async () => {
        while (watching) {
          const fees = (await outbox.get(record.id))!.fees;
          if (fees?.type === 'eip1559' && fees.maxFeePerGas !== seen[seen.length - 1].maxFeePerGas) seen.push(fees);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      miner.holdBaseFee(spike);
      miner.resume();
      const outcome = await engine.waitFor(record.id);
      watching = false;
      await watch;
      expect(outcome.status).to.equal('mined');
      expect(outcome.txHashes.length).to.be.greaterThan(1);
      expect(engine.metrics.replaced).to.be.greaterThan(0);
      const mined = await transaction(outcome.txHash!);
      expect(mined.type).to.equal('0x2');
      expect(BigInt(mined.maxFeePerGas!) >= spike).to.equal(true);
      // Every replacement raised both fields by at least 12.5% over the one before it.
      expect(seen.length).to.be.greaterThan(1);
      for (let i = 1; i < seen.length; i++) {
        const [before, after] = [seen[i - 1], seen[i]];
        if (before?.type !== 'eip1559' || after?.type !== 'eip1559') throw new Error('expected type-2 fees');
        expect(after.maxFeePerGas * 1000n >= before.maxFeePerGas * 1125n).to.equal(true);
        expect(after.maxPriorityFeePerGas * 1000n >= before.maxPriorityFeePerGas * 1125n).to.equal(true);
      }
      expect(await token.allowance(worker, '0x00000000000000000000000000000000000000c1')).to.equal(9n);
    });

    it('never offers more than the cap: a send that needs more waits (and says so), then goes once fees fall', async () => {
      await engine.stop();
      const cap = 5n * GWEI;
      startEngine(new FeeOracle(devnet.origin.client, 'auto', cap, 0));
      miner.holdBaseFee(20n * GWEI);
      await miner.blocks(2);
      const nonceBefore = await devnet.origin.client.getTransactionCount(worker, 'pending');
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000c3', 3n));
      await until('the engine reports the wait', async () => engine.feeCapWait() !== undefined);
      await new Promise((r) => setTimeout(r, 500));
      const waiting = (await outbox.get(record.id))!;
      expect(waiting.status).to.equal('queued');
      expect(waiting.attempts).to.equal(0);
      expect(waiting.lastError).to.match(/above the cap/);
      expect(engine.feeCapWait()!.capPerGas).to.equal(cap);
      expect(engine.feeCapWait()!.neededPerGas > cap).to.equal(true);
      expect(await devnet.origin.client.getTransactionCount(worker, 'pending')).to.equal(nonceBefore);
      miner.holdBaseFee(GWEI / 2n);
      const outcome = await engine.waitFor(record.id);
      expect(outcome.status).to.equal('mined');
      expect(engine.feeCapWait()).to.equal(undefined);
      for (const hash of outcome.txHashes) expect(BigInt((await transaction(hash)).maxFeePerGas!) <= cap).to.equal(true);
    });

    it('holds a stuck transaction at the cap instead of bumping past it', async () => {
      await engine.stop();
      const cap = 3n * GWEI;
      miner.holdBaseFee(GWEI / 2n);
      await miner.blocks(2);
      startEngine(new FeeOracle(devnet.origin.client, 'auto', cap, 0));
      miner.pause();
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000c4', 4n));
      await until('the approve is sent', async () => (await outbox.get(record.id))?.status === 'sent');
      miner.holdBaseFee(10n * GWEI);
      miner.resume();
      await until('the engine reports the stuck transaction held at the cap', async () => engine.feeCapWait() !== undefined);
      const held = (await outbox.get(record.id))!;
      expect(held.status).to.equal('sent');
      expect(held.fees?.type === 'eip1559' && held.fees.maxFeePerGas <= cap).to.equal(true);
      // anvil refuses (and drops) a transaction below the base fee; the engine re-broadcasts it as it is.
      const pending = await transaction(held.txHash!);
      if (pending) expect(BigInt(pending.maxFeePerGas!) <= cap).to.equal(true);
      miner.holdBaseFee(GWEI / 2n);
      expect((await engine.waitFor(record.id)).status).to.equal('mined');
    });
  });
}

describeEngine('SQLite', openTestDatabase);
describeEngine('PostgreSQL (a real server)', openTestPostgresDatabase);

describe('transaction engine on a chain without a base fee (pre-London)', function () {
  this.timeout(60_000);
  let chain: DevChain;
  let db: TestDatabase;

  before(async () => {
    chain = await startDevChain({ chainId: 4242, port: 0, totalAccounts: 1, blockTimeMs: 0, legacyOnly: true });
    db = await openTestDatabase();
  });
  after(async () => {
    await db?.close();
    await chain?.close();
  });

  it('picks legacy transactions on its own (txType auto) and gets them mined', async () => {
    const account = chain.accounts[0];
    const engine = new TransactionEngine({
      client: chain.client,
      signers: new Map([[account.address, new LocalSigner(account.privateKey)]]),
      outbox: new SqlOutbox(db.knex),
      pollIntervalMs: 20,
      logger: silentLogger(),
    });
    engine.start();
    try {
      const recipient = '0x00000000000000000000000000000000000000d1';
      const { record } = await engine.submit({ worker: account.address, purpose: 'pay', subject: 'legacy', to: recipient, data: '0x', value: 7n, gas: 21_000n });
      const outcome = await engine.waitFor(record.id);
      expect(outcome.status).to.equal('mined');
      expect(await engine.txType()).to.equal('legacy');
      expect(outcome.fees?.type).to.equal('legacy');
      const tx = await chain.client.rpc.request<RpcTransaction>('eth_getTransactionByHash', [outcome.txHash]);
      expect(tx.type).to.equal('0x0');
      expect(await chain.client.getBalance(recipient)).to.equal(7n);
    } finally {
      await engine.stop();
    }
  });
});
