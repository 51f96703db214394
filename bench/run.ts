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
