import { measureFloor } from './floor';
import { measureIndexer } from './indexer';
import { measureLatency } from './latency';

/**
 * `npm run bench`: every benchmark, one JSON object per line on stdout (machine-readable).
 * Targets are ratios against a baseline measured in the same run, never absolute timings.
 */
async function main(): Promise<void> {
  const only = process.argv[2];
  const benches: Record<string, () => Promise<object>> = {
    floor: () => measureFloor(),
    latency: () => measureLatency(),
    indexer: () => measureIndexer(),
  };
  for (const [name, run] of Object.entries(benches)) {
    if (only && only !== name) continue;
    process.stdout.write(`${JSON.stringify(await run())}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
