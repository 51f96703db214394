import { expect } from 'chai';
import { CommitQueue } from '../../../src/indexer/follower/commit-queue';
import type { BlockStore, FollowedBlock } from '../../../src/indexer/follower/follower-ports';

const block = (n: number): FollowedBlock => ({ number: BigInt(n), hash: `0x${n}`, parentHash: `0x${n - 1}`, timestamp: 0n });

/** Commits that finish when released, in any order the test chooses; `fail` rejects the commit holding that block. */
class SlowStore implements Pick<BlockStore<string>, 'commitBlocks'> {
  started: number[][] = [];
  committed: number[] = [];
  private releases: Array<() => void> = [];
  fail: number | undefined;

  async commitBlocks(blocks: ReadonlyArray<{ block: FollowedBlock; writes: string | undefined }>): Promise<void> {
    const numbers = blocks.map((b) => Number(b.block.number));
    this.started.push(numbers);
    await new Promise<void>((resolve) => this.releases.push(resolve));
    if (this.fail !== undefined && numbers.includes(this.fail)) throw new Error(`commit of block ${this.fail} failed`);
    this.committed.push(...numbers);
  }

  release(): void {
    this.releases.shift()?.();
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('commit queue: batches committed one after the other while the follower runs on', () => {
  it('starts a batch only after the one before it is committed, and settles when all are', async () => {
    const store = new SlowStore();
    const queue = new CommitQueue(store as unknown as BlockStore<string>);
    queue.push([{ block: block(1), writes: 'a' }, { block: block(2), writes: undefined }]);
    queue.push([{ block: block(3), writes: 'b' }]);
    queue.push([]);
    expect(queue.busy).to.equal(true);
    await tick();
    expect(store.started).to.deep.equal([[1, 2]]);
    let settled = false;
    const settling = queue.settle().then(() => (settled = true));
    store.release();
    await tick();
    expect(store.started).to.deep.equal([[1, 2], [3]]);
    expect(settled).to.equal(false);
    store.release();
    await settling;
    expect(store.committed).to.deep.equal([1, 2, 3]);
    expect(queue.busy).to.equal(false);
  });

  it('a failed commit fails the batches queued after it, none of them committed, and settle throws it', async () => {
    const store = new SlowStore();
    store.fail = 1;
    const queue = new CommitQueue(store as unknown as BlockStore<string>);
    queue.push([{ block: block(1), writes: 'a' }]);
    queue.push([{ block: block(2), writes: 'b' }]);
    await tick();
    store.release();
    const failure = await queue.settle().catch((error: Error) => error.message);
    expect(failure).to.equal('commit of block 1 failed');
    expect(queue.busy).to.equal(false);
    expect(store.started).to.deep.equal([[1]]);
    expect(store.committed).to.deep.equal([]);
  });
});
