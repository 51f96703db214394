import { startBenchDevnet, type BenchDevnet } from './bench-devnet';
import { facilitatorBuild, fromSource } from './facilitator-launch';
import { startBenchFacilitator, type BenchFacilitator, type WarningSummary } from './facilitator-run';
import { atMost, benchLog, envNumber, expectTrue, runAsMain, type Targets } from './harness';
import { ProgressWatch } from './progress-watch';
import { isComplete, hasArrived, latencyMs, trackedRequest, type TrackedRequest } from './requests';
import { SoakMonitor } from './soak-monitor';
import { median, percentile, roundMs } from './stats';

export interface SoakResult {
  bench: 'soak';
  requests: number;
  stakers: number;
  rounds: number;
  minted: number;
  allMinted: boolean;
  /** Stakers that stopped on an error of their own (e.g. their requestStake not mined in time), with the first message. */
  stakerErrors: { count: number; first: string | null };
  /** First requestStake sent → block of the last MintProgressed. */
  wallMs: number;
  mintedPerSecond: number;
  latency: { medianMs: number; p90Ms: number; maxMs: number };
  replacements: number;
  facilitatorPeakRssMb: number | null;
  /** Its resident memory right after start, and how it ran (compiled like bin/facilitator.js, or from source). */
  facilitatorStartRssMb: number | null;
  facilitatorBuild: string;
  /** The V8 old-space cap it ran with (NODE_OPTIONS=--max-old-space-size, as the README advises), null when uncapped. */
  facilitatorHeapCapMb: number | null;
  /** CPU time the facilitator process used over the soak (user + system), and as a share of one core. */
  facilitatorCpu: { ms: number | null; coreShare: number | null };
  /** SQLite file + its -wal at the end while running, and after the facilitator stopped (WAL checkpointed). */
  database: { running: { mainBytes: number; walBytes: number }; final: { mainBytes: number; walBytes: number }; finalTotalMb: number };
  facilitatorLog: WarningSummary;
  /** Chain heights at the end (anvil's cost per block grows with the height). */
  heads: { origin: number; auxiliary: number };
  workers: number;
  blockTimeMs: number;
  anchoring: string;
  devnetStartupMs: number;
  durationMs: number;
  targets: Targets;
}

const log = benchLog('soak');

/**
 * Blocks every 250 ms during the soak, not the devnet's 100: anvil 1.7.1 spends longer on each block the
 * higher the chain (measured: 0.5 ms per empty block at height 500, 13 ms at 6,000), and at 100 ms blocks
 * the two nodes of a 2,000-request soak ended up mining empty blocks while ready transactions waited in
 * their pools for more than a minute. The soak judges memory and database growth, not latency.
 */
const SOAK_BLOCK_TIME_MS = 250;

/**
 * The facilitator runs as the README advises for bounded memory (NODE_OPTIONS=--max-old-space-size=192):
 * uncapped, V8 on this 24 GiB machine lets the heap grow far past what is live before it collects (peak
 * RSS 536 MB measured), while what is live stays near 100 MB (heap snapshots of the soak).
 * BENCH_SOAK_HEAP_MB=0 runs it uncapped.
 */
const SOAK_HEAP_CAP_MB = 192;

interface SoakRun {
  bench: BenchDevnet;
  facilitator: BenchFacilitator;
  watch: ProgressWatch;
  rounds: number;
  deadlineMs: number;
  tracked: TrackedRequest[];
  gaveUp: boolean;
  stakerErrors: string[];
}

/** One staker: request, wait until minted and progressed, request again, `rounds` times (one stake in flight per staker). */
async function stakerLoop(run: SoakRun, staker: string, index: number): Promise<void> {
  try {
    for (let round = 0; round < run.rounds && !run.gaveUp; round++) {
      const tracked = await trackedRequest(run.bench.devnet, staker, 1_000 + round, index);
      run.tracked.push(tracked);
      if (!(await run.watch.until(() => isComplete(run.watch, tracked), run.deadlineMs, 250))) run.gaveUp = true;
    }
  } catch (error) {
    const message = `staker ${staker}: ${error instanceof Error ? error.message : String(error)}`;
    if (run.stakerErrors.push(message) <= 3) log(message);
  }
}

function progressLine(run: SoakRun, total: number, startedMs: number): string {
  const minted = run.tracked.filter((t) => hasArrived(run.watch, t)).length;
  const completed = run.tracked.filter((t) => isComplete(run.watch, t)).length;
  const rss = `facilitator RSS ${run.facilitator.rssMb()} MB (peak ${run.facilitator.peakRssMb()} MB)`;
  return `${Math.round((performance.now() - startedMs) / 1000)} s: ${run.tracked.length} requested, ${minted} of ${total} minted, ${completed} also progressed on origin, ${rss}`;
}

/** All staker loops at once, with a progress line every 15 s; bounded by the run's deadline. */
async function drive(run: SoakRun, stakers: string[]): Promise<{ startedMs: number }> {
  const startedMs = performance.now();
  const total = stakers.length * run.rounds;
  const monitor = new SoakMonitor(run.bench, run.facilitator);
  const ticker = setInterval(() => {
    void monitor
      .line()
      .then((line) => log(`${progressLine(run, total, startedMs)}; ${line}`))
      .catch((error: unknown) => log(`${progressLine(run, total, startedMs)}; ${error instanceof Error ? error.message : String(error)}`));
  }, 15_000);
  try {
    await Promise.all(stakers.map((staker, i) => stakerLoop(run, staker, i)));
  } finally {
    clearInterval(ticker);
  }
  if (run.gaveUp) {
    throw new Error(`soak gave up at its deadline: ${progressLine(run, total, startedMs)} (BENCH_SOAK_DEADLINE_MS raises it)`);
  }
  return { startedMs };
}

/**
 * A soak of `stakers × rounds` requests (default 200 × 10 = 2,000) through one `facilitator start`
 * process: each staker re-requests once its previous stake is minted and progressed, so about `stakers`
 * are in flight all along. Reports the facilitator's peak RSS and its database size at the end.
 */
export async function measureSoak(stakerCount = envNumber('BENCH_SOAK_STAKERS', 200), rounds = envNumber('BENCH_SOAK_ROUNDS', 10)): Promise<SoakResult> {
  const started = performance.now();
  const workers = envNumber('BENCH_WORKERS', 2);
  const heapCapMb = envNumber('BENCH_SOAK_HEAP_MB', SOAK_HEAP_CAP_MB);
  if (!fromSource()) await facilitatorBuild(log);
  const bench = await startBenchDevnet(
    { stakers: stakerCount, workers, anchorIntervalMs: envNumber('BENCH_ANCHOR_INTERVAL_MS', 0), blockTimeMs: envNumber('BENCH_SOAK_BLOCK_TIME_MS', SOAK_BLOCK_TIME_MS) },
    log,
  );
  try {
    const facilitator = await startBenchFacilitator(bench.devnet, log, undefined, undefined, heapCapMb > 0 ? [`--max-old-space-size=${heapCapMb}`] : []);
    const run: SoakRun = {
      bench,
      facilitator,
      watch: await ProgressWatch.start(bench.devnet),
      rounds,
      deadlineMs: Date.now() + envNumber('BENCH_SOAK_DEADLINE_MS', 45 * 60_000),
      tracked: [],
      gaveUp: false,
      stakerErrors: [],
    };
    const cpuBefore = facilitator.cpuMs();
    let end: { peakRss: number | null; replacements: number; startedMs: number; cpu: number | null; runningDb: { main: number; wal: number } };
    try {
      log(`${stakerCount} stakers × ${rounds} rounds`);
      const { startedMs } = await drive(run, bench.devnet.info.accounts.filter((a) => a.role === 'staker').map((a) => a.address));
      const cpuAfter = facilitator.cpuMs();
      end = {
        peakRss: facilitator.peakRssMb(),
        replacements: await facilitator.replacements(),
        startedMs,
        cpu: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
        runningDb: facilitator.databaseBytes(),
      };
    } finally {
      const code = await facilitator.stop();
      if (code !== 0) log(`facilitator exited with ${code}`);
    }
    return await soakResult(run, { stakerCount, workers, heapCapMb, started, ...end });
  } finally {
    await bench.close();
  }
}

async function soakResult(
  run: SoakRun,
  m: {
    stakerCount: number;
    workers: number;
    heapCapMb: number;
    peakRss: number | null;
    replacements: number;
    startedMs: number;
    started: number;
    cpu: number | null;
    runningDb: { main: number; wal: number };
  },
): Promise<SoakResult> {
  const latencies: number[] = [];
  for (const tracked of run.tracked) {
    const latency = await latencyMs(run.bench.clocks, run.watch, tracked);
    if (latency !== undefined) latencies.push(latency);
  }
  const lastMint = run.tracked.map((t) => run.watch.arrivalBlock(t.beneficiary) ?? 0n).reduce((a, b) => (a > b ? a : b), 0n);
  const wall = lastMint > 0n ? (await run.bench.clocks.auxiliary.minedAt(lastMint)) - m.startedMs : Number.NaN;
  const minted = run.tracked.filter((t) => hasArrived(run.watch, t)).length;
  const requests = m.stakerCount * run.rounds;
  const db = run.facilitator.databaseBytes();
  const { devnet } = run.bench;
  return {
    bench: 'soak',
    requests,
    stakers: m.stakerCount,
    rounds: run.rounds,
    minted,
    allMinted: minted === requests,
    stakerErrors: { count: run.stakerErrors.length, first: run.stakerErrors[0] ?? null },
    wallMs: Math.round(wall),
    mintedPerSecond: Math.round((minted / (wall / 1000)) * 100) / 100,
    latency: { medianMs: roundMs(median(latencies)), p90Ms: roundMs(percentile(latencies, 0.9)), maxMs: roundMs(Math.max(...latencies)) },
    replacements: m.replacements,
    facilitatorPeakRssMb: m.peakRss,
    facilitatorStartRssMb: run.facilitator.startRssMb,
    facilitatorBuild: run.facilitator.build,
    facilitatorHeapCapMb: m.heapCapMb > 0 ? m.heapCapMb : null,
    facilitatorCpu: { ms: m.cpu, coreShare: m.cpu === null ? null : Math.round((m.cpu / wall) * 100) / 100 },
    database: {
      running: { mainBytes: m.runningDb.main, walBytes: m.runningDb.wal },
      final: { mainBytes: db.main, walBytes: db.wal },
      finalTotalMb: Math.round((db.total / 1024 / 1024) * 10) / 10,
    },
    facilitatorLog: run.facilitator.warnings(),
    heads: { origin: Number(await devnet.origin.client.blockNumber()), auxiliary: Number(await devnet.auxiliary.client.blockNumber()) },
    workers: m.workers,
    blockTimeMs: devnet.info.blockTimeMs,
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
