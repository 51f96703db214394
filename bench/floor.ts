import { scriptedStakeAndMint } from '../src/devnet/scripted-stake-and-mint';
import { addressesOf, withFloorDevnet } from './bench-devnet';
import { benchLog, envNumber, runAsMain, type Targets } from './harness';
import { median, roundMs } from './stats';

export interface FloorResult {
  bench: 'floor';
  runs: number;
  /** Block of StakeRequested mined → block of MintProgressed mined, every step sent directly (no indexing, no DB). */
  medianMs: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
  /** After StakeRequested: approve bounty, accept, anchor, prove, confirm, progressStake, progressMint. */
  transactionsPerRun: number;
  /** Median time between MintProgressed's block being announced and DirectSender returning its receipt. */
  receiptLagMedianMs: number;
  blockTimeMs: number;
  durationMs: number;
  /** A baseline: judged by nothing, the facilitator's ratios are judged against it. */
  targets: Targets;
}

const log = benchLog('floor');

/**
 * The floor: one whole stake & mint sent directly, step after step, on an in-process devnet
 * (anchor relay off: the flow anchors as the admin right after its accept is mined). Timed like the
 * facilitator's requests: from the block of StakeRequested to the block of MintProgressed, both read
 * from the nodes' newHeads announcements (BlockClock).
 */
export async function measureFloor(runs = envNumber('BENCH_FLOOR_RUNS', 7)): Promise<FloorResult> {
  const started = performance.now();
  return withFloorDevnet({ stakers: runs + 1 }, async (devnet, clocks) => {
    const stakers = addressesOf(devnet, 'staker');
    const [worker] = addressesOf(devnet, 'worker');
    log(`warm-up, then ${runs} runs`);
    await scriptedStakeAndMint(devnet, { staker: stakers[runs], worker });
    const samples: number[] = [];
    const receiptLags: number[] = [];
    for (let i = 0; i < runs; i++) {
      const flow = await scriptedStakeAndMint(devnet, { staker: stakers[i], worker });
      const requested = await clocks.origin.minedAt(flow.request.blockNumber);
      const minted = await clocks.auxiliary.minedAt(BigInt(flow.receipts.progressMint.blockNumber));
      samples.push(minted - requested);
      receiptLags.push(flow.mintedAtMs - minted);
    }
    return {
      bench: 'floor',
      runs,
      medianMs: roundMs(median(samples)),
      minMs: roundMs(Math.min(...samples)),
      maxMs: roundMs(Math.max(...samples)),
      samplesMs: samples.map(roundMs),
      transactionsPerRun: 7,
      receiptLagMedianMs: roundMs(median(receiptLags)),
      blockTimeMs: devnet.info.blockTimeMs,
      durationMs: Math.round(performance.now() - started),
      targets: {},
    };
  });
}

runAsMain(module, 'floor', () => measureFloor());
