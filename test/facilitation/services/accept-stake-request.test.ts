import { expect } from 'chai';
import { AcceptStakeRequestService, MAX_ACCEPT_ATTEMPTS } from '../../../src/facilitation/services/accept-stake-request';
import { encodeStep, STEP_PURPOSES } from '../../../src/facilitation/steps';
import { WorkerPool } from '../../../src/facilitation/worker-pool';
import { REQUEST_HASH, stakeRequest } from '../facilitation-store-contract';
import { FAKE, fakeFacilitation, type FakeFacilitation } from '../../fakes/fake-facilitation';

describe('accept service (no chain: fakes of the store, engine and JSON-RPC)', () => {
  let fake: FakeFacilitation;
  let service: AcceptStakeRequestService;

  beforeEach(() => {
    fake = fakeFacilitation();
    const workers = new WorkerPool(fake.origin.engine.workers(), fake.context.origin.client, fake.context.origin.valueToken);
    service = new AcceptStakeRequestService(fake.context, workers);
  });

  async function seen(overrides = {}): Promise<void> {
    await fake.store.apply({ kind: 'requestSeen', request: stakeRequest({ gateway: FAKE.gateway, ...overrides }) });
  }

  it('persists the message and its secret before queuing acceptStakeRequest with its hash lock', async () => {
    await seen();
    fake.chain.stakeRequests.add(REQUEST_HASH);
    await service.handle(REQUEST_HASH);
    const message = (await fake.store.messageForStakeRequest(REQUEST_HASH))!;
    expect(message.unlockSecret).to.match(/^0x[0-9a-f]{64}$/);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state).to.equal('ACCEPTING');
    const [accept] = fake.origin.engine.byPurpose(STEP_PURPOSES.accept);
    expect(accept.subject).to.equal(REQUEST_HASH);
    expect(accept.worker).to.equal(FAKE.originWorker);
    expect(accept.data, 'the hash lock is in the calldata').to.include(message.hashLock.slice(2));
    expect(accept.data, 'the secret never is').not.to.include(message.unlockSecret.slice(2));
    expect(fake.store.events.map((e) => e.kind)).to.deep.equal(['requestSeen', 'acceptancePrepared']);
  });

  it('queues the accept once, however often it is triggered', async () => {
    await seen();
    fake.chain.stakeRequests.add(REQUEST_HASH);
    await Promise.all([service.handle(REQUEST_HASH), service.handle(REQUEST_HASH), service.handle(REQUEST_HASH)]);
    await service.handle(REQUEST_HASH);
    expect(fake.origin.engine.byPurpose(STEP_PURPOSES.accept)).to.have.length(1);
    expect(fake.store.events.filter((e) => e.kind === 'acceptancePrepared')).to.have.length(1);
  });

  it('ignores a request for a gateway it does not support, with the reason, and sends nothing', async () => {
    await seen({ gateway: `0x${'de'.repeat(20)}` });
    await service.handle(REQUEST_HASH);
    const request = (await fake.store.getStakeRequest(REQUEST_HASH))!;
    expect([request.state, request.reason]).to.deep.equal(['IGNORED', `gateway 0x${'de'.repeat(20)} is not supported by this facilitator (supported: ${FAKE.gateway}, ${FAKE.coGateway})`]);
    expect(fake.origin.engine.records).to.have.length(0);
  });

  it('ignores a request offering a gas price below the minimum', async () => {
    fake = fakeFacilitation({ minGasPrice: 5n });
    service = new AcceptStakeRequestService(fake.context, new WorkerPool([FAKE.originWorker], fake.context.origin.client, fake.context.origin.valueToken));
    await seen({ gasPrice: 4n });
    await service.handle(REQUEST_HASH);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.reason).to.equal('gas price 4 below the minimum 5');
  });

  it('waits, sending nothing and making no secret, while no worker has the gas', async () => {
    fake.origin.rpc.balances.set(FAKE.originWorker, 0n);
    await seen();
    fake.chain.stakeRequests.add(REQUEST_HASH);
    await service.handle(REQUEST_HASH);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state).to.equal('REQUESTED');
    expect(await fake.store.messageForStakeRequest(REQUEST_HASH)).to.equal(undefined);
    expect(fake.origin.engine.records).to.have.length(0);
  });

  it('records TAKEN when the composer no longer holds a request whose transaction is mined', async () => {
    await seen();
    fake.origin.rpc.receipts.set(stakeRequest().transactionHash, { transactionHash: stakeRequest().transactionHash, blockNumber: '0xa' } as never);
    await service.handle(REQUEST_HASH);
    const request = (await fake.store.getStakeRequest(REQUEST_HASH))!;
    expect([request.state, request.reason]).to.deep.equal(['TAKEN', 'no longer pending in the composer']);
  });

  it('records ORPHANED when the request\'s own transaction is gone from the chain, and waits while it is pending again', async () => {
    await seen();
    fake.origin.rpc.pending.add(stakeRequest().transactionHash);
    await service.handle(REQUEST_HASH);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state, 'pending again: wait').to.equal('REQUESTED');
    fake.origin.rpc.pending.clear();
    await service.handle(REQUEST_HASH);
    const request = (await fake.store.getStakeRequest(REQUEST_HASH))!;
    expect(request.state).to.equal('ORPHANED');
    expect(request.reason).to.match(/reorganised away/);
  });

  it(`tries a failed accept again under the next subject, and gives up after ${MAX_ACCEPT_ATTEMPTS} with the last error`, async () => {
    await seen();
    fake.chain.stakeRequests.add(REQUEST_HASH);
    for (let attempt = 0; attempt < MAX_ACCEPT_ATTEMPTS; attempt++) {
      await service.retry(REQUEST_HASH);
      const record = fake.origin.engine.byPurpose(STEP_PURPOSES.accept)[attempt];
      expect(record.subject).to.equal(encodeStep({ kind: 'accept', stakeRequestHash: REQUEST_HASH, attempt }).subject);
      await fake.origin.engine.fail(record, `reverted (attempt ${attempt})`);
    }
    await service.retry(REQUEST_HASH);
    const request = (await fake.store.getStakeRequest(REQUEST_HASH))!;
    expect(request.state).to.equal('FAILED');
    expect(request.reason).to.equal(`acceptStakeRequest failed ${MAX_ACCEPT_ATTEMPTS} times; last error: reverted (attempt ${MAX_ACCEPT_ATTEMPTS - 1})`);
    expect((await fake.store.messageForStakeRequest(REQUEST_HASH))!.state).to.equal('FAILED');
    expect(fake.origin.engine.byPurpose(STEP_PURPOSES.accept)).to.have.length(MAX_ACCEPT_ATTEMPTS);
  });

  it('tops up the bounty allowance before an accept it does not cover, and sends the accept once the approval is mined', async () => {
    fake.chain.allowance = 0n;
    await seen();
    fake.chain.stakeRequests.add(REQUEST_HASH);
    const handled = service.handle(REQUEST_HASH);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [approval] = fake.origin.engine.byPurpose(STEP_PURPOSES.approveBounty);
    expect(approval, 'approval queued').not.to.equal(undefined);
    expect(fake.origin.engine.byPurpose(STEP_PURPOSES.accept), 'the accept waits for it').to.have.length(0);
    await fake.origin.engine.mine(approval, { transactionHash: `0x${'ab'.repeat(32)}`, blockNumber: '0xb' });
    await handled;
    expect(fake.origin.engine.byPurpose(STEP_PURPOSES.accept)).to.have.length(1);
  });
});
