import { expect } from 'chai';
import { encodeParameters } from 'web3-eth-abi';
import { applyOutcome, applyOutcomes, type OutcomeHooks } from '../../src/facilitation/outcomes';
import { submitStep } from '../../src/facilitation/step-outbox';
import type { FacilitationStep } from '../../src/facilitation/steps';
import { contractInterface } from '../../src/mosaic/contracts';
import { MessageStatus } from '../../src/mosaic/message-status';
import { fakeFacilitation, FAKE, type FakeFacilitation } from '../fakes/fake-facilitation';
import { MESSAGE_HASH, REQUEST_HASH, stakeMessage, stakeRequest } from './facilitation-store-contract';
import { declaredMessage } from './services/fixtures';

const TX = `0x${'aa'.repeat(32)}`;

function declarationLog(messageHash: string) {
  return {
    address: FAKE.gateway,
    topics: [contractInterface('EIP20Gateway').eventTopic('StakeIntentDeclared'), messageHash],
    data: encodeParameters(['address', 'uint256', 'address', 'uint256'], [`0x${'5b'.repeat(20)}`, 0n, `0x${'be'.repeat(20)}`, 1n]),
    blockNumber: '0x2a',
    transactionHash: TX,
    transactionIndex: '0x0',
    blockHash: `0x${'0b'.repeat(32)}`,
    blockTimestamp: '1700000000',
    logIndex: '0x0',
  };
}

describe('transaction outcomes → facilitation events (no chain)', () => {
  let fake: FakeFacilitation;
  let settled = 0;
  const failedAccepts: string[] = [];
  const hooks: OutcomeHooks = { onProofSettled: () => settled++, onAcceptFailed: (_direction, hash) => failedAccepts.push(hash) };

  beforeEach(async () => {
    fake = fakeFacilitation();
    settled = 0;
    failedAccepts.length = 0;
  });

  async function accepting(): Promise<void> {
    await fake.store.apply({ kind: 'requestSeen', request: stakeRequest({ gateway: FAKE.gateway }) });
    await fake.store.apply({ kind: 'acceptancePrepared', message: stakeMessage({ gateway: FAKE.gateway }) });
  }

  async function settle(engine: 'origin' | 'auxiliary', step: FacilitationStep, outcome: 'mined' | 'failed', logs: unknown[] = []): Promise<void> {
    const { record } = await submitStep(fake[engine].engine, FAKE.originWorker, step, { to: FAKE.gateway, data: '0x', gas: 1n, label: 'test' });
    const result = outcome === 'mined' ? await fake[engine].engine.mine(record, { transactionHash: TX, blockNumber: '0x2a', logs } as never) : await fake[engine].engine.fail(record, 'reverted');
    await applyOutcome(fake.context, result, hooks);
  }

  it('a mined accept declares the message at the block of its receipt, read from the receipt it carries (no RPC)', async () => {
    await accepting();
    await settle('origin', { kind: 'accept', stakeRequestHash: REQUEST_HASH, attempt: 0 }, 'mined', [declarationLog(MESSAGE_HASH)]);
    const message = (await fake.store.getMessage(MESSAGE_HASH))!;
    expect([message.state, message.declarationHeight]).to.deep.equal(['DECLARED', 42n]);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state).to.equal('ACCEPTED');
    expect(fake.origin.rpc.requests.map((r) => r.method)).not.to.include('eth_getTransactionReceipt');
  });

  it('a mined accept without our declaration fails the message with the reason', async () => {
    await accepting();
    await settle('origin', { kind: 'accept', stakeRequestHash: REQUEST_HASH, attempt: 0 }, 'mined', [declarationLog(`0x${'01'.repeat(32)}`)]);
    const message = (await fake.store.getMessage(MESSAGE_HASH))!;
    expect([message.state, message.reason]).to.deep.equal(['FAILED', 'accepted, but the declared message hash differs']);
  });

  it('a failed accept is handed to the accept service', async () => {
    await accepting();
    await settle('origin', { kind: 'accept', stakeRequestHash: REQUEST_HASH, attempt: 1 }, 'failed');
    expect(failedAccepts).to.deep.equal([REQUEST_HASH]);
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('ACCEPTING');
  });

  it('a mined proof raises the proven height; mined or failed, the prove service is told', async () => {
    await settle('auxiliary', { kind: 'prove', gateway: FAKE.gateway, height: 50n }, 'mined');
    await settle('auxiliary', { kind: 'prove', gateway: FAKE.gateway, height: 60n }, 'failed');
    expect((await fake.store.getGateway(FAKE.gateway))!.lastProvenHeight).to.equal(50n);
    expect(settled).to.equal(2);
  });

  it('the prove service is told of a mined proof even when recording its height fails (the GatewayProven entity records it later)', async () => {
    fake.store.recordGatewayProven = () => Promise.reject(new Error('SQLITE_BUSY: database is locked'));
    const failure = await settle('auxiliary', { kind: 'prove', gateway: FAKE.gateway, height: 50n }, 'mined').catch((error: Error) => error);
    expect(String(failure)).to.match(/SQLITE_BUSY/);
    expect(settled).to.equal(1);
  });

  it('a failed confirm goes back to DECLARED while the inbox is empty, and follows the inbox otherwise', async () => {
    await declaredMessage(fake);
    await fake.store.apply({ kind: 'confirmQueued', messageHash: MESSAGE_HASH });
    await settle('auxiliary', { kind: 'confirm', messageHash: MESSAGE_HASH, height: 50n }, 'failed');
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('DECLARED');
    await fake.store.apply({ kind: 'confirmQueued', messageHash: MESSAGE_HASH });
    fake.chain.inbox.set(MESSAGE_HASH, MessageStatus.Declared); // someone else confirmed it
    await settle('auxiliary', { kind: 'confirm', messageHash: MESSAGE_HASH, height: 51n }, 'failed');
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('CONFIRMED');
  });

  it('mined progress steps complete the message', async () => {
    await declaredMessage(fake);
    await settle('auxiliary', { kind: 'confirm', messageHash: MESSAGE_HASH, height: 50n }, 'mined');
    await settle('origin', { kind: 'progressStake', messageHash: MESSAGE_HASH }, 'mined');
    await settle('auxiliary', { kind: 'progressMint', messageHash: MESSAGE_HASH }, 'mined');
    const message = (await fake.store.getMessage(MESSAGE_HASH))!;
    expect([message.state, message.confirmedHeight]).to.deep.equal(['COMPLETED', 50n]);
  });

  it('outcomes that arrived together are applied in order, in one batch', async () => {
    await declaredMessage(fake);
    const mined = async (engine: 'origin' | 'auxiliary', step: FacilitationStep, id: string) => {
      const { record } = await submitStep(fake[engine].engine, FAKE.originWorker, step, { to: FAKE.gateway, data: '0x', gas: 1n, label: 'test' });
      return fake[engine].engine.mine(record, { transactionHash: `0x${id.repeat(32)}`, blockNumber: '0x2a' } as never);
    };
    const outcomes = [
      await mined('auxiliary', { kind: 'confirm', messageHash: MESSAGE_HASH, height: 50n }, 'c1'),
      await mined('origin', { kind: 'progressStake', messageHash: MESSAGE_HASH }, 'c2'),
      await mined('auxiliary', { kind: 'progressMint', messageHash: MESSAGE_HASH }, 'c3'),
    ];
    const before = fake.store.batches.length;
    await applyOutcomes(fake.context, outcomes, hooks);
    expect(fake.store.batches.slice(before)).to.deep.equal([3]);
    expect((await fake.store.getMessage(MESSAGE_HASH))!.state).to.equal('COMPLETED');
  });
});
