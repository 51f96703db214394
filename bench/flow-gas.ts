import { scriptedRedeemAndUnstake } from '../src/devnet/scripted-redeem-and-unstake';
import { scriptedStakeAndMint } from '../src/devnet/scripted-stake-and-mint';
import { addressesOf, withFloorDevnet } from './bench-devnet';
import { runAsMain } from './harness';
import { mintForRedeems } from './requests';

/** Gas used by each step of one stake & mint and one redeem & unstake, by chain, from the devnet's receipts. */
export interface FlowGasResult {
  bench: 'flowGas';
  stake: { origin: Record<string, number>; auxiliary: Record<string, number> };
  redeem: { origin: Record<string, number>; auxiliary: Record<string, number> };
}

const gasOf = (receipt: { gasUsed: string }) => Number(BigInt(receipt.gasUsed));

/**
 * Where the profitability defaults (DEFAULTS.profitability.gas, src/facilitator/defaults.ts) come from:
 * `npx tsx bench/flow-gas.ts` sends one whole stake & mint and one redeem & unstake directly on an
 * in-process devnet (real Mosaic 0.12 bytecode) and prints each step's gasUsed, per chain. The second
 * flow of each kind is measured (the first writes storage slots for the first time).
 */
export async function measureFlowGas(): Promise<FlowGasResult> {
  return withFloorDevnet({ stakers: 6 }, async (devnet) => {
    const stakers = addressesOf(devnet, 'staker');
    const [worker] = addressesOf(devnet, 'worker');
    await scriptedStakeAndMint(devnet, { staker: stakers[0], worker });
    const stake = (await scriptedStakeAndMint(devnet, { staker: stakers[1], worker })).receipts;
    await mintForRedeems(devnet, stakers[2], worker, 2);
    await scriptedRedeemAndUnstake(devnet, { redeemer: stakers[3], worker });
    const redeem = (await scriptedRedeemAndUnstake(devnet, { redeemer: stakers[4], worker })).receipts;
    return {
      bench: 'flowGas',
      stake: {
        origin: { acceptStakeRequest: gasOf(stake.acceptStakeRequest), progressStake: gasOf(stake.progressStake) },
        auxiliary: { proveGateway: gasOf(stake.proveGateway), confirmStakeIntent: gasOf(stake.confirmStakeIntent), progressMint: gasOf(stake.progressMint) },
      },
      redeem: {
        origin: { proveCoGateway: gasOf(redeem.proveGateway), confirmRedeemIntent: gasOf(redeem.confirmRedeemIntent), progressUnstake: gasOf(redeem.progressUnstake) },
        auxiliary: { acceptRedeemRequest: gasOf(redeem.acceptRedeemRequest), progressRedeem: gasOf(redeem.progressRedeem) },
      },
    };
  });
}

runAsMain(module, 'flow-gas', measureFlowGas);
