import { expect } from 'chai';
import { AcceptRedeemRequestService } from '../../../src/facilitation/services/accept-redeem-request';
import { STEP_PURPOSES } from '../../../src/facilitation/steps';
import { WorkerPool } from '../../../src/facilitation/worker-pool';
import { REQUEST_HASH, stakeRequest } from '../facilitation-store-contract';
import { FAKE, fakeFacilitation, type FakeFacilitation } from '../../fakes/fake-facilitation';

const REDEEMER = `0x${'5a'.repeat(20)}`;
const COGATEWAY_BOUNTY = 7n;

describe('redeem accept service (no chain: fakes of the store, engine and JSON-RPC)', () => {
  let fake: FakeFacilitation;
  let service: AcceptRedeemRequestService;
  /** Redeem requests the pool holds open, by redeemer. */
  let open: Map<string, string>;

  beforeEach(() => {
    fake = fakeFacilitation();
    open = new Map();
    fake.auxiliary.rpc
      .contract(FAKE.redeemPool, 'RedeemPool', { redeemRequestHashes: (redeemer) => open.get(String(redeemer).toLowerCase()) ?? `0x${'0'.repeat(64)}` })
      .contract(FAKE.coGateway, 'EIP20CoGateway', { bounty: () => COGATEWAY_BOUNTY });
    service = new AcceptRedeemRequestService(fake.context, new WorkerPool(fake.auxiliary.engine.workers(), fake.context.auxiliary.client));
  });

  async function seen(overrides = {}): Promise<void> {
    await fake.store.apply({
      kind: 'requestSeen',
      request: stakeRequest({ direction: 'REDEEM', composer: FAKE.redeemPool, gateway: FAKE.coGateway, staker: REDEEMER, ...overrides }),
    });
  }

  it('persists the REDEEM message and its secret, then queues acceptRedeemRequest paying the cogateway bounty as value', async () => {
    await seen();
    open.set(REDEEMER, REQUEST_HASH);
    await service.handle(REQUEST_HASH);
    const message = (await fake.store.messageForStakeRequest(REQUEST_HASH))!;
    expect([message.direction, message.state, message.worker]).to.deep.equal(['REDEEM', 'ACCEPTING', FAKE.auxiliaryWorker]);
    const [accept] = fake.auxiliary.engine.byPurpose(STEP_PURPOSES.acceptRedeem);
    expect([accept.subject, accept.to, accept.value]).to.deep.equal([REQUEST_HASH, FAKE.redeemPool, COGATEWAY_BOUNTY]);
    expect(accept.data, 'the hash lock is in the calldata').to.include(message.hashLock.slice(2));
    expect(accept.data, 'the secret never is').not.to.include(message.unlockSecret.slice(2));
    expect(fake.origin.engine.records, 'nothing on origin').to.have.length(0);
  });

  it('records a request whose amount does not exceed gasPrice × gasLimit IGNORED with the reason, and sends nothing', async () => {
    await seen({ amount: 2_000n, gasPrice: 2n, gasLimit: 1_000n });
    open.set(REDEEMER, REQUEST_HASH);
    await service.handle(REQUEST_HASH);
    const request = (await fake.store.getStakeRequest(REQUEST_HASH))!;
    expect([request.state, request.reason]).to.deep.equal(['IGNORED', 'amount 2000 does not exceed gasPrice × gasLimit (2000): the cogateway refuses such a redeem']);
    expect(fake.auxiliary.engine.records).to.have.length(0);
  });

  it('ignores a request naming another cogateway', async () => {
    await seen({ gateway: `0x${'de'.repeat(20)}` });
    await service.handle(REQUEST_HASH);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state).to.equal('IGNORED');
    expect(fake.auxiliary.engine.records).to.have.length(0);
  });

  it('waits, sending nothing, while the redeemer proxy\u2019s previous message is not completed; sends once it is', async () => {
    await seen({ nonce: 1n });
    open.set(REDEEMER, REQUEST_HASH);
    // The node refuses the first simulation of the accept (the only eth_call with a value) as cogateway.redeem does.
    let simulations = 0;
    const answer = fake.auxiliary.rpc.request.bind(fake.auxiliary.rpc);
    fake.auxiliary.rpc.request = <T>(method: string, params: unknown[] = []): Promise<T> => {
      const simulation = method === 'eth_call' && (params[0] as { value?: string }).value !== undefined;
      if (simulation && simulations++ === 0) {
        fake.auxiliary.rpc.failures.push({ method, nodeMessage: 'execution reverted: Previous process is not completed.', code: 3 });
      }
      return answer<T>(method, params);
    };
    await service.handle(REQUEST_HASH);
    expect(fake.auxiliary.engine.records, 'nothing sent while the previous message is open').to.have.length(0);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state, 'still to be accepted').to.equal('ACCEPTING');
    await service.handle(REQUEST_HASH);
    expect(fake.auxiliary.engine.byPurpose(STEP_PURPOSES.acceptRedeem)).to.have.length(1);
  });

  it('closes a request no longer open in the pool (taken or revoked) without sending', async () => {
    await seen();
    fake.auxiliary.rpc.receipts.set(stakeRequest().transactionHash, { blockNumber: '0xa' } as never);
    await service.handle(REQUEST_HASH);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state).to.equal('TAKEN');
    expect(fake.auxiliary.engine.records).to.have.length(0);
  });
});
