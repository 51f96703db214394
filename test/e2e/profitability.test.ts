import { expect } from 'chai';
import type { Devnet } from '../../src/devnet/devnet';
import { requestStake, type RequestedStake } from '../../src/devnet/demo-staker';
import type { HistoryEntry } from '../../src/facilitation/history';
import { SqlFacilitationStore } from '../../src/facilitation/sql-facilitation-store';
import { STEP_PURPOSES } from '../../src/facilitation/steps';
import { DEFAULTS } from '../../src/facilitator/defaults';
import { addressesWithRole, startTestDevnet } from '../helpers/devnet';
import { startInProcessFacilitator, type InProcessFacilitator } from '../helpers/in-process-facilitator';

const GWEI = 10n ** 9n;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The profitability rule on the devnet: two stake requests side by side, one offering 1 wei per gas (no
 * fee market pays for that) and one 100 gwei per gas; the first is IGNORED with its numbers in the
 * history, the second minted with the numbers it was accepted on. The facilitator's own receipts of
 * that flow must stay within the measured gas the rule assumes (DEFAULTS.profitability.gas).
 */
describe('e2e: profitability on the devnet (in-process facilitator)', function () {
  this.timeout(240_000);
  let devnet: Devnet;
  let facilitator: InProcessFacilitator | undefined;

  before(async () => {
    devnet = await startTestDevnet({ stakers: 2, blockTimeMs: 100, anchorIntervalMs: 300 });
  });
  after(async () => {
    await facilitator?.stop();
    await devnet?.close();
  });

  function stakeOffering(staker: string, beneficiary: string, gasPrice: bigint): Promise<RequestedStake> {
    const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
    return requestStake({
      client: devnet.origin.client,
      composer: pair.origin.ostComposerAddress,
      gateway: pair.origin.ostEIP20GatewayAddress,
      valueToken: devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress,
      staker: devnet.originSender(staker),
      beneficiary,
      gasPrice,
      gasLimit: 1_000_000n,
    });
  }

  it('ignores an unprofitable stake request with its numbers in history and mints a profitable one', async () => {
    facilitator = await startInProcessFacilitator(devnet, {
      confirmations: 0,
      facilitation: { profitability: { enabled: true, ostPerEth: '1', marginPercent: 120 } },
    });
    const store = new SqlFacilitationStore(facilitator.runtime.knex);
    const [poor, rich] = addressesWithRole(devnet, 'staker');
    const [poorBeneficiary, richBeneficiary] = ['0x00000000000000000000000000000000000b0001', '0x00000000000000000000000000000000000b0002'];
    const unprofitable = await stakeOffering(poor, poorBeneficiary, 1n);
    const profitable = await stakeOffering(rich, richBeneficiary, 100n * GWEI);

    await until('the profitable stake minted', 120_000, async () => ((await devnet.auxiliary.client.getBalance(richBeneficiary)) > 0n ? true : undefined));
    const ignored = await until('the unprofitable request IGNORED', 30_000, async () => {
      const request = await store.getStakeRequest(unprofitable.stakeRequestHash);
      return request?.state === 'IGNORED' ? request : undefined;
    });
    expect(await devnet.auxiliary.client.getBalance(poorBeneficiary)).to.equal(0n);
    expect(await store.messageForStakeRequest(unprofitable.stakeRequestHash)).to.equal(undefined);

    const refusal = (await store.history(unprofitable.stakeRequestHash)).find((e: HistoryEntry) => e.state === 'IGNORED')!;
    expect(refusal.reason).to.equal(ignored.reason);
    expect(refusal.reason).to.match(/^unprofitable: offered reward 1000000 wei \(gasPrice 1 × gasLimit 1000000\) < required \d+ wei \(expected cost × margin 120%\); /);
    expect(refusal.reason).to.match(/origin 480000 gas × \d+ wei\/gas = \d+ wei ETH = \d+ wei OST at 1 OST\/ETH; auxiliary 1000000 gas × \d+ wei\/gas = \d+ wei OSTPrime$/);
    const accepted = (await store.history(profitable.stakeRequestHash)).find((e: HistoryEntry) => e.state === 'ACCEPTING')!;
    expect(accepted.reason).to.match(/^profitable: offered reward 100000000000000000 wei \(gasPrice 100000000000 × gasLimit 1000000\) ≥ required \d+ wei/);

    await expectWithinMeasuredGas();
  });

  /** Each step's gasUsed on the devnet, summed per chain, is within what the rule assumes for a stake. */
  async function expectWithinMeasuredGas(): Promise<void> {
    const steps = { origin: [STEP_PURPOSES.accept, STEP_PURPOSES.progressStake], auxiliary: [STEP_PURPOSES.prove, STEP_PURPOSES.confirm, STEP_PURPOSES.progressMint] };
    await until('the progress transactions mined', 30_000, async () => {
      const mined = (await facilitator!.runtime.knex('transactions').whereIn('purpose', [...steps.origin, ...steps.auxiliary]).whereNotNull('mined_block')) as unknown[];
      return mined.length >= 5 ? true : undefined;
    });
    for (const side of ['origin', 'auxiliary'] as const) {
      const client = side === 'origin' ? devnet.origin.client : devnet.auxiliary.client;
      const rows = (await facilitator!.runtime.knex('transactions').whereIn('purpose', steps[side]).whereNotNull('mined_block')) as Array<{ purpose: string; tx_hash: string }>;
      const gasByStep = new Map<string, bigint>();
      for (const row of rows) {
        const receipt = (await client.getReceipt(row.tx_hash))!;
        const used = BigInt(receipt.gasUsed);
        if (used > (gasByStep.get(row.purpose) ?? 0n)) gasByStep.set(row.purpose, used);
      }
      expect([...gasByStep.keys()].sort(), side).to.deep.equal([...steps[side]].sort());
      const total = [...gasByStep.values()].reduce((sum, gas) => sum + gas, 0n);
      expect(total <= DEFAULTS.profitability.gas.STAKE[side], `${side}: ${total} gas used, ${DEFAULTS.profitability.gas.STAKE[side]} assumed`).to.equal(true);
    }
  }
});
