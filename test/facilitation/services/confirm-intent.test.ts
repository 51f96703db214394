import { stakeRoute } from '../../../src/facilitation/route';
import { expect } from 'chai';
import { StoreError } from '../../../src/db/store-error';
import { ConfirmIntentService } from '../../../src/facilitation/services/confirm-intent';
import { STEP_PURPOSES } from '../../../src/facilitation/steps';
import { WorkerPool } from '../../../src/facilitation/worker-pool';
import { MessageStatus } from '../../../src/mosaic/message-status';
import { fakeFacilitation, FAKE, type FakeFacilitation } from '../../fakes/fake-facilitation';
import { MESSAGE_HASH } from '../facilitation-store-contract';
import { declaredMessage } from './fixtures';

describe('confirm-intent service, stake route (no chain)', () => {
  let fake: FakeFacilitation;
  let service: ConfirmIntentService;

  beforeEach(() => {
    fake = fakeFacilitation();
    service = new ConfirmIntentService(fake.context, stakeRoute(fake.context), new WorkerPool(fake.auxiliary.engine.workers(), fake.context.auxiliary.client));
  });

  const confirms = () => fake.auxiliary.engine.byPurpose(STEP_PURPOSES.confirm);

  it('confirms a message covered by the proven height with one proof, and records CONFIRMING first', async () => {
    await declaredMessage(fake, 42n);
    await fake.store.recordGatewayProven(FAKE.gateway, FAKE.coGateway, 45n);
    await service.trigger.trigger();
    expect(confirms().map((r) => r.subject)).to.deep.equal([`${MESSAGE_HASH}@45`]);
    expect(fake.proofs).to.deep.equal([{ messageHashes: [MESSAGE_HASH], height: 45n }]);
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('CONFIRMING');
  });

  it('records CONFIRMING for every message a proof covers in one commit, then queues a confirm for each, in the proof\'s order', async () => {
    const hashes = ['e1', 'e2', 'e3'].map((byte) => `0x${byte.repeat(32)}`);
    for (const [i, hash] of hashes.entries()) await declaredMessage(fake, 42n, hash, `0x${(i + 1).toString(16).padStart(64, '0')}`);
    await fake.store.recordGatewayProven(FAKE.gateway, FAKE.coGateway, 45n);
    const before = fake.store.batches.length;
    await service.trigger.trigger();
    expect(fake.store.batches.slice(before)).to.deep.equal([3]);
    expect(confirms().map((r) => r.subject).sort()).to.deep.equal(hashes.map((h) => `${h}@45`).sort());
    expect(fake.proofs).to.deep.equal([{ messageHashes: hashes, height: 45n }]);
    for (const hash of hashes) expect((await fake.store.getMessage(hash))!.state).to.equal('CONFIRMING');
  });

  it('falls back to one commit each when the batch hits a failure no retry cures: only that message ends FAILED, the others are confirmed', async () => {
    const hashes = ['e1', 'e2'].map((byte) => `0x${byte.repeat(32)}`);
    for (const [i, hash] of hashes.entries()) await declaredMessage(fake, 42n, hash, `0x${(i + 1).toString(16).padStart(64, '0')}`);
    await fake.store.recordGatewayProven(FAKE.gateway, FAKE.coGateway, 45n);
    fake.store.failNextApply = new StoreError('apply confirmQueued', 'SQLITE_CONSTRAINT_CHECK'); // the batch's first event
    const failing = fake.store.apply.bind(fake.store);
    let calls = 0;
    fake.store.apply = (event) => {
      calls += 1;
      if (calls === 2) fake.store.failNextApply = new StoreError('apply confirmQueued', 'SQLITE_CONSTRAINT_CHECK'); // …and the first one alone again
      return failing(event);
    };
    await service.trigger.trigger();
    expect(confirms().map((r) => r.subject)).to.deep.equal([`${hashes[1]}@45`]);
    expect((await fake.store.getMessage(hashes[0]))!.state).to.equal('FAILED');
    expect((await fake.store.getMessage(hashes[1]))!.state).to.equal('CONFIRMING');
  });

  it('recovers a message left CONFIRMING with no confirm queued (stopped between the two): confirmed again, once', async () => {
    await declaredMessage(fake, 42n);
    await fake.store.recordGatewayProven(FAKE.gateway, FAKE.coGateway, 45n);
    await fake.store.apply({ kind: 'confirmQueued', messageHash: MESSAGE_HASH }); // …and the process died here
    await service.trigger.trigger();
    expect(confirms().map((r) => r.subject), 'queued now').to.deep.equal([`${MESSAGE_HASH}@45`]);
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('CONFIRMING');
    await service.trigger.trigger();
    expect(confirms(), 'in flight: not queued twice').to.have.length(1);
  });

  it('moves a stranded CONFIRMING message on when its inbox is declared already', async () => {
    await declaredMessage(fake, 42n);
    await fake.store.apply({ kind: 'confirmQueued', messageHash: MESSAGE_HASH });
    fake.chain.inbox.set(MESSAGE_HASH, MessageStatus.Declared);
    await service.trigger.trigger();
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('CONFIRMED');
    expect(confirms()).to.have.length(0);
  });

  it('leaves a message declared above the proven height waiting', async () => {
    await declaredMessage(fake, 42n);
    await fake.store.recordGatewayProven(FAKE.gateway, FAKE.coGateway, 41n);
    await service.trigger.trigger();
    expect(confirms()).to.have.length(0);
  });

  it('sends nothing for a message already declared in the inbox: it is recorded CONFIRMED', async () => {
    await declaredMessage(fake, 42n);
    await fake.store.recordGatewayProven(FAKE.gateway, FAKE.coGateway, 45n);
    fake.chain.inbox.set(MESSAGE_HASH, MessageStatus.Declared);
    await service.trigger.trigger();
    expect(confirms()).to.have.length(0);
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('CONFIRMED');
  });
});
