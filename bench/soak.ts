import { startBenchDevnet, type BenchDevnet } from './bench-devnet';
import { startBenchFacilitator, type BenchFacilitator, type WarningSummary } from './facilitator-run';
import { atMost, benchLog, envNumber, expectTrue, runAsMain, type Targets } from './harness';
import { ProgressWatch } from './progress-watch';
import { isComplete, isMinted, latencyMs, trackedRequest, type TrackedRequest } from './requests';
import { median, percentile, roundMs } from './stats';

export interface SoakResult {
  bench: 'soak';
  requests: number;
  stakers: number;
  rounds: number;
  minted: number;
  allMinted: boolean;
  /** First requestStake sent → block of the last MintProgressed. */
  wallMs: number;
  mintedPerSecond: number;
  latency: { medianMs: number; p90Ms: number; maxMs: number };
  replacements: number;
  facilitatorPeakRssMb: number | null;
  /** SQLite file + its -wal after the facilitator stopped. */
  database: { mainBytes: number; walBytes: number; totalMb: number };
  facilitatorLog: WarningSummary;
  workers: number;
  anchoring: string;
  devnetStartupMs: number;
  durationMs: number;
  targets: Targets;
}

const log = benchLog('soak');

interface SoakRun {
  bench: BenchDevnet;
  facilitator: BenchFacilitator;
  watch: ProgressWatch;
  rounds: number;
  deadlineMs: number;
  tracked: TrackedRequest[];
  gaveUp: boolean;
}

/** One staker: request, wait until minted and progressed, request again, `rounds` times (one stake in flight per staker). */
async function stakerLoop(run: SoakRun, staker: string, index: number): Promise<void> {
  for (let round = 0; round < run.rounds && !run.gaveUp; round++) {
    const tracked = await trackedRequest(run.bench.devnet, staker, 1_000 + round, index);
    run.tracked.push(tracked);
    if (!(await run.watch.until(() => isComplete(run.watch, tracked), run.deadlineMs, 250))) run.gaveUp = true;
  }
}

function progressLine(run: SoakRun, total: number, startedMs: number): string {
  const minted = run.tracked.filter((t) => isMinted(run.watch, t)).length;
  return `${Math.round((performance.now() - startedMs) / 1000)} s: ${run.tracked.length} requested, ${minted} of ${total} minted, facilitator RSS ${run.facilitator.rssMb()} MB (peak ${run.facilitator.peakRssMb()} MB)`;
}

/** All staker loops at once, with a progress line every 15 s; bounded by the run's deadline. */
async function drive(run: SoakRun, stakers: string[]): Promise<{ startedMs: number }> {
  const startedMs = performance.now();
  const total = stakers.length * run.rounds;
  const ticker = setInterval(() => log(progressLine(run, total, startedMs)), 15_000);
  try {
    await Promise.all(stakers.map((staker, i) => stakerLoop(run, staker, i)));
  } finally {
    clearInterval(ticker);
  }
  if (run.gaveUp) {
    const minted = run.tracked.filter((t) => isMinted(run.watch, t)).length;
    throw new Error(`soak gave up at its deadline: ${progressLine(run, total, startedMs)}; ${minted} minted (BENCH_SOAK_DEADLINE_MS raises it)`);
  }
  return { startedMs };
}

async function latencies(run: SoakRun): Promise<number[]> {
  const values: number[] = [];
  for (const tracked of run.tracked) {
    const latency = await latencyMs(run.bench.clocks, run.watch, tracked);
    if (latency !== undefined) values.push(latency);
  }
  return values;
}

/**
 * A soak of `stakers × rounds` requests (default 200 × 10 = 2,000) through one `facilitator start`
 * process: each staker re-requests once its previous stake is minted and progressed, so about `stakers`
 * are in flight all along. Reports the facilitator's peak RSS and its database size at the end.
 */
export async function measureSoak(stakerCount = envNumber('BENCH_SOAK_STAKERS', 200), rounds = envNumber('BENCH_SOAK_ROUNDS', 10)): Promise<SoakResult> {
  const started = performance.now();
  const workers = envNumber('BENCH_WORKERS', 2);
  const bench = await startBenchDevnet({ stakers: stakerCount, workers, anchorIntervalMs: envNumber('BENCH_ANCHOR_INTERVAL_MS', 0) }, log);
  try {
    const facilitator = await startBenchFacilitator(bench.devnet);
    const run: SoakRun = {
      bench,
      facilitator,
      watch: await ProgressWatch.start(bench.devnet),
      rounds,
      deadlineMs: Date.now() + envNumber('BENCH_SOAK_DEADLINE_MS', 45 * 60_000),
      tracked: [],
      gaveUp: false,
    };
    let peakRss: number | null;
    let replacements: number;
    let startedMs: number;
    try {
      log(`${stakerCount} stakers × ${rounds} rounds`);
      ({ startedMs } = await drive(run, bench.devnet.info.accounts.filter((a) => a.role === 'staker').map((a) => a.address)));
      replacements = await facilitator.replacements();
      peakRss = facilitator.peakRssMb();
    } finally {
      const code = await facilitator.stop();
      if (code !== 0) log(`facilitator exited with ${code}`);
    }
    return await soakResult(run, { stakerCount, workers, peakRss, replacements, startedMs, started });
  } finally {
    await bench.close();
  }
}

async function soakResult(
  run: SoakRun,
  m: { stakerCount: number; workers: number; peakRss: number | null; replacements: number; startedMs: number; started: number },
): Promise<SoakResult> {
  const values = await latencies(run);
  const lastMint = run.tracked.map((t) => run.watch.mintBlock(t.beneficiary) ?? 0n).reduce((a, b) => (a > b ? a : b), 0n);
  const wall = (await run.bench.clocks.auxiliary.minedAt(lastMint)) - m.startedMs;
  const minted = run.tracked.filter((t) => isMinted(run.watch, t)).length;
  const requests = m.stakerCount * run.rounds;
  const db = run.facilitator.databaseBytes();
  return {
    bench: 'soak',
    requests,
    stakers: m.stakerCount,
    rounds: run.rounds,
    minted,
    allMinted: minted === requests,
    wallMs: Math.round(wall),
    mintedPerSecond: Math.round((minted / (wall / 1000)) * 100) / 100,
    latency: { medianMs: roundMs(median(values)), p90Ms: roundMs(percentile(values, 0.9)), maxMs: roundMs(Math.max(...values)) },
    replacements: m.replacements,
    facilitatorPeakRssMb: m.peakRss,
    database: { mainBytes: db.main, walBytes: db.wal, totalMb: Math.round((db.total / 1024 / 1024) * 10) / 10 },
    facilitatorLog: run.facilitator.warnings(),
    workers: m.workers,
    anchoring: run.bench.anchoring,
    devnetStartupMs: run.bench.startupMs,
    durationMs: Math.round(performance.now() - m.started),
    targets: {
      peakRssMb: atMost(m.peakRss, 250),
      allMinted: expectTrue(minted === requests),
      replacements: atMost(m.replacements, 0),
    },
  };
}

runAsMain(module, 'soak', () => measureSoak());
