import { expect } from 'chai';
import { LocalSigner } from '../../../src/chain/local-signer';
import { SqlOutbox } from '../../../src/chain/tx-engine/sql-outbox';
import { TransactionEngine } from '../../../src/chain/tx-engine/transaction-engine';
import type { Devnet } from '../../../src/devnet/devnet';
import { silentLogger } from '../../../src/logging/logger';
import { Eip20Token } from '../../../src/mosaic/contracts';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { startTestDevnet } from '../../helpers/devnet';

describe('transaction engine on a real chain with a SQLite outbox', function () {
  this.timeout(60_000);
  let devnet: Devnet;
  let db: TestDatabase;
  let engine: TransactionEngine;
  let outbox: SqlOutbox;
  let worker: string;
  let token: Eip20Token;

  before(async () => {
    devnet = await startTestDevnet({ stakers: 1 });
  });
  after(async () => devnet?.close());

  beforeEach(async () => {
    db = await openTestDatabase();
    outbox = new SqlOutbox(db.knex);
    const account = devnet.info.accounts.find((a) => a.role === 'worker')!;
    worker = account.address;
    token = new Eip20Token(devnet.origin.client, devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress);
    engine = new TransactionEngine({
      client: devnet.origin.client,
      signers: new Map([[worker, new LocalSigner(account.privateKey)]]),
      outbox,
      stuckAfterMs: 300,
      pollIntervalMs: 20,
      logger: silentLogger(),
    });
    engine.start();
  });
  afterEach(async () => {
    await engine.stop();
    await db.close();
  });

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
    await devnet.origin.client.rpc.request('miner_stop', []);
    let id: number;
    try {
      const { record } = await engine.submit({ ...approve('0x00000000000000000000000000000000000000a4', 4n), purpose: 'approve-unsettled' });
      id = record.id;
      expect((await engine.unsettled('approve-unsettled')).map((r) => r.id)).to.deep.equal([record.id]);
      expect(await engine.unsettled('another-purpose')).to.deep.equal([]);
    } finally {
      await devnet.origin.client.rpc.request('miner_start', []);
    }
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

  it('keeps consecutive nonces for a burst of transactions of one worker', async () => {
    const submitted = await Promise.all(
      [1n, 2n, 3n, 4n, 5n].map((n) => engine.submit(approve(`0x00000000000000000000000000000000000000b${n}`, n))),
    );
    const outcomes = await Promise.all(submitted.map((s) => engine.waitFor(s.record.id)));
    expect(outcomes.every((o) => o.status === 'mined')).to.equal(true);
    const nonces = outcomes.map((o) => Number(o.nonce)).sort((a, b) => a - b);
    for (let i = 1; i < nonces.length; i++) expect(nonces[i]).to.equal(nonces[i - 1] + 1);
  });

  it('does not replace a transaction while the chain mines no blocks (slow is not stuck)', async () => {
    await devnet.origin.client.rpc.request('miner_stop', []);
    let id: number;
    try {
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000c2', 3n));
      id = record.id;
      await new Promise((r) => setTimeout(r, 1_500)); // 5× the stuck delay, under the 10× fallback
      const current = await outbox.get(record.id);
      expect(current!.status).to.equal('sent');
      expect(current!.txHashes).to.have.length(1);
    } finally {
      await devnet.origin.client.rpc.request('miner_start', []);
    }
    expect((await engine.waitFor(id)).status).to.equal('mined');
  });

  it('replaces a stuck transaction at the same nonce with a higher gas price', async () => {
    await devnet.origin.client.rpc.request('miner_stop', []);
    try {
      const { record } = await engine.submit(approve('0x00000000000000000000000000000000000000c1', 9n));
      // Wait until the engine has replaced it at least once.
      const deadline = Date.now() + 10_000;
      let current = await outbox.get(record.id);
      while ((current?.txHashes.length ?? 0) < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        current = await outbox.get(record.id);
      }
      expect(current!.txHashes.length).to.be.greaterThan(1);
      expect(engine.metrics.replaced).to.be.greaterThan(0);
    } finally {
      await devnet.origin.client.rpc.request('miner_start', []);
    }
    const outcome = await engine.waitFor((await outbox.list({ chainId: devnet.origin.chainId, status: ['sent', 'mined'] }))[0].id);
    expect(outcome.status).to.equal('mined');
    expect(await token.allowance(worker, '0x00000000000000000000000000000000000000c1')).to.equal(9n);
  });
});
