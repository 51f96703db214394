import { expect } from 'chai';
import { ChainClient } from '../../src/chain/chain-client';
import { HttpJsonRpc } from '../../src/chain/json-rpc';
import { LocalSigner } from '../../src/chain/local-signer';
import { SqlOutbox } from '../../src/chain/tx-engine/sql-outbox';
import { TransactionEngine } from '../../src/chain/tx-engine/transaction-engine';
import { requestStake, type RequestedStake } from '../../src/devnet/demo-staker';
import type { Devnet } from '../../src/devnet/devnet';
import type { FacilitationContext } from '../../src/facilitation/context';
import { FacilitationEngine } from '../../src/facilitation/facilitation-engine';
import { MAX_ACCEPT_ATTEMPTS } from '../../src/facilitation/services/accept-stake-request';
import { encodeStep, STEP_PURPOSES } from '../../src/facilitation/steps';
import { buildFacilitationContext } from '../../src/facilitator/facilitation-context';
import { handleEntityBatch, type HandlerContext } from '../../src/facilitation/handlers';
import { SqlFacilitationStore } from '../../src/facilitation/sql-facilitation-store';
import { silentLogger } from '../../src/logging/logger';
import { MessageStatus } from '../../src/mosaic/message-status';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';

/**
 * The state machine against real contracts and a real SQLite file. The subgraph is left out here:
 * StakeRequested entities are handed to the handlers as the stream would deliver them; every later
 * step is driven by the engine from the database and transaction receipts.
 */
describe('facilitation engine: stake & mint from the database', function () {
  this.timeout(120_000);
  let devnet: Devnet;
  let db: TestDatabase;
  let store: SqlFacilitationStore;
  let context: FacilitationContext;
  let engine: FacilitationEngine;
  let handlerContext: HandlerContext;
  let outbox: SqlOutbox;
  let engines: TransactionEngine[];

  before(async () => {
    devnet = await startTestDevnet({ stakers: 9, anchorIntervalMs: 200 });
  });
  after(async () => devnet?.close());

  beforeEach(async () => {
    db = await openTestDatabase();
    store = new SqlFacilitationStore(db.knex);
    outbox = new SqlOutbox(db.knex);
    const origin = new ChainClient(new HttpJsonRpc(devnet.info.origin.rpcUrl), devnet.info.origin.chainId);
    const aux = new ChainClient(new HttpJsonRpc(devnet.info.auxiliary.rpcUrl), devnet.info.auxiliary.chainId);
    const workers = devnet.info.accounts.filter((a) => a.role === 'worker');
    const engineFor = (client: ChainClient) =>
      new TransactionEngine({
        client,
        signers: new Map(workers.map((w) => [w.address, new LocalSigner(w.privateKey)])),
        outbox,
        pollIntervalMs: 20,
        stuckAfterMs: 3_000,
        logger: silentLogger(),
      });
    engines = [engineFor(origin), engineFor(aux)];
    const built = buildFacilitationContext({
      mosaic: devnet.mosaicConfig,
      auxChainId: devnet.info.auxChainId,
      origin: { client: origin, engine: engines[0] },
      auxiliary: { client: aux, engine: engines[1] },
      store,
      policy: { minWorkerGasBalance: 1n, bountyAllowanceBatch: 1n },
      logger: silentLogger(),
    });
    context = built.context;
    handlerContext = built.handlers;
    for (const transactions of engines) transactions.start();
    engine = new FacilitationEngine(context, { reconcileIntervalMs: 300 });
    engine.start();
  });

  afterEach(async () => {
    await engine.stop();
    for (const transactions of engines) await transactions.stop();
    await db.close();
  });

  async function deliverStakeRequested(stake: RequestedStake, gatewayOverride?: string): Promise<void> {
    await handleEntityBatch(handlerContext, {
      stream: 'origin.StakeRequested',
      entityType: 'StakeRequested',
      throughBlock: Number(stake.blockNumber),
      entities: [
        {
          id: `${stake.transactionHash}-0`,
          blockNumber: stake.blockNumber.toString(),
          logIndex: '0',
          blockHash: `0x${'0'.repeat(64)}`,
          blockTimestamp: '1700000000',
          contractAddress: handlerContext.composer,
          transactionHash: stake.transactionHash,
          amount: stake.amount.toString(),
          beneficiary: stake.beneficiary,
          gasPrice: stake.gasPrice.toString(),
          gasLimit: stake.gasLimit.toString(),
          nonce: stake.nonce.toString(),
          staker: stake.staker,
          stakerProxy: stake.stakerProxy,
          gateway: gatewayOverride ?? stake.gateway,
          stakeRequestHash: stake.stakeRequestHash,
        },
      ],
    });
  }

  async function deliverStakeRevoked(stake: RequestedStake): Promise<void> {
    await handleEntityBatch(handlerContext, {
      stream: 'origin.StakeRevoked',
      entityType: 'StakeRevoked',
      throughBlock: Number(stake.blockNumber) + 1,
      entities: [
        {
          id: `${stake.stakeRequestHash}-revoked`,
          blockNumber: (stake.blockNumber + 1n).toString(),
          logIndex: '0',
          blockHash: `0x${'0'.repeat(64)}`,
          blockTimestamp: '1700000000',
          transactionHash: `0x${'1'.repeat(64)}`,
          contractAddress: handlerContext.composer,
          staker: stake.staker,
          stakeRequestHash: stake.stakeRequestHash,
        },
      ],
    });
  }

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('takes a request through accept, prove, confirm and progress to COMPLETED with the right balances', async () => {
    const staker = addressesWithRole(devnet, 'staker')[0];
    const beneficiary = '0x00000000000000000000000000000000000be001';
    const stake = await requestStake({
      client: context.origin.client,
      composer: context.origin.composer.address,
      gateway: context.origin.gateway.address,
      valueToken: context.origin.valueToken.address,
      staker: devnet.originSender(staker),
      beneficiary,
    });
    await deliverStakeRequested(stake);
    const request = await until(() => store.getStakeRequest(stake.stakeRequestHash), (r) => r?.messageHash !== undefined);
    const message = await until(() => store.getMessage(request!.messageHash!), (m) => m?.state === 'COMPLETED');
    expect(await context.origin.gateway.outboxStatus(message!.messageHash)).to.equal(MessageStatus.Progressed);
    expect(await context.auxiliary.coGateway.inboxStatus(message!.messageHash)).to.equal(MessageStatus.Progressed);
    const received = await context.auxiliary.client.getBalance(beneficiary);
    expect(received > 0n && received < stake.amount).to.equal(true);
    expect((await store.getStakeRequest(stake.stakeRequestHash))!.state).to.equal('ACCEPTED');
  });

  it('ignores a request naming an unsupported gateway, with the reason recorded', async () => {
    const staker = addressesWithRole(devnet, 'staker')[1];
    const stake = await requestStake({
      client: context.origin.client,
      composer: context.origin.composer.address,
      gateway: context.origin.gateway.address,
      valueToken: context.origin.valueToken.address,
      staker: devnet.originSender(staker),
    });
    await deliverStakeRequested(stake, '0x00000000000000000000000000000000deadbeef');
    const request = await until(() => store.getStakeRequest(stake.stakeRequestHash), (r) => r?.state === 'IGNORED');
    expect(request!.reason).to.match(/not supported/);
    expect(await db.knex('transactions').where({ purpose: 'acceptStakeRequest' })).to.have.length(0);
  });

  const stakeFrom = (index: number, beneficiary?: string) =>
    requestStake({
      client: context.origin.client,
      composer: context.origin.composer.address,
      gateway: context.origin.gateway.address,
      valueToken: context.origin.valueToken.address,
      staker: devnet.originSender(addressesWithRole(devnet, 'staker')[index]),
      beneficiary,
    });

  /**
   * An accept attempt that reverted earlier (as the outbox records one), for the request's given attempt.
   * Its worker has no key here, so the running engine never picks the row up between insert and failure.
   */
  async function recordFailedAccept(stake: RequestedStake, attempt: number): Promise<void> {
    const { record } = await outbox.enqueue({
      chainId: context.origin.chainId,
      worker: '0x000000000000000000000000000000000000dead',
      ...encodeStep({ kind: 'accept', stakeRequestHash: stake.stakeRequestHash, attempt }),
      to: context.origin.composer.address,
      data: '0x',
      value: 0n,
      gas: 21_000n,
    });
    await outbox.markFailed(record.id, `acceptStakeRequest reverted (attempt ${attempt})`);
  }

  it('covers every unmined accept of a worker with its bounty allowance: concurrent requests all complete, none reverts', async () => {
    // bountyAllowanceBatch is 1: an allowance sized for one accept at a time would make the others revert.
    const stakes = await Promise.all([2, 3, 4].map((i) => stakeFrom(i)));
    for (const stake of stakes) await deliverStakeRequested(stake);
    for (const stake of stakes) {
      const request = await until(() => store.getStakeRequest(stake.stakeRequestHash), (r) => r?.messageHash !== undefined);
      await until(() => store.getMessage(request!.messageHash!), (m) => m?.state === 'COMPLETED', 60_000);
    }
    const accepts = await db.knex('transactions').where({ purpose: STEP_PURPOSES.accept });
    expect(accepts.map((a: { status: string }) => a.status)).to.deep.equal(['mined', 'mined', 'mined']);
  });

  it('tries a failed accept again while the request is still pending, under a new outbox subject', async () => {
    const stake = await stakeFrom(5);
    await recordFailedAccept(stake, 0);
    await deliverStakeRequested(stake);
    const request = await until(() => store.getStakeRequest(stake.stakeRequestHash), (r) => r?.messageHash !== undefined);
    await until(() => store.getMessage(request!.messageHash!), (m) => m?.state === 'COMPLETED', 60_000);
    const attempts = await db.knex('transactions').where({ purpose: STEP_PURPOSES.accept }).orderBy('id');
    expect(attempts.map((a: { subject: string; status: string }) => [a.subject, a.status])).to.deep.equal([
      [stake.stakeRequestHash, 'failed'],
      [encodeStep({ kind: 'accept', stakeRequestHash: stake.stakeRequestHash, attempt: 1 }).subject, 'mined'],
    ]);
  });

  it(`gives a request up after ${MAX_ACCEPT_ATTEMPTS} failed accepts, with the last error as the reason`, async () => {
    const stake = await stakeFrom(6);
    for (let attempt = 0; attempt < MAX_ACCEPT_ATTEMPTS; attempt++) await recordFailedAccept(stake, attempt);
    await deliverStakeRequested(stake);
    const request = await until(() => store.getStakeRequest(stake.stakeRequestHash), (r) => r?.state === 'FAILED');
    expect(request!.reason).to.match(new RegExp(`failed ${MAX_ACCEPT_ATTEMPTS} times.*attempt ${MAX_ACCEPT_ATTEMPTS - 1}`));
    expect(await context.origin.composer.stakeRequestExists(stake.stakeRequestHash)).to.equal(true);
    expect(await db.knex('transactions').where({ purpose: STEP_PURPOSES.accept })).to.have.length(MAX_ACCEPT_ATTEMPTS);
  });

  it('closes a request the staker revoked before the facilitator saw it: no accept sent, state REVOKED', async () => {
    const stake = await stakeFrom(7);
    const staker = addressesWithRole(devnet, 'staker')[7];
    await devnet.originSender(staker).send(context.origin.composer.revokeStakeRequest(stake));
    expect(await context.origin.composer.stakeRequestExists(stake.stakeRequestHash)).to.equal(false);
    await deliverStakeRequested(stake);
    await until(() => store.getStakeRequest(stake.stakeRequestHash), (r) => r?.state === 'TAKEN');
    await deliverStakeRevoked(stake);
    expect((await store.getStakeRequest(stake.stakeRequestHash))!.state).to.equal('REVOKED');
    expect(await store.messageForStakeRequest(stake.stakeRequestHash)).to.equal(undefined);
    expect(await db.knex('transactions').where({ purpose: STEP_PURPOSES.accept })).to.have.length(0);
  });

  it('records a request whose StakeRevoked was handled first as REVOKED, and never accepts it', async () => {
    const stake = await stakeFrom(8);
    await devnet.originSender(addressesWithRole(devnet, 'staker')[8]).send(context.origin.composer.revokeStakeRequest(stake));
    await deliverStakeRevoked(stake);
    await deliverStakeRequested(stake);
    expect((await store.getStakeRequest(stake.stakeRequestHash))!.state).to.equal('REVOKED');
    await new Promise((r) => setTimeout(r, 1_000)); // a few reconcile rounds
    expect(await db.knex('transactions').where({ purpose: STEP_PURPOSES.accept })).to.have.length(0);
    expect(await store.messageForStakeRequest(stake.stakeRequestHash)).to.equal(undefined);
  });
});
