import type { DatabaseTarget } from '../src/db/database-target';
import type { BenchDevnet } from './bench-devnet';
import { rpcUsage, startBenchFacilitator, type BenchFacilitator } from './facilitator-run';
import { envNumber, type BenchLog } from './harness';
import { ProgressWatch, type WatchedDirection } from './progress-watch';
import { hasArrived, isComplete, latencyMs, wallMs, type RequestMaker } from './requests';
import { median, percentile, roundMs } from './stats';

/** One phase of a latency bench: requests made at once, judged from chain state. */
export interface PhaseResult {
  requests: number;
  /** Arrived on the target chain: minted (stakes) or unstaked (redeems). */
  arrived: number;
  allArrived: boolean;
  /** Also progressed on the source chain (the message completed on both sides). */
  completed: number;
  /** Block of the last request → block of the last arrival (null unless all arrived). */
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

/** Single requests one after the other: their latencies as samples, the other figures summed. */
export type SinglesResult = PhaseResult & { runs: number; samplesMs: number[] };

/** A facilitator running against a bench devnet, watched in one direction; `request` makes that direction's requests. */
export interface Running {
  bench: BenchDevnet;
  facilitator: BenchFacilitator;
  watch: ProgressWatch;
  request: RequestMaker;
  log: BenchLog;
}

const deadlineFor = (requests: number) => Date.now() + envNumber('BENCH_PHASE_DEADLINE_MS', 30_000 + 1_500 * requests);

/** `accounts` request at once; waits (bounded) until each arrived and progressed; per-request latencies on the block clocks. */
export async function runPhase(r: Running, accounts: string[], tag: number): Promise<PhaseResult & { latencies: number[] }> {
  const started = performance.now();
  const replacedBefore = await r.facilitator.replacements();
  const cpuBefore = r.facilitator.cpuMs();
  const rpcBefore = r.facilitator.rpcSnapshot();
  const batch = await Promise.all(accounts.map((account, i) => r.request(r.bench.devnet, account, tag, i)));
  const done = await r.watch.until(() => batch.every((t) => isComplete(r.watch, t)), deadlineFor(accounts.length));
  const latencies: number[] = [];
  for (const tracked of batch) {
    const latency = await latencyMs(r.bench.clocks, r.watch, tracked);
    if (latency !== undefined) latencies.push(latency);
  }
  const cpuAfter = r.facilitator.cpuMs();
  const rpc = rpcUsage(rpcBefore, r.facilitator.rpcSnapshot(), accounts.length);
  const wall = await wallMs(r.bench.clocks, r.watch, batch);
  const arrived = batch.filter((t) => hasArrived(r.watch, t)).length;
  if (!done) r.log(`phase ${tag}: deadline passed with ${arrived} of ${batch.length} arrived`);
  return {
    requests: batch.length,
    arrived,
    allArrived: arrived === batch.length,
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

/** A phase with `arrived` named for its direction: `minted`/`allMinted` (stakes), `unstaked`/`allUnstaked` (redeems). */
export type NamedPhase<T extends PhaseResult, K extends 'minted' | 'unstaked'> = Omit<T, 'arrived' | 'allArrived'> &
  Record<K, number> &
  Record<K extends 'minted' ? 'allMinted' : 'allUnstaked', boolean>;

export function namedPhase<T extends PhaseResult, K extends 'minted' | 'unstaked'>({ arrived, allArrived, ...phase }: T, name: K): NamedPhase<T, K> {
  const all = name === 'minted' ? 'allMinted' : 'allUnstaked';
  return { ...phase, [name]: arrived, [all]: allArrived } as NamedPhase<T, K>;
}

export const withoutSamples = ({ latencies: _latencies, ...phase }: PhaseResult & { latencies: number[] }): PhaseResult => phase;

/** One request of each of the `accounts` after the other (tags 1, 2, …): the latency of a lone request. */
export async function runSingles(r: Running, accounts: string[]): Promise<SinglesResult> {
  const singles = [];
  const rpcBefore = r.facilitator.rpcSnapshot();
  for (let i = 0; i < accounts.length; i++) singles.push(await runPhase(r, [accounts[i]], 1 + i));
  const samples = singles.flatMap((s) => s.latencies);
  return {
    runs: accounts.length,
    requests: accounts.length,
    arrived: singles.reduce((n, s) => n + s.arrived, 0),
    allArrived: singles.every((s) => s.allArrived),
    completed: singles.reduce((n, s) => n + s.completed, 0),
    wallMs: null,
    medianMs: roundMs(median(samples)),
    p90Ms: roundMs(percentile(samples, 0.9)),
    replacements: singles.reduce((n, s) => n + s.replacements, 0),
    durationMs: singles.reduce((n, s) => n + s.durationMs, 0),
    facilitatorCpuMs: singles.reduce((n, s) => n + (s.facilitatorCpuMs ?? 0), 0),
    facilitatorRpc: rpcUsage(rpcBefore, r.facilitator.rpcSnapshot(), accounts.length),
    samplesMs: samples.map(roundMs),
  };
}

/**
 * `facilitator start` against the bench devnet, watched in `direction`, for the phases `run` drives with
 * `request`'s requests; stopped (SIGTERM, its exit code logged when not 0) once they are over or broke.
 */
export async function withBenchFacilitator<T>(
  bench: BenchDevnet,
  log: BenchLog,
  direction: WatchedDirection,
  request: RequestMaker,
  run: (r: Running) => Promise<T>,
  database?: Extract<DatabaseTarget, { client: 'postgres' }>,
): Promise<{ phases: T; facilitator: BenchFacilitator; peakRssMb: number | null }> {
  const facilitator = await startBenchFacilitator(bench.devnet, log, undefined, database);
  try {
    const watch = await ProgressWatch.start(bench.devnet, direction);
    const phases = await run({ bench, facilitator, watch, request, log });
    return { phases, facilitator, peakRssMb: facilitator.peakRssMb() };
  } finally {
    const code = await facilitator.stop();
    if (code !== 0) log(`facilitator exited with ${code}`);
  }
}
