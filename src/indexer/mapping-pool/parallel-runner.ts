import type { MappedBlock, MappingRunner } from '../follower/follower-ports';
import type { StoreWrites } from '../entity-store/write-plan';
import type { LoadedSubgraph } from '../wasm/mapping-host';
import type { MappingLogger } from '../wasm/types';
import type { MappedReply, MappingPool, PoolPart } from './mapping-pool';
import { decodeError, decodeWrites } from './worker-messages';

/**
 * A chunk with fewer logs than this maps on the indexing thread alone. A worker costs ~100 ms of CPU
 * to start and warm its JIT up, about what the indexing thread spends on 10,000 events once warm:
 * measured on two cores (bench/indexer.ts, 10,000 events), one worker made the catch-up 25% slower.
 * Chunks grow along a range (follower's rangeChunks), so a long, dense catch-up gets there.
 */
export const PARALLEL_MIN_LOGS = 16_384;

/** Logs per part sent to a worker: enough to outweigh a message, few enough for parts to interleave. */
const PART_LOGS = 256;

/** Consecutive blocks of about PART_LOGS logs each (a block is never split). */
export function splitParts(blocks: readonly MappedBlock[], partLogs = PART_LOGS): MappedBlock[][] {
  const parts: MappedBlock[][] = [];
  let current: MappedBlock[] = [];
  let logs = 0;
  for (const mapped of blocks) {
    current.push(mapped);
    logs += mapped.logs.length;
    if (logs >= partLogs) {
      parts.push(current);
      current = [];
      logs = 0;
    }
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What the calling thread made of a part it mapped ahead: each block's writes, up to a failure. */
type Premapped = Array<{ writes: StoreWrites } | { error: unknown }>;

/** Maps a part's blocks here, now, up to the first failure. */
function premap(subgraph: LoadedSubgraph, part: PoolPart): Premapped {
  const outcomes: Premapped = [];
  for (const { block, logs } of part.blocks) {
    try {
      outcomes.push({ writes: subgraph.runBlock(block, logs) });
    } catch (error) {
      outcomes.push({ error });
      break;
    }
  }
  return outcomes;
}

/** A block of a part a worker mapped: its logs replayed, its writes decoded, or its failure thrown. */
function fromReply(reply: MappedReply, index: number, blockNumber: bigint, logger: MappingLogger): StoreWrites {
  const block = reply.blocks[index];
  if (block) {
    block.logs.forEach((entry) => logger(entry));
    return decodeWrites(block.writes);
  }
  if (!reply.failure || index !== reply.blocks.length) throw new Error(`a mapping worker did not map block ${blockNumber}`);
  reply.failure.logs.forEach((entry) => logger(entry));
  throw decodeError(reply.failure.error);
}

/**
 * The subgraph's runner with `mapBlocks` on a pool of mapping workers: a chunk of a catch-up range is
 * cut in parts the workers map meanwhile, a block's writes taken when the follower reaches it. The
 * calling thread maps too: a part no worker has started when the follower reaches it (workers still
 * starting), and, while it waits for a worker's part, the last parts still queued (mapped ahead, kept
 * until reached; their mapping logs are written then, ahead of the blocks before them). Small chunks
 * (the realtime case: a block or two) map here, with no thread hop. A worker's logs are replayed to
 * `logger` as its blocks are taken, its failure thrown as the same error at the same block.
 */
export function parallelRunner(subgraph: LoadedSubgraph, pool: MappingPool, logger: MappingLogger, minLogs = PARALLEL_MIN_LOGS): MappingRunner<StoreWrites> {
  const premapped = new WeakMap<PoolPart, Premapped>();
  const take = async (part: PoolPart, index: number): Promise<StoreWrites> => {
    const mapped = part.blocks[index];
    // Mapping here chains microtasks only: first let workers' messages in (one ready now takes the part).
    if (part.state === 'queued') await yieldToIo();
    if (pool.withdraw(part)) {
      const ahead = premapped.get(part)?.[index];
      if (!ahead) return subgraph.runBlock(mapped.block, mapped.logs);
      if ('error' in ahead) throw ahead.error;
      return ahead.writes;
    }
    while (!part.settled) {
      const other = pool.withdrawLast();
      if (!other) break;
      premapped.set(other, premap(subgraph, other));
      await yieldToIo(); // lets the worker's answer in
    }
    return fromReply(await part.reply, index, mapped.block.number, logger);
  };
  return {
    addresses: subgraph.addresses,
    topics: subgraph.topics,
    startBlock: subgraph.startBlock,
    runBlock: (block, logs) => subgraph.runBlock(block, logs),
    mapBlocks: (blocks) => {
      const logs = blocks.reduce((sum, mapped) => sum + mapped.logs.length, 0);
      if (!pool.usable || blocks.length < 2 || logs < minLogs) return blocks.map((mapped) => () => subgraph.runBlock(mapped.block, mapped.logs));
      return splitParts(blocks).flatMap((blocksOfPart) => {
        const part = pool.submit(blocksOfPart);
        return blocksOfPart.map((_, index) => () => take(part, index));
      });
    },
  };
}
