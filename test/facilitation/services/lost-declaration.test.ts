import { stakeRoute } from '../../../src/facilitation/route';
import { expect } from 'chai';
import { recordLostDeclaration } from '../../../src/facilitation/services/lost-declaration';
import { MessageStatus } from '../../../src/mosaic/message-status';
import { fakeFacilitation, type FakeFacilitation } from '../../fakes/fake-facilitation';
import { MESSAGE_HASH, REQUEST_HASH, stakeRequest } from '../facilitation-store-contract';
import { declaredMessage } from './fixtures';

describe('lost declaration (no chain): a declared message found Undeclared in the outbox', () => {
  let fake: FakeFacilitation;

  beforeEach(async () => {
    fake = fakeFacilitation();
    await declaredMessage(fake, 42n);
    fake.chain.outbox.set(MESSAGE_HASH, MessageStatus.Undeclared); // the declaring block was reorganised away
  });

  const lose = async () => recordLostDeclaration(fake.context, stakeRoute(fake.context), (await fake.store.getMessage(MESSAGE_HASH))!, fake.context.logger);

  it('accepts again with the same hash lock while the request is still pending in the composer', async () => {
    fake.chain.stakeRequests.add(REQUEST_HASH);
    const secret = (await fake.store.getMessage(MESSAGE_HASH))!.unlockSecret;
    await lose();
    const [request, message] = [(await fake.store.getStakeRequest(REQUEST_HASH))!, (await fake.store.getMessage(MESSAGE_HASH))!];
    expect([request.state, message.state, message.declarationHeight, message.unlockSecret]).to.deep.equal(['ACCEPTING', 'ACCEPTING', undefined, secret]);
    expect(message.reason).to.match(/reorganised away; accepting again with the same hash lock/);
  });

  it('ends ORPHANED (message ABANDONED) when the request and its transaction are gone', async () => {
    await lose();
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state).to.equal('ORPHANED');
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('ABANDONED');
  });

  it('ends TAKEN when the request is gone from the composer but its transaction is mined', async () => {
    fake.origin.rpc.receipts.set(stakeRequest().transactionHash, { transactionHash: stakeRequest().transactionHash, blockNumber: '0xa' } as never);
    await lose();
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state).to.equal('TAKEN');
  });

  it('decides nothing while the request\'s transaction is pending again', async () => {
    fake.origin.rpc.pending.add(stakeRequest().transactionHash);
    await lose();
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('DECLARED');
  });
});
