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
export class BlockInclusions {
  private readonly blocks = new Map<bigint, Set<string>>();

  constructor(private readonly client: ChainClient) {}

  async hashesIn(afterBlock: bigint, throughBlock: bigint): Promise<Set<string> | undefined> {
    if (throughBlock <= afterBlock) return new Set();
    if (throughBlock - afterBlock > MAX_BLOCKS_PER_PASS) return undefined;
    const hashes = new Set<string>();
    const numbers: bigint[] = [];
    for (let n = afterBlock + 1n; n <= throughBlock; n++) numbers.push(n);
    await Promise.all(
      numbers.map(async (n) => {
        let block = this.blocks.get(n);
        if (!block) {
          block = new Set((await this.client.getBlock(n)).transactions.map((hash) => hash.toLowerCase()));
          this.blocks.set(n, block);
        }
        for (const hash of block) hashes.add(hash);
      }),
    );
    for (const n of this.blocks.keys()) if (n + KEEP_BLOCKS < throughBlock) this.blocks.delete(n);
    return hashes;
  }
}
