import { measureBatchFloor, type BatchFloorResult } from './batch-floor';
import { startBenchDevnet, type BenchDevnet } from './bench-devnet';
import { facilitatorBuild, fromSource } from './facilitator-launch';
import { rpcUsage, startBenchFacilitator, type BenchFacilitator, type WarningSummary } from './facilitator-run';
import { measureFloor, type FloorResult } from './floor';
import { atMost, benchLog, envNumber, expectTrue, runAsMain, type Targets } from './harness';
import { ProgressWatch } from './progress-watch';
import { isComplete, isMinted, latencyMs, trackedRequest, wallMs } from './requests';
import { median, percentile, ratio, roundMs } from './stats';

export interface PhaseResult {
  requests: number;
  minted: number;
  allMinted: boolean;
  /** Also progressed on origin (the message completed on both sides). */
  completed: number;
  /** Block of the last StakeRequested → block of the last MintProgressed (null unless all minted). */
  wallMs: number | null;
  medianMs: number;
  p90Ms: number;
  /** facilitator_transactions_replaced_total during the phase. */
  replacements: number;
  durationMs: number;
  /** CPU time the facilitator process used during the phase (user + system). */
  facilitatorCpuMs: number | null;
  /** The facilitator's JSON-RPC calls during the phase (BENCH_COUNT_RPC=1; null otherwise). */
  facilitatorRpc: ReturnType<typeof rpcUsage>;
}

export interface LatencyBenchResult {
  bench: 'latency';
  single: PhaseResult & { runs: number; samplesMs: number[] };
  concurrent50: PhaseResult;
  concurrent200: PhaseResult;
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

interface Running {
  bench: BenchDevnet;
  facilitator: BenchFacilitator;
  watch: ProgressWatch;
}

const deadlineFor = (requests: number) => Date.now() + envNumber('BENCH_PHASE_DEADLINE_MS', 30_000 + 1_500 * requests);

/** `stakers` request at once; waits (bounded) until each is minted and progressed; per-request latencies on the block clocks. */
async function runPhase(r: Running, stakers: string[], tag: number): Promise<PhaseResult & { latencies: number[] }> {
  const started = performance.now();
  const replacedBefore = await r.facilitator.replacements();
  const cpuBefore = r.facilitator.cpuMs();
  const rpcBefore = r.facilitator.rpcSnapshot();
  const batch = await Promise.all(stakers.map((staker, i) => trackedRequest(r.bench.devnet, staker, tag, i)));
  const done = await r.watch.until(() => batch.every((t) => isComplete(r.watch, t)), deadlineFor(stakers.length));
  const latencies: number[] = [];
  for (const tracked of batch) {
    const latency = await latencyMs(r.bench.clocks, r.watch, tracked);
    if (latency !== undefined) latencies.push(latency);
  }
  const cpuAfter = r.facilitator.cpuMs();
  const rpc = rpcUsage(rpcBefore, r.facilitator.rpcSnapshot(), stakers.length);
  const wall = await wallMs(r.bench.clocks, r.watch, batch);
  const minted = batch.filter((t) => isMinted(r.watch, t)).length;
  if (!done) log(`phase ${tag}: deadline passed with ${minted} of ${batch.length} minted`);
  return {
    requests: batch.length,
    minted,
    allMinted: minted === batch.length,
    completed: batch.filter((t) => isComplete(r.watch, t)).length,
    wallMs: wall === null ? null : roundMs(wall),
    medianMs: roundMs(median(latencies)),
    p90Ms: roundMs(percentile(latencies, 0.9)),
    replacements: (await r.facilitator.replacements()) - replacedBefore,
    durationMs: Math.round(performance.now() - started),
    facilitatorCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    facilitatorRpc: rpc,
    latencies,
  };
}

const withoutSamples = ({ latencies: _latencies, ...phase }: PhaseResult & { latencies: number[] }): PhaseResult => phase;

/** Single requests one after the other (`runs` of them), then 50 and 200 at once, each from stakers of its own. */
async function runPhases(r: Running, stakers: string[], runs: number) {
  log(`${runs} single requests`);
  const singles = [];
  const rpcBefore = r.facilitator.rpcSnapshot();
  for (let i = 0; i < runs; i++) singles.push(await runPhase(r, [stakers[i]], 1 + i));
  const samples = singles.flatMap((s) => s.latencies);
  const single = {
    runs,
    requests: runs,
    minted: singles.reduce((n, s) => n + s.minted, 0),
    allMinted: singles.every((s) => s.allMinted),
    completed: singles.reduce((n, s) => n + s.completed, 0),
    wallMs: null,
    medianMs: roundMs(median(samples)),
    p90Ms: roundMs(percentile(samples, 0.9)),
    replacements: singles.reduce((n, s) => n + s.replacements, 0),
    durationMs: singles.reduce((n, s) => n + s.durationMs, 0),
    facilitatorCpuMs: singles.reduce((n, s) => n + (s.facilitatorCpuMs ?? 0), 0),
    facilitatorRpc: rpcUsage(rpcBefore, r.facilitator.rpcSnapshot(), runs),
    samplesMs: samples.map(roundMs),
  };
  log('50 concurrent requests');
  const concurrent50 = withoutSamples(await runPhase(r, stakers.slice(runs, runs + 50), 100));
  log('200 concurrent requests');
  const concurrent200 = withoutSamples(await runPhase(r, stakers.slice(runs + 50, runs + 250), 200));
  return { single, concurrent50, concurrent200 };
}

export interface Baselines {
  floor?: FloorResult;
  batchFloor?: BatchFloorResult;
}

/**
 * The facilitator as operators run it (`facilitator start`, its own process, embedded indexers, SQLite)
 * with 1 (several runs), 50 and 200 concurrent requests, judged from chain state by an independent staker,
 * against the floor and the batch floor of the same run (measured first when not given).
 */
export async function measureLatency(baselines: Baselines = {}): Promise<LatencyBenchResult> {
  const started = performance.now();
  const floor = baselines.floor ?? (log('floor first'), await measureFloor());
  const batchFloor = baselines.batchFloor ?? (log('batch floor first'), await measureBatchFloor());
  const runs = envNumber('BENCH_SINGLE_RUNS', 5);
  const workers = envNumber('BENCH_WORKERS', 2);
  if (!fromSource()) await facilitatorBuild(log);
  const bench = await startBenchDevnet({ stakers: runs + 250, workers, anchorIntervalMs: envNumber('BENCH_ANCHOR_INTERVAL_MS', 0) }, log);
  try {
    const facilitator = await startBenchFacilitator(bench.devnet, log);
    let phases: Awaited<ReturnType<typeof runPhases>>;
    let peakRss: number | null;
    try {
      const watch = await ProgressWatch.start(bench.devnet);
      phases = await runPhases({ bench, facilitator, watch }, bench.devnet.info.accounts.filter((a) => a.role === 'staker').map((a) => a.address), runs);
      peakRss = facilitator.peakRssMb();
    } finally {
      const code = await facilitator.stop();
      if (code !== 0) log(`facilitator exited with ${code}`);
    }
    const ratioSingle = ratio(phases.single.medianMs, floor.medianMs);
    const ratioConcurrent50 = ratio(phases.concurrent50.wallMs, batchFloor.wallMs);
    return {
      bench: 'latency',
      ...phases,
      facilitatorPeakRssMb: peakRss,
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
        allMinted200: expectTrue(phases.concurrent200.allMinted),
        replacements200: atMost(phases.concurrent200.replacements, 0),
      },
    };
  } finally {
    await bench.close();
  }
}

runAsMain(module, 'latency', () => measureLatency());
