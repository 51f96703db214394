import type { ChainClient } from '../chain-client';

/** More new blocks than this in one pass (a long pause, a restart): look at every in-flight receipt instead. */
const MAX_BLOCKS_PER_PASS = 32n;
/** Blocks remembered below the newest one asked for. */
const KEEP_BLOCKS = 64n;

/**
 * Which transaction hashes the chain included in a range of new blocks: one eth_getBlockByNumber per
 * block, shared by every worker of the chain, instead of one receipt poll per in-flight transaction per
 * block. `undefined` means "too many blocks to look at": the caller checks every receipt.
 */
interface SeenBlock {
  hash: string;
  parentHash: string;
  transactions: Set<string>;
}

export class BlockInclusions {
  private readonly blocks = new Map<bigint, SeenBlock>();

  constructor(private readonly client: ChainClient) {}

  async hashesIn(afterBlock: bigint, throughBlock: bigint): Promise<Set<string> | undefined> {
    if (throughBlock <= afterBlock) return new Set();
    if (throughBlock - afterBlock > MAX_BLOCKS_PER_PASS) return undefined;
    const numbers: bigint[] = [];
    for (let n = afterBlock + 1n; n <= throughBlock; n++) numbers.push(n);
    const before = this.blocks.get(afterBlock);
    let seen = await Promise.all(numbers.map((n) => this.block(n)));
    if (before && seen[0].parentHash !== before.hash) {
      // The blocks the caller already looked at were replaced: what they held is unknown, check everything.
      this.blocks.clear();
      return undefined;
    }
    if (!this.linked(seen)) {
      // A reorg replaced blocks we had seen: forget them all and read the range again.
      this.blocks.clear();
      seen = await Promise.all(numbers.map((n) => this.block(n)));
    }
    for (const n of this.blocks.keys()) if (n + KEEP_BLOCKS < throughBlock) this.blocks.delete(n);
    const hashes = new Set<string>();
    for (const block of seen) for (const hash of block.transactions) hashes.add(hash);
    return hashes;
  }

  private async block(n: bigint): Promise<SeenBlock> {
    let block = this.blocks.get(n);
    if (!block) {
      const rpc = await this.client.getBlock(n);
      block = { hash: rpc.hash, parentHash: rpc.parentHash, transactions: new Set(rpc.transactions.map((hash) => hash.toLowerCase())) };
      this.blocks.set(n, block);
    }
    return block;
  }

  /** Each block's parent is the one before it (as far as remembered). */
  private linked(range: SeenBlock[]): boolean {
    for (let i = 1; i < range.length; i++) if (range[i].parentHash !== range[i - 1].hash) return false;
    return true;
  }
}
