import { stakeRoute } from '../../../src/facilitation/route';
import { expect } from 'chai';
import { ProgressService } from '../../../src/facilitation/services/progress';
import { STEP_PURPOSES } from '../../../src/facilitation/steps';
import { WorkerPool } from '../../../src/facilitation/worker-pool';
import { MessageStatus } from '../../../src/mosaic/message-status';
import { fakeFacilitation, FAKE, type FakeFacilitation } from '../../fakes/fake-facilitation';
import { MESSAGE_HASH, stakeMessage } from '../facilitation-store-contract';
import { confirmedMessage } from './fixtures';

describe('progress service (no chain)', () => {
  let fake: FakeFacilitation;
  let service: ProgressService;

  beforeEach(() => {
    fake = fakeFacilitation();
    service = new ProgressService(fake.context, stakeRoute(fake.context), {
      origin: new WorkerPool(fake.origin.engine.workers(), fake.context.origin.client),
      auxiliary: new WorkerPool(fake.auxiliary.engine.workers(), fake.context.auxiliary.client),
    });
  });

  it('reveals the secret on both sides of a confirmed message, the stake by the worker that accepted it', async () => {
    await confirmedMessage(fake);
    await service.trigger.trigger();
    const [stake] = fake.origin.engine.byPurpose(STEP_PURPOSES.progressStake);
    const [mint] = fake.auxiliary.engine.byPurpose(STEP_PURPOSES.progressMint);
    expect([stake.subject, stake.worker, mint.subject]).to.deep.equal([MESSAGE_HASH, FAKE.originWorker, MESSAGE_HASH]);
    const secret = stakeMessage().unlockSecret.slice(2);
    expect(stake.data).to.include(secret);
    expect(mint.data).to.include(secret);
  });

  it('sends nothing for a side already progressed on chain: the status is recorded instead', async () => {
    await confirmedMessage(fake);
    fake.chain.outbox.set(MESSAGE_HASH, MessageStatus.Progressed);
    await service.trigger.trigger();
    expect(fake.origin.engine.byPurpose(STEP_PURPOSES.progressStake)).to.have.length(0);
    expect((await fake.store.getMessage(MESSAGE_HASH))!.sourceStatus).to.equal(MessageStatus.Progressed);
    expect(fake.auxiliary.engine.byPurpose(STEP_PURPOSES.progressMint)).to.have.length(1);
  });

  it('sends each side once, however often it is triggered', async () => {
    await confirmedMessage(fake);
    await Promise.all([service.trigger.trigger(), service.trigger.trigger()]);
    await service.trigger.trigger();
    expect(fake.origin.engine.byPurpose(STEP_PURPOSES.progressStake)).to.have.length(1);
    expect(fake.auxiliary.engine.byPurpose(STEP_PURPOSES.progressMint)).to.have.length(1);
  });

  it('reads nothing again for a side whose step is queued or in flight: its outcome records the result', async () => {
    await confirmedMessage(fake);
    await service.trigger.trigger();
    const reads = () => [fake.origin.rpc, fake.auxiliary.rpc].flatMap((rpc) => rpc.requests).filter((r) => r.method === 'eth_call').length;
    const before = reads();
    await service.trigger.trigger();
    expect(reads()).to.equal(before);
    await fake.origin.engine.fail(fake.origin.engine.byPurpose(STEP_PURPOSES.progressStake)[0], 'dropped');
    await service.trigger.trigger();
    expect(reads(), 'a failed step is no longer in flight: its side is read again').to.equal(before + 1);
  });

  it('fails a message whose step cannot succeed (a read that reverts), with the reason, instead of retrying it for ever', async () => {
    await confirmedMessage(fake);
    fake.origin.rpc.failures.push({ method: 'eth_call', nodeMessage: 'execution reverted: Message on source must be Declared', code: 3 });
    await service.trigger.trigger();
    const message = (await fake.store.getMessage(MESSAGE_HASH))!;
    expect(message.state).to.equal('FAILED');
    expect(message.reason).to.match(/^stopped by a deterministic failure: RevertError: .*Message on source must be Declared/);
  });

  it('leaves a message as it is on a transient failure (the node unreachable): the error goes on to the retry', async () => {
    await confirmedMessage(fake);
    fake.origin.rpc.failures.push({ method: 'eth_call', nodeMessage: 'header not found' });
    let failed = false;
    await service.trigger.trigger().catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('CONFIRMED');
  });
});
