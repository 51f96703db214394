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
 * state root into the other chain's Anchor (origin roots for stake & mint, auxiliary roots for redeem &
 * unstake). In production someone else anchors; the facilitator only reads.
 * Each direction runs on its own: a slow chain (a long block time, a stuck send) never holds back the
 * anchoring of the other one. A direction still anchoring when the timer fires skips that tick.
 */
export function startAnchorRelay(
  directions: AnchorDirection[],
  intervalMs: number,
  onError: (error: unknown) => void = () => undefined,
): AnchorRelay {
  let stopped = false;
  const running: Array<Promise<unknown>> = directions.map(() => Promise.resolve());
  const busy = directions.map(() => false);

  const anchorDirection = async (direction: AnchorDirection): Promise<bigint | undefined> => {
    const head = await direction.source.getBlock('latest');
    const height = BigInt(head.number);
    const anchored = await direction.targetAnchor.latestStateRootBlockHeight();
    if (height <= anchored) return undefined;
    await direction.sender.send(direction.targetAnchor.anchorStateRoot(height, head.stateRoot));
    return height;
  };

  /** One anchoring of direction `index`, after the ones already under way in that direction. */
  const anchorInTurn = (index: number): Promise<bigint | undefined> => {
    const result = running[index].then(() => anchorDirection(directions[index]));
    running[index] = result.catch(() => undefined);
    return result;
  };

  const tick = (index: number): void => {
    if (stopped || busy[index]) return;
    busy[index] = true;
    anchorInTurn(index)
      .catch(onError)
      .finally(() => {
        busy[index] = false;
      });
  };

  const timer =
    intervalMs > 0
      ? setInterval(() => directions.forEach((_direction, index) => tick(index)), intervalMs)
      : undefined;

  return {
    anchorOnce: () => Promise.all(directions.map((_direction, index) => anchorInTurn(index))),
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await Promise.all(running);
    },
  };
}
