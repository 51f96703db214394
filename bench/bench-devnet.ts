import { startDevnet, type Devnet } from '../src/devnet/devnet';
import { Anchor } from '../src/mosaic/contracts';
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

/** Where the bench anchors: origin state roots into the auxiliary Anchor (stakes), or auxiliary ones into origin's (redeems). */
export type AnchorTarget = 'auxiliary' | 'origin';

/**
 * Anchors every new block of one chain into the other chain's Anchor, as the admin, driven by newHeads:
 * the facilitator never waits for an anchor longer than the floor does (it anchors right after its
 * accept). One direction only: each flow needs one, and every transaction fewer spares the nodes.
 */
function anchorEveryBlock(devnet: Devnet, clocks: DevnetClocks, log: BenchLog, into: AnchorTarget): { stop(): Promise<void> } {
  const pair = devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].contractAddresses;
  const [source, sourceClock, target] = into === 'auxiliary' ? [devnet.origin, clocks.origin, devnet.auxiliary] : [devnet.auxiliary, clocks.auxiliary, devnet.origin];
  const anchor = new Anchor(target.client, pair[into].anchorAddress);
  const admin = devnet.info.accounts.find((a) => a.role === 'admin');
  if (!admin) throw new Error('devnet has no admin account');
  const sender = into === 'auxiliary' ? devnet.auxiliarySender(admin.address) : devnet.originSender(admin.address);
  let stopped = false;
  let errors = 0;
  const loop = async () => {
    let anchored = -1n;
    while (!stopped) {
      try {
        const head = await source.client.getBlock('latest');
        const height = BigInt(head.number);
        if (height > anchored) {
          await sender.send(anchor.anchorStateRoot(height, head.stateRoot));
          anchored = height;
        }
        if (!stopped) await sourceClock.minedAt(height + 1n, 60_000);
      } catch (error) {
        if (errors++ < 3) log(`bench anchor relay: ${error instanceof Error ? error.message : String(error)}`);
        if (!stopped) await sleep(devnet.info.blockTimeMs);
      }
    }
  };
  const running = loop();
  return {
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/**
 * A devnet for the facilitator benches, with block clocks. Anchoring is the chain's part, not the
 * facilitator's: by default the bench anchors every origin block (anchorIntervalMs 0; `anchorInto: 'origin'`
 * every auxiliary block instead, for redeems); anchorIntervalMs
 * > 0 uses the devnet's own timer relay (both directions) instead.
 */
export async function startBenchDevnet(
  options: { stakers: number; workers: number; anchorIntervalMs: number; blockTimeMs?: number; anchorInto?: AnchorTarget },
  log: BenchLog,
): Promise<BenchDevnet> {
  const started = performance.now();
  const devnet = await startDevnet({
    originPort: 0,
    auxiliaryPort: 0,
    stakers: options.stakers,
    workers: options.workers,
    anchorIntervalMs: options.anchorIntervalMs,
    blockTimeMs: options.blockTimeMs,
  });
  const startupMs = Math.round(performance.now() - started);
  log(`devnet with ${devnet.info.accounts.length} accounts started in ${startupMs} ms`);
  let clocks: DevnetClocks;
  try {
    clocks = await startDevnetClocks(devnet);
  } catch (error) {
    await devnet.close();
    throw error;
  }
  const into = options.anchorInto ?? 'auxiliary';
  const relay = options.anchorIntervalMs === 0 ? anchorEveryBlock(devnet, clocks, log, into) : undefined;
  return {
    devnet,
    clocks,
    anchoring: relay
      ? into === 'auxiliary'
        ? 'every origin block into the auxiliary Anchor (bench relay on newHeads)'
        : 'every auxiliary block into the origin Anchor (bench relay on newHeads)'
      : `devnet relay every ${options.anchorIntervalMs} ms`,
    startupMs,
    close: async () => {
      await relay?.stop();
      clocks.close();
      await devnet.close();
    },
  };
}

/** The devnet's account addresses of one role, in order. */
export function addressesOf(devnet: Devnet, role: 'worker' | 'staker'): string[] {
  return devnet.info.accounts.filter((a) => a.role === role).map((a) => a.address);
}

/**
 * An in-process devnet for a floor, with block clocks and no anchor relay (a floor anchors itself, right
 * when its flow needs it), closed once `measure` is done or broke.
 */
export async function withFloorDevnet<T>(options: { stakers: number; workers?: number }, measure: (devnet: Devnet, clocks: DevnetClocks) => Promise<T>): Promise<T> {
  const devnet = await startDevnet({ originPort: 0, auxiliaryPort: 0, anchorIntervalMs: 0, ...options });
  let clocks: DevnetClocks | undefined;
  try {
    clocks = await startDevnetClocks(devnet);
    return await measure(devnet, clocks);
  } finally {
    clocks?.close();
    await devnet.close();
  }
}
