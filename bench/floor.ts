import { startDevnet } from '../src/devnet/devnet';
import { scriptedStakeAndMint } from '../src/devnet/scripted-stake-and-mint';
import { median } from './stats';

export interface FloorResult {
  bench: 'floor';
  runs: number;
  /** StakeRequested mined → MintProgressed mined, sending every step directly (no indexing, no DB). */
  medianMs: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
  transactionsPerRun: number;
}

/**
 * The floor: the whole stake & mint sent directly, step after step, on an in-process devnet.
 * Latency is measured like the facilitator's: from the block of StakeRequested being mined
 * to the block of MintProgressed being mined, on the wall clock.
 */
export async function measureFloor(runs = 7): Promise<FloorResult> {
  const devnet = await startDevnet({ originPort: 0, auxiliaryPort: 0, anchorIntervalMs: 0, stakers: runs + 1 });
  try {
    const stakers = devnet.info.accounts.filter((a) => a.role === 'staker').map((a) => a.address);
    const worker = devnet.info.accounts.filter((a) => a.role === 'worker')[0].address;
    // Warm-up run: JIT, first proxy creation paths.
    await scriptedStakeAndMint(devnet, { staker: stakers[runs], worker });
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const flow = await scriptedStakeAndMint(devnet, { staker: stakers[i], worker });
      samples.push(flow.mintedAtMs - flow.requestedAtMs);
    }
    return {
      bench: 'floor',
      runs,
      medianMs: median(samples),
      minMs: Math.min(...samples),
      maxMs: Math.max(...samples),
      samplesMs: samples.map((s) => Math.round(s * 10) / 10),
      transactionsPerRun: 7, // after StakeRequested: approve bounty, accept, anchor, prove, confirm, progress ×2
    };
  } finally {
    await devnet.close();
  }
}

if (require.main === module) {
  measureFloor(Number(process.env.BENCH_RUNS ?? 7))
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`bench/floor failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
