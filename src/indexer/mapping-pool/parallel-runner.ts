import type { MappedBlock, MappingRunner } from '../follower/follower-ports';
import type { StoreWrites } from '../entity-store/write-plan';
import type { LoadedSubgraph } from '../wasm/mapping-host';
import type { MappingLogger } from '../wasm/types';
import type { MappingPool, PoolPart } from './mapping-pool';
import { decodeError, decodeWrites } from './worker-messages';

/** A chunk with fewer logs than this maps on the indexing thread: less work than a thread hop is worth. */
const PARALLEL_MIN_LOGS = 256;

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

/**
 * The subgraph's runner with `mapBlocks` on a pool of mapping workers: a chunk of a catch-up range is
 * cut in parts mapped by the workers meanwhile, a block's writes taken when the follower reaches it;
 * a part no worker has started by then (workers still starting) is mapped here instead. Small chunks
 * (the realtime case: a block or two) map here, with no thread hop. A worker's logs are replayed to
 * `logger` as its blocks are taken, its failure thrown as the same error at the same block.
 */
export function parallelRunner(subgraph: LoadedSubgraph, pool: MappingPool, logger: MappingLogger): MappingRunner<StoreWrites> {
  const take = (part: PoolPart, index: number): StoreWrites | Promise<StoreWrites> => {
    const mapped = part.blocks[index];
    if (pool.withdraw(part)) return subgraph.runBlock(mapped.block, mapped.logs);
    return part.reply.then((reply) => {
      const block = reply.blocks[index];
      if (block) {
        block.logs.forEach(logger);
        return decodeWrites(block.writes);
      }
      if (!reply.failure || index !== reply.blocks.length) throw new Error(`a mapping worker did not map block ${mapped.block.number}`);
      reply.failure.logs.forEach(logger);
      throw decodeError(reply.failure.error);
    });
  };
  return {
    addresses: subgraph.addresses,
    topics: subgraph.topics,
    startBlock: subgraph.startBlock,
    runBlock: (block, logs) => subgraph.runBlock(block, logs),
    warmUp: () => void pool.warm(),
    mapBlocks: (blocks) => {
      const logs = blocks.reduce((sum, mapped) => sum + mapped.logs.length, 0);
      if (!pool.usable || blocks.length < 2 || logs < PARALLEL_MIN_LOGS) return blocks.map((mapped) => () => subgraph.runBlock(mapped.block, mapped.logs));
      return splitParts(blocks).flatMap((blocksOfPart) => {
        const part = pool.submit(blocksOfPart);
        return blocksOfPart.map((_, index) => () => take(part, index));
      });
    },
  };
}
