import { scriptedRedeemAndUnstake } from '../src/devnet/scripted-redeem-and-unstake';
import { addressesOf, withFloorDevnet } from './bench-devnet';
import { benchLog, envNumber, runAsMain, type Targets } from './harness';
import { mintForRedeems } from './requests';
import { median, roundMs } from './stats';

export interface RedeemFloorResult {
  bench: 'redeemFloor';
  runs: number;
  /** Block of RedeemRequested mined → block of UnstakeProgressed mined, every step sent directly (no indexing, no DB). */
  medianMs: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
  /** After RedeemRequested: accept, anchor, proveGateway, confirmRedeemIntent, progressRedeem ∥ progressUnstake. */
  transactionsPerRun: number;
  blockTimeMs: number;
  durationMs: number;
  /** A baseline: judged by nothing, the facilitator's redeem ratios are judged against it. */
  targets: Targets;
}

const log = benchLog('redeemFloor');

/**
 * The redeem floor: one whole redeem & unstake sent directly (scriptedRedeemAndUnstake), step after step,
 * on an in-process devnet with the anchor relay off (the flow anchors the auxiliary head on origin right
 * after its accept is mined). Timed like the facilitator's redeems: from the block of RedeemRequested
 * (auxiliary) to the block of UnstakeProgressed (origin), both read from the nodes' newHeads (BlockClock).
 * A stake & mint first gives OSTPrime something to wrap and the gateway's vault the OST to unstake.
 */
export async function measureRedeemFloor(runs = envNumber('BENCH_FLOOR_RUNS', 7)): Promise<RedeemFloorResult> {
  const started = performance.now();
  return withFloorDevnet({ stakers: runs + 2 }, async (devnet, clocks) => {
    const redeemers = addressesOf(devnet, 'staker');
    const [worker] = addressesOf(devnet, 'worker');
    log(`stake & mint for the redeems, warm-up, then ${runs} runs`);
    await mintForRedeems(devnet, redeemers[runs + 1], worker, runs + 1);
    await scriptedRedeemAndUnstake(devnet, { redeemer: redeemers[runs], worker });
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const flow = await scriptedRedeemAndUnstake(devnet, { redeemer: redeemers[i], worker });
      const requested = await clocks.auxiliary.minedAt(flow.request.blockNumber);
      const unstaked = await clocks.origin.minedAt(BigInt(flow.receipts.progressUnstake.blockNumber));
      samples.push(unstaked - requested);
    }
    return {
      bench: 'redeemFloor',
      runs,
      medianMs: roundMs(median(samples)),
      minMs: roundMs(Math.min(...samples)),
      maxMs: roundMs(Math.max(...samples)),
      samplesMs: samples.map(roundMs),
      transactionsPerRun: 6,
      blockTimeMs: devnet.info.blockTimeMs,
      durationMs: Math.round(performance.now() - started),
      targets: {},
    };
  });
}

runAsMain(module, 'redeemFloor', () => measureRedeemFloor());
