import { expect } from 'chai';
import { encodeParameters } from 'web3-eth-abi';
import type { OutboxRecord } from '../../src/chain/tx-engine/outbox-port';
import { FacilitationEngine } from '../../src/facilitation/facilitation-engine';
import { handleEntityBatch } from '../../src/facilitation/handlers';
import { STEP_PURPOSES } from '../../src/facilitation/steps';
import { contractInterface } from '../../src/mosaic/contracts';
import { MessageStatus } from '../../src/mosaic/message-status';
import type { FakeChainEngine } from '../fakes/fake-chain-engine';
import { fakeFacilitation, FAKE, type FakeFacilitation } from '../fakes/fake-facilitation';
import { REQUEST_HASH, stakeRequest } from './facilitation-store-contract';
import { declaredMessage } from './services/fixtures';

const BLOCK_HASH = `0x${'0b'.repeat(32)}`;

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`not reached: ${what}`);
}

describe('facilitation engine without a chain: model changes and outcomes drive the services', () => {
  let fake: FakeFacilitation;
  let engine: FacilitationEngine;

  beforeEach(() => {
    fake = fakeFacilitation();
    engine = new FacilitationEngine(fake.context, { reconcileIntervalMs: 60_000 });
    engine.start();
  });
  afterEach(async () => engine.stop());

  const waitingRecord = async (chain: FakeChainEngine, purpose: string): Promise<OutboxRecord> => {
    await until(`${purpose} queued`, () => chain.byPurpose(purpose).some((r) => r.status === 'queued'));
    return chain.byPurpose(purpose).find((r) => r.status === 'queued')!;
  };
  const mine = (chain: FakeChainEngine, record: OutboxRecord, logs: unknown[] = []) =>
    chain.mine(record, { transactionHash: `0x${record.id.toString(16).padStart(64, '0')}`, blockNumber: '0x2a', logs } as never);

  it('takes a StakeRequested entity to COMPLETED, one step per outcome, with one proof', async () => {
    const request = stakeRequest({ gateway: FAKE.gateway });
    fake.chain.stakeRequests.add(REQUEST_HASH);
    await handleEntityBatch(fake.handlers, {
      stream: 'origin.StakeRequested',
      entityType: 'StakeRequested',
      throughBlock: 10,
      entities: [
        {
          id: 'r-0',
          blockNumber: '10',
          blockHash: BLOCK_HASH,
          blockTimestamp: '1700000000',
          logIndex: '0',
          contractAddress: FAKE.composer,
          transactionHash: request.transactionHash,
          amount: request.amount.toString(),
          beneficiary: request.beneficiary,
          gasPrice: '1',
          gasLimit: '2',
          nonce: '0',
          staker: request.staker,
          stakerProxy: request.stakerProxy,
          gateway: FAKE.gateway,
          stakeRequestHash: REQUEST_HASH,
        },
      ],
    });

    const accept = await waitingRecord(fake.origin.engine, STEP_PURPOSES.accept);
    const message = (await fake.store.messageForStakeRequest(REQUEST_HASH))!;
    fake.chain.outbox.set(message.messageHash, MessageStatus.Declared);
    const declaration = {
      address: FAKE.gateway,
      topics: [contractInterface('EIP20Gateway').eventTopic('StakeIntentDeclared'), message.messageHash],
      data: encodeParameters(['address', 'uint256', 'address', 'uint256'], [message.sender, 0n, message.beneficiary, message.amount]),
      blockNumber: '0x2a',
      logIndex: '0x0',
    };
    fake.chain.anchoredHeight = 50n;
    await mine(fake.origin.engine, accept, [declaration]);

    const prove = await waitingRecord(fake.auxiliary.engine, STEP_PURPOSES.prove);
    expect(prove.subject).to.equal(`${FAKE.gateway}@50`);
    await mine(fake.auxiliary.engine, prove);
    const confirm = await waitingRecord(fake.auxiliary.engine, STEP_PURPOSES.confirm);
    fake.chain.inbox.set(message.messageHash, MessageStatus.Declared);
    await mine(fake.auxiliary.engine, confirm);
    await mine(fake.origin.engine, await waitingRecord(fake.origin.engine, STEP_PURPOSES.progressStake));
    await mine(fake.auxiliary.engine, await waitingRecord(fake.auxiliary.engine, STEP_PURPOSES.progressMint));

    await until('COMPLETED', async () => (await fake.store.getMessage(message.messageHash))?.state === 'COMPLETED');
    const sent = [...fake.origin.engine.records, ...fake.auxiliary.engine.records].map((r) => r.purpose);
    expect(sent.sort()).to.deep.equal(['acceptStakeRequest', 'confirmStakeIntent', 'progressMint', 'progressStake', 'proveGateway']);
  });

  it('reads the anchor again on each new block of the target chain while a declared message waits for it (not only when its StateRootAvailable streams in)', async () => {
    await engine.stop(); // the message is made DECLARED first, as if from an earlier run
    await declaredMessage(fake, 42n);
    fake.chain.anchoredHeight = 41n;
    engine = new FacilitationEngine(fake.context, { reconcileIntervalMs: 60_000 });
    engine.start();
    await until('anchor read', async () => (await fake.store.getAnchor(FAKE.auxiliaryAnchor))?.lastAnchoredHeight === 41n);
    expect(fake.auxiliary.engine.byPurpose(STEP_PURPOSES.prove), 'anchored below the declaration').to.have.length(0);
    fake.chain.anchoredHeight = 43n;
    fake.auxiliary.engine.announceHead(7n);
    const prove = await waitingRecord(fake.auxiliary.engine, STEP_PURPOSES.prove);
    expect(prove.subject).to.equal(`${FAKE.gateway}@43`);
  });

  it('keeps going after a failing store write: the error is logged and the next change is handled', async () => {
    fake.chain.stakeRequests.add(REQUEST_HASH);
    fake.store.failNextApply = new Error('SQLITE_BUSY: database is locked');
    await fake.store.apply({ kind: 'requestSeen', request: stakeRequest({ gateway: FAKE.gateway }) }).catch(() => undefined);
    await fake.store.apply({ kind: 'requestSeen', request: stakeRequest({ gateway: FAKE.gateway }) });
    await waitingRecord(fake.origin.engine, STEP_PURPOSES.accept);
  });
});
