import { Subject } from 'rxjs';
import type { ChainClient, RpcBlock, RpcLog } from '../../chain/chain-client';
import { RangeTooLargeError, RpcTimeoutError } from '../../chain/node-errors';
import { backoffDelay } from '../../errors/backoff';
import { isRetryable, messageOf } from '../../errors/cause-chain';
import type { HeadsProvider } from '../../chain/new-heads';
import { stoppedUnits, type StoppedUnit, type StoppedUnits } from '../../errors/stopped-units';
import type { Logger } from '../../logging/logger';
import { CommitQueue } from './commit-queue';
import type { BlockStore, FollowedBlock, FollowedLog, MappedBlock, MappingRunner } from './follower-ports';
import { DEFAULTS } from '../../facilitator/defaults';

export interface BlockFollowerOptions<W> {
  /** Names the chain in logs (`origin`, `auxiliary`). */
  name: string;
  client: ChainClient;
  runner: MappingRunner<W>;
  store: BlockStore<W>;
  /** Index only blocks this deep below the head. */
  confirmations?: number;
  /** Largest eth_getLogs block range; shrinks on provider range errors and grows back on success (default DEFAULTS.chain.indexerMaxLogRange). */
  maxRange?: number;
  pollIntervalMs?: number;
  /** New blocks announced (newHeads): each wakes the follower at once instead of after the poll interval. */
  heads?: HeadsProvider;
  /** How many recent blocks are kept for reorg detection. */
  reorgWindow?: number;
  logger: Logger;
  /** Names the subgraph when a deterministic failure stops it (metric label); default `name`. */
  subgraph?: string;
  /** Where a stop is recorded (default: the process's). */
  stoppedUnits?: StoppedUnits;
}

export interface FollowerProgress {
  name: string;
  throughBlock: bigint;
  head: bigint;
}

function toFollowedBlock(block: RpcBlock): FollowedBlock {
  return {
    number: BigInt(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: BigInt(block.timestamp),
  };
}

/** Logs still canonical (not `removed`), grouped by block. */
function logsByBlock(logs: RpcLog[]): Map<bigint, FollowedLog[]> {
  const byBlock = new Map<bigint, FollowedLog[]>();
  for (const raw of logs) {
    if (raw.removed) continue;
    const log = toFollowedLog(raw);
    const list = byBlock.get(log.blockNumber);
    if (list) list.push(log);
    else byBlock.set(log.blockNumber, [log]);
  }
  return byBlock;
}

function toFollowedLog(log: RpcLog): FollowedLog {
  return {
    address: log.address.toLowerCase(),
    topics: log.topics,
    data: log.data,
    blockNumber: BigInt(log.blockNumber),
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
    transactionIndex: Number(log.transactionIndex),
    logIndex: Number(log.logIndex),
  };
}

/** Node answers that mean "ask for fewer blocks": a size limit, or no answer in time. */
function isRangeError(error: unknown): boolean {
  return error instanceof RangeTooLargeError || error instanceof RpcTimeoutError;
}

/** A chunk of a range: the headers to index (ascending) and the logs of each block. */
interface FetchedChunk {
  headers: FollowedBlock[];
  byBlock: Map<bigint, FollowedLog[]>;
}

/** The first chunk of a range, in blocks; each next one is twice as long. */
const FIRST_CHUNK = 16;

/** [from, to] in chunks of FIRST_CHUNK, then twice, four times … as many blocks. */
export function rangeChunks(from: bigint, to: bigint): Array<[bigint, bigint]> {
  const chunks: Array<[bigint, bigint]> = [];
  let size = BigInt(FIRST_CHUNK);
  for (let start = from; start <= to; start += size, size *= 2n) chunks.push([start, start + size - 1n < to ? start + size - 1n : to]);
  return chunks;
}

/** Blocks mapped but not yet handed to the commit queue, and their logs. */
interface PendingBatch<W> {
  blocks: Array<{ block: FollowedBlock; writes: W | undefined }>;
  logs: number;
}

/**
 * A chunk's blocks with their logs (logIndex order), up to where they stop linking: `pending` when a
 * log is of another block of that height (a reorg under way), `reorg` when a header's parent is not
 * the block before (the store must roll back).
 */
function linkedBlocks(chunk: FetchedChunk, previous: { number: bigint; hash: string } | undefined): { blocks: MappedBlock[]; stop?: 'pending' | 'reorg' } {
  const blocks: MappedBlock[] = [];
  let before = previous;
  for (const header of chunk.headers) {
    const logs = (chunk.byBlock.get(header.number) ?? []).sort((a, b) => a.logIndex - b.logIndex);
    if (logs.some((log) => log.blockHash !== header.hash)) return { blocks, stop: 'pending' };
    if (before && header.number === before.number + 1n && header.parentHash !== before.hash) return { blocks, stop: 'reorg' };
    blocks.push({ block: header, logs });
    before = header;
  }
  return { blocks };
}

/** Logs whose blocks are committed together (and while the mappings of the next ones run). */
const COMMIT_LOGS = 2_000;

/** Failed steps retry after 500 ms doubling up to 10 s, with jitter. */
const STEP_BACKOFF = { initialMs: 500, maxMs: 10_000 };

/**
 * Follows one chain from the subgraph's start block: eth_getLogs over block ranges, the mappings of
 * each block with logs run and committed atomically, the cursor moved to the end of the range.
 * A reorg (cursor hash no longer canonical, or a parent hash that does not link) rolls the store back
 * to the newest recorded block that is still canonical.
 */
export class BlockFollower<W> {
  readonly progress$ = new Subject<FollowerProgress>();
  private range: number;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  /** A head announced during a step: the next step starts without sleeping. */
  private wokenWhileBusy = false;
  private stopHeads: (() => void) | undefined;
  private failed: StoppedUnit | undefined;

  constructor(private readonly options: BlockFollowerOptions<W>) {
    this.range = options.maxRange ?? DEFAULTS.chain.indexerMaxLogRange;
  }

  private get unitName(): string {
    return this.options.subgraph ?? this.options.name;
  }

  private get units(): StoppedUnits {
    return this.options.stoppedUnits ?? stoppedUnits;
  }

  /** The deterministic failure that stopped indexing (graph-node's `hasIndexingErrors`), if any. */
  get failure(): StoppedUnit | undefined {
    return this.failed;
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.failed = undefined; // a restart tries the failed block again (a fixed mapping may pass)
    this.units.clear('subgraph', this.unitName);
    this.running = this.loop();
    const held = this.options.heads?.();
    const unsubscribe = held?.heads.onHead(() => {
      if (this.wake) this.wake();
      else this.wokenWhileBusy = true;
    });
    this.stopHeads = () => {
      unsubscribe?.();
      held?.release();
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopHeads?.();
    this.stopHeads = undefined;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let progressed = false;
      try {
        progressed = await this.step();
        failures = 0;
      } catch (error) {
        if (!isRetryable(error)) {
          this.stopOnDeterministicFailure(error);
          return;
        }
        failures += 1;
        this.options.logger.warn({ follower: this.options.name, failures, err: messageOf(error) }, 'indexing step failed; retrying');
      }
      if (this.stopped) break;
      const woken = this.wokenWhileBusy && failures === 0;
      this.wokenWhileBusy = false;
      if (!progressed && !woken) await this.sleep(failures > 0 ? backoffDelay(failures, STEP_BACKOFF) : (this.options.pollIntervalMs ?? DEFAULTS.chain.indexerPollCapMs));
    }
  }

  private sleep(delay: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, delay);
      this.wake = done;
    });
  }

  /**
   * A mapping that fails deterministically fails the same way on every attempt: like graph-node, stop
   * this subgraph (its `_meta.hasIndexingErrors` answers true), say so once with the block, and leave
   * the other subgraphs running.
   */
  private stopOnDeterministicFailure(error: unknown): void {
    this.failed = this.units.record('subgraph', this.unitName, error);
    this.options.logger.error(
      { follower: this.options.name, subgraph: this.unitName, block: this.failed.details?.blockNumber, errorName: this.failed.errorName, err: this.failed.reason },
      'subgraph failed: indexing stopped (deterministic error)',
    );
  }

  /** One unit of work; true when something was indexed or rolled back. Public for tests and benches. */
  async step(): Promise<boolean> {
    const { client, runner, store } = this.options;
    const [tip, cursor] = await Promise.all([client.blockNumber(), store.cursor()]);
    const head = tip - BigInt(this.options.confirmations ?? 0);
    if (cursor) {
      const canonical = await client.getBlock(cursor.number).catch(() => undefined);
      if (!canonical || canonical.hash !== cursor.hash) {
        await this.rollBackReorg(cursor.number);
        return true;
      }
    }
    const from = cursor ? cursor.number + 1n : runner.startBlock;
    if (from > head) return false;
    const to = from + BigInt(this.range) - 1n < head ? from + BigInt(this.range) - 1n : head;
    if (!(await this.indexRange(cursor, this.fetchChunks(from, to)))) return true;
    const window = BigInt(this.options.reorgWindow ?? 128);
    if (to > window) await store.pruneBlocks(to - window);
    this.progress$.next({ name: this.options.name, throughBlock: to, head });
    return true;
  }

  /**
   * The range's logs and headers in chunks of growing size, each chunk's eth_getLogs sent as soon as
   * the previous one is answered: the mappings of the first blocks run while the node still reads the
   * later ones. Only the headers of blocks with logs are fetched, and that of the range's last block
   * (the cursor moves there). A failed chunk fails those after it, which are then not asked for.
   */
  private fetchChunks(from: bigint, to: bigint): Array<Promise<FetchedChunk>> {
    const chunks: Array<Promise<FetchedChunk>> = [];
    let previousLogs: Promise<unknown> = Promise.resolve();
    for (const [start, end] of rangeChunks(from, to)) {
      const logs = previousLogs.then(() => this.getLogs(start, end));
      const chunk = logs.then(async (found) => {
        const byBlock = logsByBlock(found);
        const numbers = [...byBlock.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        if (end === to && numbers[numbers.length - 1] !== to) numbers.push(to);
        const headers = numbers.length > 0 ? (await this.options.client.getBlocks(numbers)).map(toFollowedBlock) : [];
        return { headers, byBlock };
      });
      chunk.catch(() => undefined); // observed by indexRange (or abandoned when the range stops short)
      chunks.push(chunk);
      previousLogs = logs;
    }
    return chunks;
  }

  /**
   * Runs the mappings of each block in order and commits them in batches of about COMMIT_LOGS logs,
   * each committed while the next runs; false when the range stopped short (a reorg under way or
   * found). What was indexed before a stop, a reorg or a mapping failure is committed first, as
   * block-by-block commits would have left it.
   */
  private async indexRange(cursor: { number: bigint; hash: string } | undefined, chunks: Array<Promise<FetchedChunk>>): Promise<boolean> {
    const commits = new CommitQueue(this.options.store);
    const batch: PendingBatch<W> = { blocks: [], logs: 0 };
    let previous = cursor;
    try {
      for (const chunk of chunks) {
        const { blocks, stop } = linkedBlocks(await chunk, previous);
        await this.mapAndCommit(blocks, commits, batch);
        if (blocks.length > 0) previous = blocks[blocks.length - 1].block;
        if (stop === 'pending') return false; // reorg under way: re-check next step
        if (stop === 'reorg' && previous) {
          commits.push(batch.blocks.splice(0));
          await commits.settle();
          await this.rollBackReorg(previous.number);
          return false;
        }
      }
      return true;
    } finally {
      commits.push(batch.blocks.splice(0));
      await commits.settle();
    }
  }

  /**
   * The mappings of a chunk's blocks, taken in block order into the batch, which is handed to the
   * commit queue every COMMIT_LOGS logs. A runner with `mapBlocks` may have them run elsewhere meanwhile.
   */
  private async mapAndCommit(blocks: readonly MappedBlock[], commits: CommitQueue<W>, batch: PendingBatch<W>): Promise<void> {
    const { runner } = this.options;
    const withLogs = blocks.filter((mapped) => mapped.logs.length > 0);
    const results = runner.mapBlocks ? runner.mapBlocks(withLogs) : withLogs.map((mapped) => () => runner.runBlock(mapped.block, mapped.logs));
    let next = 0;
    for (const { block, logs } of blocks) {
      batch.blocks.push({ block, writes: logs.length > 0 ? await results[next++]() : undefined });
      batch.logs += logs.length;
      if (batch.logs >= COMMIT_LOGS) {
        commits.push(batch.blocks.splice(0));
        batch.logs = 0;
      }
      // Mappings run synchronously here: between blocks, let a commit in flight send its next statement.
      if (commits.busy) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async getLogs(from: bigint, to: bigint): Promise<RpcLog[]> {
    const { client, runner } = this.options;
    try {
      const logs = await client.getLogs({
        fromBlock: from,
        toBlock: to,
        address: runner.addresses,
        topics: [runner.topics],
      });
      this.range = Math.min(this.range * 2, this.options.maxRange ?? DEFAULTS.chain.indexerMaxLogRange);
      return logs;
    } catch (error) {
      if (isRangeError(error) && to > from) {
        this.range = Math.max(1, Math.floor(Number(to - from + 1n) / 2));
        this.options.logger.info({ follower: this.options.name, range: this.range }, 'eth_getLogs range shrunk');
        const middle = from + BigInt(this.range) - 1n;
        return [...(await this.getLogs(from, middle)), ...(await this.getLogs(middle + 1n, to))];
      }
      throw error;
    }
  }

  /** Finds the newest recorded block still on the canonical chain and rolls the store back to it. */
  private async rollBackReorg(divergedAt: bigint): Promise<void> {
    const { client, store, logger } = this.options;
    const recent = await store.recentBlocks(this.options.reorgWindow ?? 128);
    let ancestor: bigint | undefined;
    for (const block of recent) {
      if (block.number > divergedAt) continue;
      const canonical = await client.getBlock(block.number).catch(() => undefined);
      if (canonical && canonical.hash === block.hash) {
        ancestor = block.number;
        break;
      }
    }
    const target =
      ancestor ?? (recent.length > 0 ? recent[recent.length - 1].number - 1n : this.options.runner.startBlock - 1n);
    logger.warn({ follower: this.options.name, divergedAt: divergedAt.toString(), rollbackTo: target.toString() }, 'chain reorganization: rolling back');
    await store.rollbackTo(target);
  }
}
