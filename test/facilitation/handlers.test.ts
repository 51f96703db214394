import { expect } from 'chai';
import { isRetryable } from '../../src/errors';
import { handleEntityBatch } from '../../src/facilitation/handlers';
import type { StreamedEntity } from '../../src/streams/entity-stream';
import { fakeFacilitation, FAKE } from '../fakes/fake-facilitation';

const HASH = `0x${'11'.repeat(32)}`;
const base = (contractAddress: string, overrides: Record<string, unknown> = {}): StreamedEntity => ({
  id: 'e-0',
  blockNumber: '12',
  blockHash: `0x${'0b'.repeat(32)}`,
  blockTimestamp: '1700000000',
  transactionHash: `0x${'77'.repeat(32)}`,
  logIndex: '0',
  contractAddress,
  ...overrides,
});

describe('entity handlers (no chain)', () => {
  it('turns entities of the watched contracts into events, and skips other deployments\' entities', async () => {
    const fake = fakeFacilitation();
    const revoked = { staker: `0x${'5a'.repeat(20)}`, stakeRequestHash: HASH };
    await handleEntityBatch(fake.handlers, { stream: 'origin.StakeRevoked', entityType: 'StakeRevoked', throughBlock: 12, entities: [base(`0x${'de'.repeat(20)}`, revoked), base(FAKE.composer, revoked)] });
    expect(fake.store.events, 'with the block and transaction that showed it').to.deep.equal([
      { kind: 'requestClosed', stakeRequestHash: HASH, by: 'REVOKED', evidence: { blockNumber: 12n, txHash: `0x${'77'.repeat(32)}` } },
    ]);
  });

  it('applies the events of a batch together (one commit in the SQL store), in the entities\' order', async () => {
    const fake = fakeFacilitation();
    const hashes = ['21', '22', '23'].map((byte) => `0x${byte.repeat(32)}`);
    const entities = hashes.map((stakeRequestHash, i) => base(FAKE.composer, { id: `e-${i}`, staker: `0x${'5a'.repeat(20)}`, stakeRequestHash }));
    await handleEntityBatch(fake.handlers, { stream: 'origin.StakeRevoked', entityType: 'StakeRevoked', throughBlock: 12, entities });
    expect(fake.store.batches).to.deep.equal([3]);
    expect(fake.store.events.map((e) => (e.kind === 'requestClosed' ? e.stakeRequestHash : e.kind))).to.deep.equal(hashes);
  });

  it('records anchored heights and proofs as facts, not facilitation events', async () => {
    const fake = fakeFacilitation();
    await handleEntityBatch(fake.handlers, {
      stream: 'auxiliary.StateRootAvailable',
      entityType: 'StateRootAvailable',
      throughBlock: 12,
      entities: [base(FAKE.auxiliaryAnchor, { blockHeight: '40', stateRoot: `0x${'ab'.repeat(32)}` })],
    });
    expect((await fake.store.getAnchor(FAKE.auxiliaryAnchor))!.lastAnchoredHeight).to.equal(40n);
    expect(fake.store.events).to.deep.equal([]);
  });

  it('records a RedeemRequested of the watched pool as a REDEEM request (redeemer, proxy and cogateway in the shared fields)', async () => {
    const fake = fakeFacilitation();
    const entity = {
      amount: '40',
      beneficiary: `0x${'be'.repeat(20)}`,
      gasPrice: '1',
      gasLimit: '2',
      nonce: '0',
      redeemer: `0x${'5a'.repeat(20)}`,
      redeemerProxy: `0x${'5b'.repeat(20)}`,
      cogateway: FAKE.coGateway,
      redeemRequestHash: HASH,
    };
    await handleEntityBatch(fake.handlers, { stream: 'auxiliary.RedeemRequested', entityType: 'RedeemRequested', throughBlock: 12, entities: [base(FAKE.redeemPool, entity)] });
    const request = (await fake.store.getStakeRequest(HASH))!;
    expect([request.direction, request.state, request.staker, request.stakerProxy, request.gateway, request.amount]).to.deep.equal([
      'REDEEM',
      'REQUESTED',
      entity.redeemer,
      entity.redeemerProxy,
      FAKE.coGateway,
      40n,
    ]);
  });

  it('reads proofs and anchors by side: on origin the cogateway is proven and the origin anchor holds auxiliary roots', async () => {
    const fake = fakeFacilitation();
    const proven = { gateway: FAKE.coGateway, blockHeight: '55', storageRoot: `0x${'ab'.repeat(32)}`, wasAlreadyProved: false };
    await handleEntityBatch(fake.handlers, { stream: 'origin.GatewayProven', entityType: 'GatewayProven', throughBlock: 12, entities: [base(FAKE.gateway, proven)] });
    await handleEntityBatch(fake.handlers, {
      stream: 'origin.StateRootAvailable',
      entityType: 'StateRootAvailable',
      throughBlock: 12,
      entities: [base(FAKE.originAnchor, { blockHeight: '60', stateRoot: `0x${'ab'.repeat(32)}` })],
    });
    expect((await fake.store.getGateway(FAKE.coGateway))!.lastProvenHeight, 'the cogateway proven on origin').to.equal(55n);
    expect(await fake.store.getGateway(FAKE.gateway), 'the origin gateway not').to.equal(undefined);
    expect((await fake.store.getAnchor(FAKE.originAnchor))!.lastAnchoredHeight).to.equal(60n);
    expect(await fake.store.getAnchor(FAKE.auxiliaryAnchor)).to.equal(undefined);
  });

  it('refuses a malformed entity with its type, id and field (a deterministic failure for the stream)', async () => {
    const fake = fakeFacilitation();
    const batch = { stream: 'origin.StakeRevoked', entityType: 'StakeRevoked' as const, throughBlock: 12, entities: [base(FAKE.composer, { staker: 'nobody', stakeRequestHash: HASH })] };
    let error: unknown;
    await handleEntityBatch(fake.handlers, batch).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/StakeRevoked e-0: field staker is not a valid address/);
    expect(isRetryable(error), 'stops the stream').to.equal(false);
  });
});
