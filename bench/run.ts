import { measureBatchFloor } from './batch-floor';
import { measureFloor } from './floor';
import { printResult } from './harness';
import { measureIndexer } from './indexer';
import { measureLatency, type Baselines } from './latency';
import { measureRedeemBatchFloor } from './redeem-batch-floor';
import { measureRedeemFloor } from './redeem-floor';
import { measureRedeemLatency, type RedeemBaselines } from './redeem-latency';
import { measureSoak } from './soak';

/**
 * Benches left out of the default run, each run when named or through its group: the redeem direction
 * (≈ 1 min: its floors, then the facilitator with 5 single and 50 concurrent redeems).
 */
const GROUPS: Record<string, string[]> = {
  redeem: ['redeemFloor', 'redeemBatchFloor', 'redeemLatency'],
  // SQLite and PostgreSQL side by side, on the same floors (part of the default run too).
  databases: ['floor', 'batchFloor', 'latency', 'latencyPostgres'],
};
const OPT_IN = new Set(GROUPS.redeem);

/** The benches a run selects: the one named, a group's, or (no name) every bench but the opt-in ones. */
function selected(names: string[], only: string | undefined): string[] {
  if (only === undefined) return names.filter((name) => !OPT_IN.has(name));
  if (GROUPS[only]) return GROUPS[only];
  if (names.includes(only)) return [only];
  throw new Error(`no bench named ${only}: ${[...names, ...Object.keys(GROUPS)].join(', ')}`);
}

/**
 * `npm run bench [-- <name>]`: every benchmark but the opt-in ones (or one, or a group: `redeem`), one JSON
 * object per line on stdout, progress on stderr. Each line carries the targets it is judged by and whether each is met; a missed target never
 * fails the run (benches report, tests judge). The facilitator's latency is judged against the floor and
 * the batch floor measured in the same run. A bench that breaks prints {"bench", "error"} and the run
 * goes on to the next one, exiting 1 at the end.
 *
 * `latencyPostgres` runs the latency bench with the facilitator's state on a PostgreSQL server (1 and 50
 * concurrent) and compares it with the SQLite run's.
 *
 * Knobs (environment): BENCH_FLOOR_RUNS (7), BENCH_BATCH_REQUESTS (50), BENCH_BATCH_WORKERS (2),
 * BENCH_SINGLE_RUNS (5), BENCH_WORKERS (facilitator workers, 2), BENCH_PHASE_DEADLINE_MS,
 * BENCH_ANCHOR_INTERVAL_MS (0 = the bench anchors every origin block; every auxiliary block for redeems), BENCH_SOAK_STAKERS (200),
 * BENCH_SOAK_ROUNDS (10), BENCH_SOAK_BLOCK_TIME_MS (250), BENCH_SOAK_DEADLINE_MS (45 min), BENCH_EVENTS
 * (indexer, 10,000). Diagnostics: BENCH_LOG=<file> (facilitator debug log), BENCH_COUNT_RPC=1 (its RPC
 * calls per phase), BENCH_CPU_PROF=<dir> (its CPU profile; for `indexer`, the indexing phase's, in process), BENCH_FACILITATOR_FROM_SOURCE=1 (tsx instead
 * of compiled).
 */
async function main(): Promise<number> {
  const only = process.argv[2];
  const baselines: Baselines = {};
  const redeemBaselines: RedeemBaselines = {};
  const benches: Record<string, () => Promise<object>> = {
    floor: async () => (baselines.floor = await measureFloor()),
    batchFloor: async () => (baselines.batchFloor = await measureBatchFloor()),
    latency: async () => (baselines.latency = await measureLatency(baselines)),
    // The same facilitator with its state on PostgreSQL (a server started for the run), beside SQLite's figures.
    latencyPostgres: () => measureLatency(baselines, 'postgres'),
    soak: () => measureSoak(),
    indexer: () => measureIndexer(),
    redeemFloor: async () => (redeemBaselines.redeemFloor = await measureRedeemFloor()),
    redeemBatchFloor: async () => (redeemBaselines.redeemBatchFloor = await measureRedeemBatchFloor()),
    redeemLatency: () => measureRedeemLatency(redeemBaselines),
  };
  let broken = 0;
  for (const name of selected(Object.keys(benches), only)) {
    const run = benches[name];
    try {
      printResult(await run());
    } catch (error) {
      broken++;
      process.stderr.write(`bench ${name} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      printResult({ bench: name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return broken === 0 ? 0 : 1;
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
