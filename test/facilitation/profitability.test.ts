import { expect } from 'chai';
import type { ProfitabilityPolicy } from '../../src/facilitation/context';
import { historyRows } from '../../src/facilitation/history';
import { describeVerdict, judgeProfitability } from '../../src/facilitation/profitability';
import { AcceptRedeemRequestService } from '../../src/facilitation/services/accept-redeem-request';
import { AcceptStakeRequestService } from '../../src/facilitation/services/accept-stake-request';
import type { StakeEvent } from '../../src/facilitation/stake/events';
import { stakeTransition } from '../../src/facilitation/stake/transition';
import { STEP_PURPOSES } from '../../src/facilitation/steps';
import { WorkerPool } from '../../src/facilitation/worker-pool';
import { FAKE, fakeFacilitation, type FakeFacilitation } from '../fakes/fake-facilitation';
import { REQUEST_HASH, stakeRequest } from './facilitation-store-contract';

const GWEI = 10n ** 9n;

/** 2 OST per ETH, 20% margin, the gas of each flow as DEFAULTS has it. */
const POLICY: ProfitabilityPolicy = {
  marginPercent: 120n,
  ostPerEth: { numerator: 2n, denominator: 1n },
  gas: { STAKE: { origin: 480_000n, auxiliary: 1_000_000n }, REDEEM: { origin: 940_000n, auxiliary: 470_000n } },
};
/** Origin: next base fee 10 gwei + tip 1 gwei; auxiliary: a legacy 2 gwei. */
const FEES = { origin: 11n * GWEI, auxiliary: 2n * GWEI };
/** (480,000 × 11 gwei × 2 OST/ETH + 1,000,000 × 2 gwei) × 120%. */
const STAKE_REQUIRED = 15_072_000_000_000_000n;
/** (940,000 × 11 gwei × 2 + 470,000 × 2 gwei) × 120%. */
const REDEEM_REQUIRED = 25_944_000_000_000_000n;

describe('profitability rule', () => {
  it('accepts a stake whose reward covers both chains\u2019 gas × margin, refuses one that does not', () => {
    const refused = judgeProfitability({ direction: 'STAKE', gasPrice: 10n * GWEI, gasLimit: 1_000_000n }, POLICY, FEES);
    expect([refused.profitable, refused.offeredReward, refused.requiredReward]).to.deep.equal([false, 10n ** 16n, STAKE_REQUIRED]);
    expect([refused.originCost, refused.originCostInOst, refused.auxiliaryCost]).to.deep.equal([5_280_000_000_000_000n, 10_560_000_000_000_000n, 2_000_000_000_000_000n]);
    const accepted = judgeProfitability({ direction: 'STAKE', gasPrice: 10n * GWEI, gasLimit: 2_000_000n }, POLICY, FEES);
    expect(accepted.profitable).to.equal(true);
  });

  it('judges a redeem on its own flow\u2019s gas: the reward that pays for a stake does not pay for a redeem', () => {
    const refused = judgeProfitability({ direction: 'REDEEM', gasPrice: 10n * GWEI, gasLimit: 2_000_000n }, POLICY, FEES);
    expect([refused.profitable, refused.requiredReward]).to.deep.equal([false, REDEEM_REQUIRED]);
    expect(judgeProfitability({ direction: 'REDEEM', gasPrice: 10n * GWEI, gasLimit: 3_000_000n }, POLICY, FEES).profitable).to.equal(true);
  });

  it('a reward exactly at the required amount is enough; one wei less is not', () => {
    const exactly = { direction: 'STAKE' as const, gasPrice: 1n, gasLimit: STAKE_REQUIRED };
    expect(judgeProfitability(exactly, POLICY, FEES).profitable).to.equal(true);
    expect(judgeProfitability({ ...exactly, gasLimit: STAKE_REQUIRED - 1n }, POLICY, FEES).profitable).to.equal(false);
  });

  it('rounds costs up (the cautious side) and converts origin gas at a fractional rate exactly', () => {
    const tiny: ProfitabilityPolicy = { ...POLICY, ostPerEth: { numerator: 3n, denominator: 10n }, gas: { ...POLICY.gas, STAKE: { origin: 1n, auxiliary: 0n } } };
    const verdict = judgeProfitability({ direction: 'STAKE', gasPrice: 1n, gasLimit: 1n }, tiny, { origin: 1n, auxiliary: 0n });
    // 1 wei of ETH is 0.3 wei of OST: 1 wei (up), × 120% = 1.2: 2 wei required.
    expect([verdict.originCostInOst, verdict.requiredReward, verdict.profitable, verdict.ostPerEth]).to.deep.equal([1n, 2n, false, '0.3']);
  });

  it('says every number in one line', () => {
    const verdict = judgeProfitability({ direction: 'STAKE', gasPrice: 10n * GWEI, gasLimit: 1_000_000n }, POLICY, FEES);
    expect(describeVerdict(verdict)).to.equal(
      'unprofitable: offered reward 10000000000000000 wei (gasPrice 10000000000 × gasLimit 1000000) < required 15072000000000000 wei (expected cost × margin 120%); ' +
        'origin 480000 gas × 11000000000 wei/gas = 5280000000000000 wei ETH = 10560000000000000 wei OST at 2 OST/ETH; ' +
        'auxiliary 1000000 gas × 2000000000 wei/gas = 2000000000000000 wei OSTPrime',
    );
  });
});

describe('accept services with the profitability rule (fees from a fake node)', () => {
  let fake: FakeFacilitation;
  const REDEEMER = `0x${'5a'.repeat(20)}`;

  function withFees(policy: ProfitabilityPolicy | undefined): void {
    fake = fakeFacilitation(policy ? { profitability: policy } : {});
    fake.origin.rpc.fees = { baseFee: 10n * GWEI, priority: 1n * GWEI, gasPrice: 99n * GWEI };
    fake.auxiliary.rpc.fees = { priority: 0n, gasPrice: 2n * GWEI };
    fake.chain.stakeRequests.add(REQUEST_HASH);
    fake.auxiliary.rpc
      .contract(FAKE.redeemPool, 'RedeemPool', { redeemRequestHashes: () => REQUEST_HASH })
      .contract(FAKE.coGateway, 'EIP20CoGateway', { bounty: () => 7n });
  }

  async function stake(gasLimit: bigint): Promise<void> {
    await fake.store.apply({ kind: 'requestSeen', request: stakeRequest({ gateway: FAKE.gateway, gasPrice: 10n * GWEI, gasLimit }) });
    const workers = new WorkerPool(fake.origin.engine.workers(), fake.context.origin.client, fake.context.origin.valueToken);
    await new AcceptStakeRequestService(fake.context, workers).handle(REQUEST_HASH);
  }

  async function redeem(gasLimit: bigint): Promise<void> {
    const request = stakeRequest({ direction: 'REDEEM', composer: FAKE.redeemPool, gateway: FAKE.coGateway, staker: REDEEMER, gasPrice: 10n * GWEI, gasLimit });
    await fake.store.apply({ kind: 'requestSeen', request });
    await new AcceptRedeemRequestService(fake.context, new WorkerPool(fake.auxiliary.engine.workers(), fake.context.auxiliary.client)).handle(REQUEST_HASH);
  }

  /** The history row the last event of this kind wrote for the request (or its message). */
  async function requestRow(kind: StakeEvent['kind'], record: 'request' | 'message' = 'request') {
    const event = fake.store.events.filter((e) => e.kind === kind).at(-1)!;
    const request = (await fake.store.getStakeRequest(REQUEST_HASH))!;
    const before = { request: { ...request, state: 'REQUESTED' as const, reason: undefined } };
    return historyRows(before, stakeTransition(before, event), event).find((row) => row.record === record)!;
  }

  it('stake: an unprofitable request ends IGNORED with the numbers as its reason, nothing sent', async () => {
    withFees(POLICY);
    await stake(1_000_000n);
    const request = (await fake.store.getStakeRequest(REQUEST_HASH))!;
    expect(request.state).to.equal('IGNORED');
    expect(request.reason).to.match(/^unprofitable: offered reward 10000000000000000 wei .* < required 15072000000000000 wei/);
    expect(request.reason).to.contain('origin 480000 gas × 11000000000 wei/gas').and.to.contain('auxiliary 1000000 gas × 2000000000 wei/gas');
    expect((await requestRow('requestIgnored')).reason).to.equal(request.reason);
    expect(fake.origin.engine.records).to.have.length(0);
  });

  it('stake: a profitable request is accepted, the decision and its numbers in its history', async () => {
    withFees(POLICY);
    await stake(2_000_000n);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state).to.equal('ACCEPTING');
    expect(fake.origin.engine.byPurpose(STEP_PURPOSES.accept)).to.have.length(1);
    const row = await requestRow('acceptancePrepared');
    expect([row.to_state, row.event]).to.deep.equal(['ACCEPTING', 'acceptancePrepared']);
    expect(row.reason).to.match(/^profitable: offered reward 20000000000000000 wei .* ≥ required 15072000000000000 wei/);
    // The message's first history entry (what the status API shows) says the same.
    const messageRow = await requestRow('acceptancePrepared', 'message');
    expect([messageRow.to_state, messageRow.reason]).to.deep.equal(['ACCEPTING', row.reason]);
  });

  it('redeem: refused at a reward a stake would take, accepted above its own flow\u2019s cost', async () => {
    withFees(POLICY);
    await redeem(2_000_000n);
    const refused = (await fake.store.getStakeRequest(REQUEST_HASH))!;
    expect([refused.state, refused.reason?.split(';')[0]]).to.deep.equal([
      'IGNORED',
      'unprofitable: offered reward 20000000000000000 wei (gasPrice 10000000000 × gasLimit 2000000) < required 25944000000000000 wei (expected cost × margin 120%)',
    ]);
    expect(fake.auxiliary.engine.records).to.have.length(0);

    withFees(POLICY);
    await redeem(3_000_000n);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state).to.equal('ACCEPTING');
    expect(fake.auxiliary.engine.byPurpose(STEP_PURPOSES.acceptRedeem)).to.have.length(1);
    expect((await requestRow('acceptancePrepared')).reason).to.match(/^profitable: .* ≥ required 25944000000000000 wei/);
  });

  it('off (the default): no fee is read and any reward is taken', async () => {
    withFees(undefined);
    await stake(1n);
    expect((await fake.store.getStakeRequest(REQUEST_HASH))!.state).to.equal('ACCEPTING');
    const feeReads = [...fake.origin.rpc.requests, ...fake.auxiliary.rpc.requests].filter((r) => /gasPrice|feeHistory|PriorityFee/.test(r.method));
    expect(feeReads).to.deep.equal([]);
    expect((await requestRow('acceptancePrepared')).reason).to.equal(null);
  });
});
