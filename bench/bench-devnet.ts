import { startDevnet, type Devnet } from '../src/devnet/devnet';
import { startDevnetClocks, type DevnetClocks } from './block-clock';
import { sleep, type BenchLog } from './harness';

export interface BenchDevnet {
  devnet: Devnet;
  clocks: DevnetClocks;
  /** How the origin state root reaches the auxiliary Anchor during the bench. */
  anchoring: string;
  startupMs: number;
  close(): Promise<void>;
}

/**
 * A devnet for the facilitator benches. Anchoring is the chain's part, not the facilitator's: by default
 * the bench anchors every new origin block (the devnet's relay, driven by newHeads instead of a timer), so
 * the facilitator never waits for an anchor longer than the floor does, which anchors right after its
 * accept. anchorIntervalMs > 0 uses the devnet's timer relay instead.
 */
export async function startBenchDevnet(options: { stakers: number; workers: number; anchorIntervalMs: number }, log: BenchLog): Promise<BenchDevnet> {
  const started = performance.now();
  const devnet = await startDevnet({ originPort: 0, auxiliaryPort: 0, stakers: options.stakers, workers: options.workers, anchorIntervalMs: options.anchorIntervalMs });
  const startupMs = Math.round(performance.now() - started);
  log(`devnet with ${devnet.info.accounts.length} accounts started in ${startupMs} ms`);
  let clocks: DevnetClocks;
  try {
    clocks = await startDevnetClocks(devnet);
  } catch (error) {
    await devnet.close();
    throw error;
  }
  let stopped = false;
  let relayErrors = 0;
  const relay = async () => {
    while (!stopped && options.anchorIntervalMs === 0) {
      try {
        const head = await devnet.origin.client.blockNumber();
        await devnet.relay.anchorOnce();
        if (!stopped) await clocks.origin.minedAt(head + 1n, 60_000);
      } catch (error) {
        if (relayErrors++ < 3) log(`bench anchor relay: ${error instanceof Error ? error.message : String(error)}`);
        if (!stopped) await sleep(devnet.info.blockTimeMs);
      }
    }
  };
  const relaying = relay();
  return {
    devnet,
    clocks,
    anchoring: options.anchorIntervalMs === 0 ? 'every origin block (bench relay on newHeads)' : `devnet relay every ${options.anchorIntervalMs} ms`,
    startupMs,
    close: async () => {
      stopped = true;
      await relaying.catch(() => undefined);
      clocks.close();
      await devnet.close();
    },
  };
}
