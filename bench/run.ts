import { measureBatchFloor } from './batch-floor';
import { measureFloor } from './floor';
import { printResult } from './harness';
import { measureIndexer } from './indexer';
import { measureLatency, type Baselines } from './latency';
import { measureSoak } from './soak';

/**
 * `npm run bench [-- <name>]`: every benchmark (or one), one JSON object per line on stdout, progress on
 * stderr. Each line carries the targets it is judged by and whether each is met; a missed target never
 * fails the run (benches report, tests judge). The facilitator's latency is judged against the floor and
 * the batch floor measured in the same run. A bench that breaks prints {"bench", "error"} and the run
 * goes on to the next one, exiting 1 at the end.
 *
 * Knobs (environment): BENCH_FLOOR_RUNS (7), BENCH_BATCH_REQUESTS (50), BENCH_BATCH_WORKERS (2),
 * BENCH_SINGLE_RUNS (5), BENCH_WORKERS (facilitator workers, 2), BENCH_PHASE_DEADLINE_MS,
 * BENCH_ANCHOR_INTERVAL_MS (0 = the bench anchors every origin block), BENCH_SOAK_STAKERS (200),
 * BENCH_SOAK_ROUNDS (10), BENCH_SOAK_BLOCK_TIME_MS (250), BENCH_SOAK_DEADLINE_MS (45 min), BENCH_EVENTS
 * (indexer, 10,000). Diagnostics: BENCH_LOG=<file> (facilitator debug log), BENCH_COUNT_RPC=1 (its RPC
 * calls per phase), BENCH_CPU_PROF=<dir> (its CPU profile), BENCH_FACILITATOR_FROM_SOURCE=1 (tsx instead
 * of compiled).
 */
async function main(): Promise<number> {
  const only = process.argv[2];
  const baselines: Baselines = {};
  const benches: Record<string, () => Promise<object>> = {
    floor: async () => (baselines.floor = await measureFloor()),
    batchFloor: async () => (baselines.batchFloor = await measureBatchFloor()),
    latency: () => measureLatency(baselines),
    soak: () => measureSoak(),
    indexer: () => measureIndexer(),
  };
  if (only && !(only in benches)) throw new Error(`no bench named ${only}: ${Object.keys(benches).join(', ')}`);
  let broken = 0;
  for (const [name, run] of Object.entries(benches)) {
    if (only && only !== name) continue;
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
