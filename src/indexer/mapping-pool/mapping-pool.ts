import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { messageOf } from '../../errors/cause-chain';
import type { Logger } from '../../logging/logger';
import type { MappedBlock } from '../follower/follower-ports';
import type { SubgraphImage } from '../wasm/mapping-host';
import type { MappingWorkerData } from './mapping-worker';
import { decodeError, encodeRequest, type WorkerReply } from './worker-messages';

/**
 * Worker threads that run a subgraph's mappings for catch-up ranges, many blocks at a time. A
 * block's writes depend only on the block and its logs (each block runs on instances as fresh as
 * new ones, and store.get sees only the block's own writes), so blocks mapped on different threads
 * give what one thread would; the follower still commits them in block order. Workers start on the
 * first part submitted and stop when the pool is closed or after `idleMs` without work: each is a
 * V8 isolate with its own WASM instances, memory an idle indexer should not hold.
 */

export interface MappingPoolOptions {
  /** The subgraph each worker hosts (LoadedSubgraph.image). */
  image: SubgraphImage;
  /** Worker threads at most (≥ 1). */
  size: number;
  /** Workers with nothing to do for this long are stopped (started again by the next part). */
  idleMs: number;
  logger: Logger;
}

/** What a worker answered for a part (the blocks before a failure, and the failure). */
export type MappedReply = Extract<WorkerReply, { kind: 'mapped' }>;

/** Consecutive blocks mapped by one worker in one message. */
export class PoolPart {
  /** queued: waiting for a worker; sent: a worker has it; local: withdrawn, to be mapped by the caller. */
  state: 'queued' | 'sent' | 'local' = 'queued';
  /** The worker answered (or failed): awaiting `reply` no longer waits. */
  settled = false;
  readonly reply: Promise<MappedReply>;
  resolve!: (reply: MappedReply) => void;
  reject!: (error: Error) => void;

  constructor(readonly blocks: readonly MappedBlock[]) {
    this.reply = new Promise<MappedReply>((resolve, reject) => {
      this.resolve = (reply) => {
        this.settled = true;
        resolve(reply);
      };
      this.reject = (error) => {
        this.settled = true;
        reject(error);
      };
    });
    this.reply.catch(() => undefined); // observed by whoever takes the part's blocks; a withdrawn part is never settled
  }
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  /** Settles when the worker is ready, or stopped before. */
  started: Promise<void>;
  markStarted: () => void;
  part: PoolPart | undefined;
}

/**
 * The worker script next to this module: mapping-worker.js from dist/, or mapping-worker.ts run
 * through tsx's CommonJS hook (tests, benches, tools run from the sources).
 */
function workerScript(): { file: string; execArgv: string[] | undefined } {
  const extension = extname(__filename);
  const file = join(__dirname, `mapping-worker${extension}`);
  return { file, execArgv: extension === '.ts' ? ['--require', require.resolve('tsx/cjs')] : undefined };
}

export class MappingPool {
  private readonly workers = new Set<PoolWorker>();
  private readonly queue: PoolPart[] = [];
  private nextJob = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private loadFailure: Error | undefined;

  constructor(private readonly options: MappingPoolOptions) {}

  /** False once a worker failed to load the subgraph: parts are then mapped by the caller. */
  get usable(): boolean {
    return this.loadFailure === undefined;
  }

  /** Worker threads alive now (started or starting). */
  get threads(): number {
    return this.workers.size;
  }

  /** Queues blocks for the next free worker (starting workers as needed). */
  submit(blocks: readonly MappedBlock[]): PoolPart {
    const part = new PoolPart(blocks);
    this.queue.push(part);
    this.dispatch();
    return part;
  }

  /**
   * Starts the workers now (a catch-up is coming: their start-up then overlaps the first eth_getLogs);
   * resolves once each is ready or failed to start. Idle ones stop after idleMs as usual.
   */
  warm(): Promise<void> {
    while (this.usable && this.workers.size < this.options.size) this.spawn();
    if (this.queue.length === 0) this.dispatch();
    return Promise.all([...this.workers].map((entry) => entry.started)).then(() => undefined);
  }

  /** Takes a part no worker has started back for the caller to map; false when a worker has it. */
  withdraw(part: PoolPart): boolean {
    if (part.state !== 'queued') return part.state === 'local';
    this.queue.splice(this.queue.indexOf(part), 1);
    part.state = 'local';
    return true;
  }

  /** Takes back the last part no worker has started (for a caller with nothing else to do), if any. */
  withdrawLast(): PoolPart | undefined {
    const part = this.queue.pop();
    if (part) part.state = 'local';
    return part;
  }

  /** Stops every worker; parts they were mapping fail (queued ones stay for the caller to withdraw). */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const stopping = [...this.workers];
    this.workers.clear();
    for (const entry of stopping) {
      entry.part?.reject(new Error('the mapping pool was closed'));
      entry.markStarted();
    }
    await Promise.all(stopping.map((entry) => entry.worker.terminate()));
  }

  private dispatch(): void {
    clearTimeout(this.idleTimer);
    for (const entry of this.workers) {
      if (this.queue.length === 0) break;
      if (entry.ready && !entry.part) this.send(entry, this.queue.shift()!);
    }
    const starting = [...this.workers].filter((entry) => !entry.ready).length;
    let wanted = Math.min(this.queue.length - starting, this.options.size - this.workers.size);
    while (this.usable && wanted-- > 0) this.spawn();
    // Idle: every worker ready (a starting one arms the timer once ready) and none with a part.
    if (this.workers.size > 0 && this.queue.length === 0 && [...this.workers].every((entry) => entry.ready && !entry.part)) {
      this.idleTimer = setTimeout(() => void this.close(), this.options.idleMs);
      this.idleTimer.unref();
    }
  }

  private send(entry: PoolWorker, part: PoolPart): void {
    part.state = 'sent';
    entry.part = part;
    entry.worker.ref(); // a part in flight keeps the process alive; an idle worker does not
    entry.worker.postMessage(encodeRequest(this.nextJob++, part.blocks));
  }

  private spawn(): void {
    const { file, execArgv } = workerScript();
    const worker = new Worker(file, { workerData: { image: this.options.image } satisfies MappingWorkerData, execArgv });
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const entry: PoolWorker = { worker, ready: false, started, markStarted, part: undefined };
    this.workers.add(entry);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.onReply(entry, reply));
    worker.on('error', (error) => this.onStopped(entry, error));
    worker.on('exit', (code) => this.onStopped(entry, new Error(`exited with code ${code}`)));
  }

  private onReply(entry: PoolWorker, reply: WorkerReply): void {
    if (reply.kind === 'load-failed') {
      this.onStopped(entry, decodeError(reply.error));
      void entry.worker.terminate();
      return;
    }
    if (reply.kind === 'ready') {
      entry.ready = true;
      entry.markStarted();
    } else {
      entry.part?.resolve(reply);
      entry.part = undefined;
      entry.worker.unref();
    }
    this.dispatch();
  }

  /** A worker that died (or could not load): its part fails; one that never got ready disables the pool. */
  private onStopped(entry: PoolWorker, error: Error): void {
    entry.markStarted();
    if (!this.workers.delete(entry)) return;
    entry.part?.reject(new Error(`a mapping worker stopped: ${error.message}`, { cause: error }));
    if (!entry.ready && !this.loadFailure) {
      this.loadFailure = error;
      this.options.logger.warn({ errorName: error.name, err: messageOf(error) }, 'mapping workers cannot start: mappings run on the indexing thread');
    }
    this.dispatch();
  }
}
