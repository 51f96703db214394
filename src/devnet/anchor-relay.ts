import type { ChainClient } from '../chain/chain-client';
import type { DirectSender } from '../chain/direct-sender';
import { Anchor } from '../mosaic/contracts';

export interface AnchorDirection {
  /** Chain whose state roots are anchored. */
  source: ChainClient;
  /** Anchor on the other chain that receives them. */
  targetAnchor: Anchor;
  /** Organization admin (or owner) key on the target chain. */
  sender: DirectSender;
}

export interface AnchorRelay {
  /** Anchors the latest source head in every direction once; returns the heights anchored. */
  anchorOnce(): Promise<Array<bigint | undefined>>;
  stop(): Promise<void>;
}

/**
 * The devnet's stand-in for Mosaic's anchoring service: every interval it anchors each chain's latest
 * state root into the other chain's Anchor. In production someone else anchors; the facilitator only reads.
 */
export function startAnchorRelay(
  directions: AnchorDirection[],
  intervalMs: number,
  onError: (error: unknown) => void = () => undefined,
): AnchorRelay {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  const anchorDirection = async (direction: AnchorDirection): Promise<bigint | undefined> => {
    const head = await direction.source.getBlock('latest');
    const height = BigInt(head.number);
    const anchored = await direction.targetAnchor.latestStateRootBlockHeight();
    if (height <= anchored) return undefined;
    await direction.sender.send(direction.targetAnchor.anchorStateRoot(height, head.stateRoot));
    return height;
  };

  const anchorOnce = (): Promise<Array<bigint | undefined>> => {
    const result = running.then(() => Promise.all(directions.map(anchorDirection)));
    running = result.catch(() => undefined);
    return result;
  };

  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (!stopped) anchorOnce().catch(onError);
        }, intervalMs)
      : undefined;

  return {
    anchorOnce,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
