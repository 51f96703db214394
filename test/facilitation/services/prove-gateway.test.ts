import { stakeRoute } from '../../../src/facilitation/route';
import { expect } from 'chai';
import { ProveGatewayService } from '../../../src/facilitation/services/prove-gateway';
import { STEP_PURPOSES } from '../../../src/facilitation/steps';
import { WorkerPool } from '../../../src/facilitation/worker-pool';
import { fakeFacilitation, FAKE, type FakeFacilitation } from '../../fakes/fake-facilitation';
import { MESSAGE_HASH } from '../facilitation-store-contract';
import { declaredMessage } from './fixtures';

describe('prove-gateway service (no chain)', () => {
  let fake: FakeFacilitation;
  let service: ProveGatewayService;

  beforeEach(() => {
    fake = fakeFacilitation();
    service = new ProveGatewayService(fake.context, stakeRoute(fake.context), new WorkerPool(fake.auxiliary.engine.workers(), fake.context.auxiliary.client));
  });

  const proofs = () => fake.auxiliary.engine.byPurpose(STEP_PURPOSES.prove);

  it('waits until the anchor reaches the declaration, then proves at the latest anchored height', async () => {
    await declaredMessage(fake, 42n);
    fake.chain.anchoredHeight = 41n;
    await service.trigger.trigger();
    expect(proofs(), 'anchor below the declaration').to.have.length(0);
    fake.chain.anchoredHeight = 50n;
    await service.trigger.trigger();
    expect(proofs().map((r) => r.subject)).to.deep.equal([`${FAKE.gateway}@50`]);
    expect(fake.proofs).to.deep.equal([{ messageHashes: [MESSAGE_HASH], height: 50n }]);
  });

  it('keeps one proof in flight: a later anchor is proven only after the first settles', async () => {
    await declaredMessage(fake, 42n);
    fake.chain.anchoredHeight = 50n;
    await service.trigger.trigger();
    await declaredMessage(fake, 55n, `0x${'e1'.repeat(32)}`, `0x${'12'.repeat(32)}`);
    fake.chain.anchoredHeight = 60n;
    await service.trigger.trigger();
    expect(proofs(), 'still one in flight').to.have.length(1);
    await fake.auxiliary.engine.mine(proofs()[0], { transactionHash: `0x${'aa'.repeat(32)}`, blockNumber: '0x10' });
    await fake.store.recordGatewayProven(FAKE.gateway, FAKE.coGateway, 50n);
    await service.trigger.trigger();
    expect(proofs().map((r) => r.subject)).to.deep.equal([`${FAKE.gateway}@50`, `${FAKE.gateway}@60`]);
  });

  it('takes a proof the outbox has mined as proven, also before (or without) its outcome recording it: no second proof of the same messages', async () => {
    await declaredMessage(fake, 42n);
    fake.chain.anchoredHeight = 50n;
    await service.trigger.trigger();
    await fake.auxiliary.engine.mine(proofs()[0], { transactionHash: `0x${'aa'.repeat(32)}`, blockNumber: '0x10' });
    fake.chain.anchoredHeight = 60n;
    await service.trigger.trigger();
    expect(proofs().map((r) => r.subject), 'the message at 42 is covered').to.deep.equal([`${FAKE.gateway}@50`]);
    expect((await fake.store.getGateway(FAKE.gateway))!.lastProvenHeight).to.equal(50n);
    await declaredMessage(fake, 55n, `0x${'e1'.repeat(32)}`, `0x${'12'.repeat(32)}`);
    await service.trigger.trigger();
    expect(proofs().map((r) => r.subject), 'a message declared later gets the next proof').to.deep.equal([`${FAKE.gateway}@50`, `${FAKE.gateway}@60`]);
  });

  it('proves nothing when every waiting message is covered by the last proven height', async () => {
    await declaredMessage(fake, 42n);
    await fake.store.recordGatewayProven(FAKE.gateway, FAKE.coGateway, 45n);
    fake.chain.anchoredHeight = 50n;
    await service.trigger.trigger();
    expect(proofs()).to.have.length(0);
  });

  it('remembers a proof queued before a restart (read back from the outbox), and sends no second one', async () => {
    await declaredMessage(fake, 42n);
    fake.chain.anchoredHeight = 50n;
    await service.trigger.trigger();
    const restarted = new ProveGatewayService(fake.context, stakeRoute(fake.context), new WorkerPool(fake.auxiliary.engine.workers(), fake.context.auxiliary.client));
    fake.chain.anchoredHeight = 52n;
    await restarted.trigger.trigger();
    expect(proofs()).to.have.length(1);
  });
});
