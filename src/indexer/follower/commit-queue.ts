import type { BlockStore, FollowedBlock } from './follower-ports';

/**
 * Commits batches of blocks one after the other while the follower goes on running the mappings of
 * the next ones: the database works (SQLite on its own thread, PostgreSQL in its own process) while
 * the WASM runs. A failed commit fails every batch queued after it, none of which is then committed;
 * the failure is thrown by `settle`.
 */
export class CommitQueue<W> {
  private inFlight: Promise<void> | undefined;

  constructor(private readonly store: BlockStore<W>) {}

  /** Starts committing `blocks` once the batches queued before them are committed. */
  push(blocks: ReadonlyArray<{ block: FollowedBlock; writes: W | undefined }>): void {
    if (blocks.length === 0) return;
    const previous = this.inFlight;
    const next = (async () => {
      await previous;
      await this.store.commitBlocks(blocks);
    })();
    next.catch(() => undefined); // observed by settle(); not an unhandled rejection meanwhile
    this.inFlight = next;
  }

  /** Waits until every queued batch is committed; throws the first failure. */
  async settle(): Promise<void> {
    const last = this.inFlight;
    this.inFlight = undefined;
    await last;
  }
}
