import { addressesOf, startBenchDevnet } from './bench-devnet';
import { facilitatorBuild, fromSource } from './facilitator-launch';
import type { WarningSummary } from './facilitator-run';
import { atMost, benchLog, envNumber, expectTrue, runAsMain, type Targets } from './harness';
import { namedPhase, runPhase, runSingles, withBenchFacilitator, withoutSamples, type NamedPhase, type PhaseResult, type Running, type SinglesResult } from './phases';
import { measureRedeemBatchFloor, type RedeemBatchFloorResult } from './redeem-batch-floor';
import { measureRedeemFloor, type RedeemFloorResult } from './redeem-floor';
import { mintForRedeems, trackedRedeem } from './requests';
import { ratio } from './stats';

export interface RedeemLatencyBenchResult {
  bench: 'redeemLatency';
  /** RedeemRequested mined (auxiliary) → UnstakeProgressed mined (origin), one redeem at a time. */
  single: NamedPhase<SinglesResult, 'unstaked'>;
  concurrent50: NamedPhase<PhaseResult, 'unstaked'>;
  facilitatorPeakRssMb: number | null;
  facilitatorBuild: string;
  facilitatorLog: WarningSummary;
  floorMedianMs: number;
  batchFloorWallMs: number;
  ratioSingle: number | null;
  ratioConcurrent50: number | null;
  workers: number;
  anchoring: string;
  blockTimeMs: number;
  durationMs: number;
  targets: Targets;
}

export interface RedeemBaselines {
  redeemFloor?: RedeemFloorResult;
  redeemBatchFloor?: RedeemBatchFloorResult;
}

const log = benchLog('redeemLatency');

/** Single redeems one after the other (`runs` of them), then 50 at once, each from redeemers of its own. */
async function runRedeemPhases(r: Running, redeemers: string[], runs: number) {
  log(`${runs} single redeems`);
  const single = namedPhase(await runSingles(r, redeemers.slice(0, runs)), 'unstaked');
  log('50 concurrent redeems');
  const concurrent50 = namedPhase(withoutSamples(await runPhase(r, redeemers.slice(runs, runs + 50), 100)), 'unstaked');
  return { single, concurrent50 };
}

/**
 * The facilitator's redeem & unstake as operators run it (`facilitator start`, its own process, embedded
 * indexers, SQLite) with 1 (several runs) and 50 concurrent redeems, judged from chain state by independent
 * redeemers, against the redeem floor and batch floor of the same run (measured first when not given).
 * The bench anchors every auxiliary block on origin; a stake & mint sent directly before the facilitator
 * starts lets the redeemers wrap their OSTPrime (the facilitator finds that request already taken).
 */
export async function measureRedeemLatency(baselines: RedeemBaselines = {}): Promise<RedeemLatencyBenchResult> {
  const started = performance.now();
  const floor = baselines.redeemFloor ?? (log('redeem floor first'), await measureRedeemFloor());
  const batchFloor = baselines.redeemBatchFloor ?? (log('redeem batch floor first'), await measureRedeemBatchFloor());
  const runs = envNumber('BENCH_SINGLE_RUNS', 5);
  const workers = envNumber('BENCH_WORKERS', 2);
  if (!fromSource()) await facilitatorBuild(log);
  const bench = await startBenchDevnet({ stakers: runs + 51, workers, anchorIntervalMs: envNumber('BENCH_ANCHOR_INTERVAL_MS', 0), anchorInto: 'origin' }, log);
  try {
    const redeemers = addressesOf(bench.devnet, 'staker');
    await mintForRedeems(bench.devnet, redeemers[runs + 50], addressesOf(bench.devnet, 'worker')[0], runs + 50);
    const { phases, facilitator, peakRssMb } = await withBenchFacilitator(bench, log, 'REDEEM', trackedRedeem, (r) => runRedeemPhases(r, redeemers, runs));
    const ratioSingle = ratio(phases.single.medianMs, floor.medianMs);
    const ratioConcurrent50 = ratio(phases.concurrent50.wallMs, batchFloor.wallMs);
    return {
      bench: 'redeemLatency',
      ...phases,
      facilitatorPeakRssMb: peakRssMb,
      facilitatorBuild: facilitator.build,
      facilitatorLog: facilitator.warnings(),
      floorMedianMs: floor.medianMs,
      batchFloorWallMs: batchFloor.wallMs,
      ratioSingle,
      ratioConcurrent50,
      workers,
      anchoring: bench.anchoring,
      blockTimeMs: bench.devnet.info.blockTimeMs,
      durationMs: Math.round(performance.now() - started),
      targets: {
        ratioSingle: atMost(ratioSingle, 1.2),
        ratioConcurrent50: atMost(ratioConcurrent50, 1.5),
        allUnstaked50: expectTrue(phases.concurrent50.allUnstaked),
        replacements50: atMost(phases.concurrent50.replacements, 0),
      },
    };
  } finally {
    await bench.close();
  }
}

runAsMain(module, 'redeemLatency', () => measureRedeemLatency());
