/**
 * What the block follower needs from the mapping host and the entity store, kept narrow so each
 * side can change without touching the follower.
 */

export interface FollowedBlock {
  number: bigint;
  hash: string;
  parentHash: string;
  timestamp: bigint;
}

export interface FollowedLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: bigint;
  blockHash: string;
  transactionHash: string;
  transactionIndex: number;
  logIndex: number;
}

export interface MappingRunner<Writes> {
  /** Lowercase addresses of every data source. */
  addresses: string[];
  /** topic0 of every handled event. */
  topics: string[];
  /** Lowest data source start block. */
  startBlock: bigint;
  /** Runs the handlers of one block's logs (logIndex order) and returns its entity writes. */
  runBlock(block: FollowedBlock, logs: FollowedLog[]): Writes;
  /**
   * Optional: the mappings of many consecutive blocks (a chunk of a catch-up range), possibly run
   * elsewhere meanwhile (worker threads). One result per block, in order: called in block order, each
   * gives what runBlock would (or throws what it would throw); once one throws, the later ones are not
   * called. Without it, the follower calls runBlock block by block.
   */
  mapBlocks?(blocks: ReadonlyArray<MappedBlock>): Array<() => Writes | Promise<Writes>>;
}

/** A block with logs to map, its logs in logIndex order. */
export interface MappedBlock {
  block: FollowedBlock;
  logs: FollowedLog[];
}

export interface BlockStore<Writes> {
  /** Last handled block, or undefined before the first. */
  cursor(): Promise<{ number: bigint; hash: string } | undefined>;
  /** Recorded blocks, newest first (the follower walks them back on a reorg). */
  recentBlocks(limit: number): Promise<Array<{ number: bigint; hash: string }>>;
  /**
   * Applies blocks' writes in order, records the blocks and moves the cursor to the last, atomically
   * (a range of blocks in one transaction). Blocks ascend, each once.
   */
  commitBlocks(blocks: ReadonlyArray<{ block: FollowedBlock; writes: Writes | undefined }>): Promise<void>;
  /** Drops everything above `blockNumber` (entities, recorded blocks) and moves the cursor there. */
  rollbackTo(blockNumber: bigint): Promise<void>;
  /** Forgets recorded blocks at or below `blockNumber` (they are final). */
  pruneBlocks(blockNumber: bigint): Promise<void>;
}
