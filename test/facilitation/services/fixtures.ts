import { MessageStatus } from '../../../src/mosaic/message-status';
import type { FakeFacilitation } from '../../fakes/fake-facilitation';
import { FAKE } from '../../fakes/fake-facilitation';
import { MESSAGE_HASH, REQUEST_HASH, stakeMessage, stakeRequest } from '../facilitation-store-contract';

/** Brings the fake facilitation to a message DECLARED at `height` (through the events, as the services would). */
export async function declaredMessage(fake: FakeFacilitation, height = 42n, messageHash = MESSAGE_HASH, stakeRequestHash = REQUEST_HASH): Promise<void> {
  await fake.store.apply({ kind: 'requestSeen', request: stakeRequest({ stakeRequestHash, gateway: FAKE.gateway }) });
  await fake.store.apply({
    kind: 'acceptancePrepared',
    message: stakeMessage({ messageHash, stakeRequestHash, gateway: FAKE.gateway, coGateway: FAKE.coGateway, worker: FAKE.originWorker }),
  });
  await fake.store.apply({ kind: 'sourceStatusSeen', messageHash, status: MessageStatus.Declared, declarationHeight: height });
  fake.chain.outbox.set(messageHash, MessageStatus.Declared);
}

/** ... and on to CONFIRMED (declared in the cogateway inbox). */
export async function confirmedMessage(fake: FakeFacilitation): Promise<void> {
  await declaredMessage(fake);
  await fake.store.apply({ kind: 'targetStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared, confirmedHeight: 45n });
  fake.chain.inbox.set(MESSAGE_HASH, MessageStatus.Declared);
}
