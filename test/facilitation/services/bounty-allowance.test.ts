import { expect } from 'chai';
import { BountyAllowance } from '../../../src/facilitation/services/bounty-allowance';
import { STEP_PURPOSES } from '../../../src/facilitation/steps';
import { fakeFacilitation, FAKE, type FakeFacilitation } from '../../fakes/fake-facilitation';
import { stakeMessage, stakeRequest } from '../facilitation-store-contract';

describe('bounty allowance (no chain)', () => {
  let fake: FakeFacilitation;
  let allowance: BountyAllowance;

  beforeEach(() => {
    fake = fakeFacilitation({ bountyAllowanceBatch: 2n });
    allowance = new BountyAllowance(fake.context);
  });

  async function unminedAccepts(count: number): Promise<void> {
    for (let i = 1; i <= count; i++) {
      const stakeRequestHash = `0x${i.toString(16).padStart(64, '0')}`;
      await fake.store.apply({ kind: 'requestSeen', request: stakeRequest({ stakeRequestHash }) });
      await fake.store.apply({ kind: 'acceptancePrepared', message: stakeMessage({ stakeRequestHash, messageHash: `0x${i.toString(16).padStart(64, 'e')}`, worker: FAKE.originWorker }) });
    }
  }

  it('approves nothing while the allowance covers the unmined accepts with half a batch to spare', async () => {
    await unminedAccepts(2);
    fake.chain.allowance = FAKE.bounty * 3n; // 2 accepts + half a batch (1 bounty)
    await allowance.cover(FAKE.originWorker, FAKE.bounty);
    expect(fake.origin.engine.byPurpose(STEP_PURPOSES.approveBounty)).to.have.length(0);
  });

  it('tops up to what is left plus every unmined accept plus a batch, without waiting when what is left still covers them', async () => {
    await unminedAccepts(2);
    fake.chain.allowance = FAKE.bounty * 2n;
    await allowance.cover(FAKE.originWorker, FAKE.bounty);
    const [approval] = fake.origin.engine.byPurpose(STEP_PURPOSES.approveBounty);
    const amount = BigInt(`0x${approval.data.slice(-64)}`);
    expect(amount).to.equal(FAKE.bounty * (2n + 2n + 2n));
  });

  it('queues one approval for concurrent accepts of a worker, and they all wait for it when nothing is left', async () => {
    await unminedAccepts(3);
    fake.chain.allowance = 0n;
    const covering = Promise.all([1, 2, 3].map(() => allowance.cover(FAKE.originWorker, FAKE.bounty)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const approvals = fake.origin.engine.byPurpose(STEP_PURPOSES.approveBounty);
    expect(approvals).to.have.length(1);
    await fake.origin.engine.mine(approvals[0], { transactionHash: `0x${'ab'.repeat(32)}`, blockNumber: '0xb' });
    fake.chain.allowance = FAKE.bounty * 5n;
    await covering;
  });

  it('lets concurrent accepts of a worker share checks: a burst reads the allowance twice, not once per accept', async () => {
    await unminedAccepts(10);
    fake.chain.allowance = FAKE.bounty * 100n;
    const reads = () => fake.origin.rpc.requests.filter((r) => r.method === 'eth_call').length;
    const before = reads();
    await Promise.all(Array.from({ length: 10 }, () => allowance.cover(FAKE.originWorker, FAKE.bounty)));
    expect(reads() - before).to.equal(2);
    expect(fake.origin.engine.byPurpose(STEP_PURPOSES.approveBounty)).to.have.length(0);
  });
});
