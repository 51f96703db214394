import type { BlockStore, FollowedBlock } from './follower-ports';

/**
 * Commits batches of blocks one after the other while the follower goes on running the mappings of
 * the next ones: the database works (SQLite on its own thread, PostgreSQL in its own process) while
 * the WASM runs. A failed commit fails every batch queued after it, none of which is then committed;
 * the failure is thrown by `settle`.
 */
export class CommitQueue<W> {
  private inFlight: Promise<void> | undefined;
  private unsettled = 0;

  constructor(private readonly store: BlockStore<W>) {}

  /** Starts committing `blocks` once the batches queued before them are committed. */
  push(blocks: ReadonlyArray<{ block: FollowedBlock; writes: W | undefined }>): void {
    if (blocks.length === 0) return;
    const previous = this.inFlight;
    this.unsettled += 1;
    const next = (async () => {
      try {
        await previous;
        await this.store.commitBlocks(blocks);
      } finally {
        this.unsettled -= 1;
      }
    })();
    next.catch(() => undefined); // observed by settle(); not an unhandled rejection meanwhile
    this.inFlight = next;
  }

  /**
   * Whether a batch is still being committed. Its statements are sent one after the other from this
   * thread: a caller running mappings (synchronous work) must yield to the event loop for them to go on.
   */
  get busy(): boolean {
    return this.unsettled > 0;
  }

  /** Waits until every queued batch is committed; throws the first failure. */
  async settle(): Promise<void> {
    const last = this.inFlight;
    this.inFlight = undefined;
    await last;
  }
}
