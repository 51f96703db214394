import { Subject } from 'rxjs';
import type { Logger } from '../../logging/logger';
import type { ChainClient, RpcReceipt } from '../chain-client';
import { backoffDelay } from '../../errors/backoff';
import { isRetryable, messageOf } from '../../errors/cause-chain';
import { stoppedUnits, type StoppedUnit, type StoppedUnits } from '../../errors/stopped-units';
import { UserInputError } from '../../errors/user-errors';
import { RevertError } from '../errors';
import { FeeOracle, maxPerGas, replacementFees, type FeeCapExceeded, type Fees } from '../fees';
import type { LocalSigner } from '../local-signer';
import type { HeadsProvider } from '../new-heads';
import { ExecutionRevertedError, NonceTooLowError, TransactionAlreadyKnownError, TransactionRejectedError } from '../node-errors';
import { BlockInclusions } from './block-inclusions';
import type { OutboxPort, OutboxRecord, OutboxRequest } from './outbox-port';
import { DEFAULTS } from '../../facilitator/defaults';

export interface TransactionEngineOptions {
  client: ChainClient;
  /** Worker keys of this chain, by lowercase address. */
  signers: ReadonlyMap<string, LocalSigner>;
  outbox: OutboxPort;
  /** Blocks on top of the mined one before the outcome counts. */
  confirmations?: number;
  /** Not mined after this long (and blocks mined without it): replace at the same nonce with higher fees. */
  stuckAfterMs?: number;
  /** Fees from the node, the transaction type and the chain's cap (default: auto type, no cap). */
  fees?: FeeOracle;
  /** Transactions of one worker broadcast and not yet final, at most. */
  maxInFlightPerWorker?: number;
  pollIntervalMs?: number;
  /** New blocks announced (newHeads): each wakes every worker at once, so a receipt is looked for without waiting for the poll. */
  heads?: HeadsProvider;
  /** Transient failures (RPC down, ...) are retried this many times with growing delays. */
  maxAttempts?: number;
  logger: Logger;
  /** Where a worker stopped by a deterministic error is recorded (default: the process's). */
  stoppedUnits?: StoppedUnits;
  /**
   * Checked before every broadcast (active/standby: throws FencedError once this process's lease was
   * taken over, which stops the worker). Signed transactions are also fenced where they are persisted.
   */
  beforeBroadcast?: () => Promise<void>;
}

/** A final outbox record; `receipt` is the one that settled it, when it was mined (not when it failed unsent). */
export type TransactionOutcome = OutboxRecord & { status: 'mined' | 'failed'; receipt?: RpcReceipt };

export interface EngineMetrics {
  sent: number;
  failed: number;
  replaced: number;
}

/** Transactions held back because the chain needs more per gas than its cap allows. */
export interface FeeCapWait extends FeeCapExceeded {
  /** Outbox records waiting (not sent, or a replacement not made). */
  transactions: number;
  /** When the oldest of them started waiting (ms since the epoch). */
  since: number;
}

/** What an operator's nonce resync did (admin API). */
export interface NonceResync {
  chainId: number;
  worker: string;
  /** The next nonce stored before (undefined: the worker had not sent yet). */
  previous: bigint | undefined;
  /** The next nonce stored now: the chain's pending transaction count of the worker. */
  next: bigint;
  /** The worker's mined transaction count: below `next`, transactions of this key not sent by this facilitator wait in the node's pool. */
  mined: bigint;
}

/** A nonce resync refused: the worker has transactions sent and not final, whose nonces it could give away. */
export class NonceResyncRefusedError extends UserInputError {
  override readonly name = 'NonceResyncRefusedError';
}

/** Node answers that mean "I already have it / it is already mined": nothing to undo. */
function isAlreadyKnown(error: unknown): boolean {
  return error instanceof TransactionAlreadyKnownError || error instanceof NonceTooLowError;
}

/** Node answers to a broadcast that mean "this transaction will never be accepted as signed". */
function isRejected(error: unknown): boolean {
  return error instanceof TransactionRejectedError || error instanceof ExecutionRevertedError;
}

/** Worker loop retries: 400 ms doubling up to 10 s, with jitter so workers do not retry in step. */
const WORKER_BACKOFF = { initialMs: 400, maxMs: 10_000 };
/** A queued record's retries after a transient failure: 2 s doubling up to a minute. */
const RECORD_BACKOFF = { initialMs: 2_000, maxMs: 60_000 };
/** How often a transaction held back by the fee cap looks at the fees again. */
const FEE_CAP_RECHECK_MS = 1_000;
/** A head read or announced this recently stamps a broadcast without reading it again. */
const HEAD_FRESH_MS = 500;
/**
 * A head newHeads announced this recently is the chain's head for a pass (the next block would be
 * announced in turn); older, the head is read. Below the fastest block times of the chains served.
 */
const ANNOUNCED_HEAD_FRESH_MS = 100;

/**
 * Sends the outbox's transactions for one chain: a nonce per worker kept in the database, the signed
 * transaction persisted before broadcast, simulation (eth_call) first so a revert is recorded with its
 * reason instead of wasting gas, a confirmation depth, replacement of stuck transactions with a gas
 * bump, and retries with backoff for transient failures.
 */
export class TransactionEngine {
  readonly outcomes$ = new Subject<TransactionOutcome>();
  readonly metrics: EngineMetrics = { sent: 0, failed: 0, replaced: 0 };
  private readonly loops = new Map<string, Promise<void>>();
  private readonly wakers = new Map<string, () => void>();
  /** Workers woken while busy: their next pass starts without sleeping. */
  private readonly wokenWhileBusy = new Set<string>();
  private stopHeads: (() => void) | undefined;
  /** Told of each new head announced while the engine runs (onHead). */
  private readonly headListeners = new Set<(head: bigint) => void>();
  /** The newest chain head this engine read or was announced, and when (stamps broadcasts for "stuck"). */
  private latestHead: { number: bigint; at: number } | undefined;
  /** The newest head newHeads announced, and when: a pass it woke reads receipts against it without asking again. */
  private announcedHead: { number: bigint; at: number } | undefined;
  private readonly nonceSynced = new Set<string>();
  private readonly waiters = new Map<number, Array<(record: TransactionOutcome) => void>>();
  /** Hashes of cancellation transfers sent in place of stuck calls, with the reason. */
  private readonly cancelled = new Map<string, string>();
  /** Chain head when each in-flight record was last broadcast: "stuck" needs blocks mined without it. */
  private readonly headAtBroadcast = new Map<number, bigint>();
  /** Chain head at each worker's last settle pass. */
  private readonly settledAtHead = new Map<string, bigint>();
  /** Records seen mined, waiting for their confirmation depth. */
  private readonly awaitingDepth = new Set<number>();
  private readonly inclusions: BlockInclusions;
  /** Records held back by the fee cap, with what they needed and since when. */
  private readonly feeWaits = new Map<number, FeeCapExceeded & { since: number }>();
  private readonly fees: FeeOracle;
  /** Workers whose loop runs now. */
  private readonly running = new Set<string>();
  /** Operators' nonce resyncs waiting for their worker's loop (run between two passes, never during a send). */
  private readonly resyncs = new Map<string, Array<{ resolve: (done: NonceResync) => void; reject: (error: unknown) => void }>>();
  private stopped = true;

  constructor(private readonly options: TransactionEngineOptions) {
    this.fees = options.fees ?? new FeeOracle(options.client);
    this.inclusions = new BlockInclusions(options.client);
  }

  /** The transaction type this chain gets (type 2 where blocks carry a base fee, unless configured). */
  txType(): Promise<'eip1559' | 'legacy'> {
    return this.fees.txType();
  }

  /** What a transaction sent now is expected to pay per gas (this chain's fee oracle, before the cap). */
  expectedFeePerGas(): Promise<bigint> {
    return this.fees.expectedPerGas();
  }

  /** The chain's fee cap, if any. */
  get feeCap(): bigint | undefined {
    return this.fees.cap;
  }

  /** What the fee cap holds back now, or undefined when nothing waits for it. */
  feeCapWait(): FeeCapWait | undefined {
    if (this.feeWaits.size === 0) return undefined;
    const waits = [...this.feeWaits.values()];
    const needed = waits.reduce((max, w) => (w.neededPerGas > max ? w.neededPerGas : max), 0n);
    return { neededPerGas: needed, capPerGas: waits[0].capPerGas, transactions: waits.length, since: Math.min(...waits.map((w) => w.since)) };
  }

  /** Holds a record back for the cap: logged when it starts waiting, not on every retry. */
  private holdForFeeCap(record: OutboxRecord, wait: FeeCapExceeded, what: string): void {
    if (!this.feeWaits.has(record.id)) {
      this.options.logger.warn(
        { chainId: this.chainId, purpose: record.purpose, subject: record.subject, neededPerGas: wait.neededPerGas.toString(), capPerGas: wait.capPerGas.toString() },
        `${what} waits: the chain needs more per gas than its maxFeePerGas cap`,
      );
    }
    this.feeWaits.set(record.id, { ...wait, since: this.feeWaits.get(record.id)?.since ?? Date.now() });
  }

  private releaseFeeCapHold(record: OutboxRecord): void {
    if (this.feeWaits.delete(record.id)) {
      this.options.logger.info({ chainId: this.chainId, purpose: record.purpose, subject: record.subject }, 'fees back under the cap: sending');
    }
  }

  get chainId(): number {
    return this.options.client.chainId;
  }

  workers(): string[] {
    return [...this.options.signers.keys()];
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const worker of this.options.signers.keys()) {
      this.units.clear('worker', this.unitName(worker));
      this.loops.set(worker, this.workerLoop(worker));
    }
    const held = this.options.heads?.();
    const unsubscribe = held?.heads.onHead((head) => {
      this.sawHead(head);
      if (this.announcedHead === undefined || head >= this.announcedHead.number) this.announcedHead = { number: head, at: Date.now() };
      for (const worker of this.options.signers.keys()) this.wake(worker);
      for (const listener of this.headListeners) listener(head);
    });
    this.stopHeads = () => {
      unsubscribe?.();
      held?.release();
    };
  }

  /**
   * Calls `listener` with each new head this chain announces (newHeads) while the engine runs; nothing
   * without a WebSocket endpoint. Returns the unsubscribe.
   */
  onHead(listener: (head: bigint) => void): () => void {
    this.headListeners.add(listener);
    return () => this.headListeners.delete(listener);
  }

  private sawHead(head: bigint): void {
    if (this.latestHead === undefined || head >= this.latestHead.number) this.latestHead = { number: head, at: Date.now() };
  }

  /** Ends the worker's sleep, or (when it is in a pass) makes its next pass start at once. */
  private wake(worker: string): void {
    const wake = this.wakers.get(worker);
    if (wake) wake();
    else this.wokenWhileBusy.add(worker);
  }

  /** Stops taking queued work; a send under way (sign → persist → broadcast) completes first. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopHeads?.();
    this.stopHeads = undefined;
    for (const wake of this.wakers.values()) wake();
    await Promise.all(this.loops.values());
    this.loops.clear();
  }

  /** Queues a transaction (idempotent per chain, purpose and subject) and wakes its worker. */
  async submit(request: Omit<OutboxRequest, 'chainId'>): Promise<{ record: OutboxRecord; created: boolean }> {
    const worker = request.worker.toLowerCase();
    if (!this.options.signers.has(worker)) throw new Error(`no key for worker ${worker} on chain ${this.chainId}`);
    const result = await this.options.outbox.enqueue({ ...request, worker, chainId: this.chainId });
    this.wake(worker);
    return result;
  }

  /** The record of one step of one subject on this chain, if it was ever queued. */
  find(purpose: string, subject: string): Promise<OutboxRecord | undefined> {
    return this.options.outbox.find(this.chainId, purpose, subject);
  }

  /** Records of one purpose on this chain not yet final (queued or sent). */
  unsettled(purpose: string): Promise<OutboxRecord[]> {
    return this.options.outbox.unsettled(this.chainId, purpose);
  }

  /**
   * Re-broadcasts (replacements, gap fillers) go through here, past the fence (see
   * TransactionEngineOptions.beforeBroadcast); a batch of first broadcasts passes it once (sendBatch).
   */
  private async broadcast(raw: string): Promise<string> {
    await this.options.beforeBroadcast?.();
    return this.options.client.sendRawTransaction(raw);
  }

  /** Resolves when the record is mined (with the confirmation depth) or failed. */
  async waitFor(id: number): Promise<TransactionOutcome> {
    // The waiter first, then the record: an outcome emitted while the read is in flight still reaches it
    // (read first, a settle landing in between would be missed and the caller would wait for ever).
    let resolveWaiter: (outcome: TransactionOutcome) => void = () => undefined;
    const waited = new Promise<TransactionOutcome>((resolve) => (resolveWaiter = resolve));
    const list = this.waiters.get(id) ?? [];
    list.push(resolveWaiter);
    this.waiters.set(id, list);
    const current = await this.options.outbox.get(id);
    if (current && (current.status === 'mined' || current.status === 'failed')) {
      const rest = (this.waiters.get(id) ?? []).filter((waiter) => waiter !== resolveWaiter);
      if (rest.length > 0) this.waiters.set(id, rest);
      else this.waiters.delete(id);
      return current as TransactionOutcome;
    }
    return waited;
  }

  private emit(record: OutboxRecord | undefined, receipt?: RpcReceipt): void {
    if (!record || (record.status !== 'mined' && record.status !== 'failed')) return;
    const outcome: TransactionOutcome = { ...(record as TransactionOutcome), receipt };
    this.headAtBroadcast.delete(record.id);
    this.feeWaits.delete(record.id);
    this.awaitingDepth.delete(record.id);
    this.outcomes$.next(outcome);
    for (const resolve of this.waiters.get(record.id) ?? []) resolve(outcome);
    this.waiters.delete(record.id);
  }

  private get units(): StoppedUnits {
    return this.options.stoppedUnits ?? stoppedUnits;
  }

  private unitName(worker: string): string {
    return `${this.chainId}:${worker}`;
  }

  /** Workers stopped by a deterministic error since start, with the reason. */
  stoppedWorkers(): StoppedUnit[] {
    const mine = new Set(this.workers().map((worker) => this.unitName(worker)));
    return this.units.list('worker').filter((unit) => mine.has(unit.name));
  }

  /**
   * Transient failures (node down, database busy) back off and retry; a deterministic one stops this
   * worker with the reason recorded (logged once, reported as a metric) instead of failing for ever.
   */
  private async workerLoop(worker: string): Promise<void> {
    this.running.add(worker);
    try {
      await this.runWorker(worker);
    } finally {
      this.running.delete(worker);
      await this.runResyncs(worker); // asked while the loop was ending: nothing sends for this worker now
    }
  }

  private async runWorker(worker: string): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let busy = false;
      try {
        await this.runResyncs(worker);
        busy = await this.tick(worker);
        failures = 0;
      } catch (error) {
        if (!isRetryable(error)) {
          this.stopWorker(worker, error);
          return;
        }
        failures += 1;
        this.options.logger.warn({ chainId: this.chainId, worker, failures, err: messageOf(error) }, 'transaction engine step failed; retrying');
      }
      if (this.stopped) break;
      const woken = this.wokenWhileBusy.delete(worker) && failures === 0;
      const delay = busy || woken ? 0 : failures > 0 ? backoffDelay(failures, WORKER_BACKOFF) : (this.options.pollIntervalMs ?? DEFAULTS.chain.enginePollCapMs);
      await this.sleep(worker, delay);
    }
  }

  private sleep(worker: string, delay: number): Promise<void> {
    if (delay === 0) return new Promise<void>((resolve) => setImmediate(resolve));
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      const wakers = this.wakers;
      function done(): void {
        clearTimeout(timer);
        wakers.delete(worker);
        resolve();
      }
      wakers.set(worker, done);
    });
  }

  private stopWorker(worker: string, error: unknown): void {
    const unit = this.units.record('worker', this.unitName(worker), error);
    this.options.logger.error({ chainId: this.chainId, worker, errorName: unit.errorName, err: unit.reason, details: unit.details }, 'transaction engine worker stopped: the failure is deterministic');
  }

  /**
   * One pass for one worker: settle in-flight transactions and send queued ones. True if anything moved.
   * What was mined is settled while what is queued is signed and sent (different records): a pass took
   * the sum of both, and a step queued meanwhile waited for the rest of the pass and a whole next one.
   * Records with no receipt come after both, one at a time: a replacement or a gap filler touches the
   * worker's nonces.
   */
  private async tick(worker: string): Promise<boolean> {
    const inFlight = await this.options.outbox.inFlight(this.chainId, worker);
    const room = (this.options.maxInFlightPerWorker ?? DEFAULTS.chain.maxInFlightPerWorker) - inFlight.length;
    const [settled, sent] = await Promise.all([this.settleMinedOf(worker, inFlight), this.sendQueued(worker, room)]);
    let moved = settled.moved || sent;
    for (const record of settled.unmined) moved = (await this.settleUnmined(record, settled.head)) || moved;
    return moved;
  }

  /** The worker's in-flight records that a new block may have settled, settled side by side; those still without a receipt. */
  private async settleMinedOf(worker: string, inFlight: OutboxRecord[]): Promise<{ moved: boolean; unmined: OutboxRecord[]; head: bigint }> {
    if (inFlight.length === 0) return { moved: false, unmined: [], head: 0n };
    // A receipt can only appear with a new block, for a transaction in it: only those, the ones waiting
    // for confirmations and stuck candidates need a look.
    const head = await this.currentHead();
    const previous = this.settledAtHead.get(worker);
    const included = previous === undefined ? undefined : await this.inclusions.hashesIn(previous, head);
    const stuckAfterMs = this.options.stuckAfterMs ?? DEFAULTS.chain.stuckAfterMs;
    const looked = inFlight.filter(
      (record) =>
        included === undefined ||
        this.awaitingDepth.has(record.id) ||
        record.txHashes.some((hash) => included.has(hash.toLowerCase())) ||
        Date.now() - (record.sentAt ?? 0) > stuckAfterMs,
    );
    const receipts = await this.receiptsOf(looked);
    // Each its own record: their writes queue back to back instead of each waiting for the whole queue in turn.
    const mined = await Promise.all(looked.map((record) => this.settleMined(record, head, receipts)));
    this.settledAtHead.set(worker, head);
    return { moved: mined.includes(true), unmined: looked.filter((_, index) => mined[index] === undefined), head };
  }

  /**
   * The chain head for a pass: the one newHeads just announced (the pass it woke starts at once, so
   * one eth_blockNumber per pass is saved on every step), else read.
   */
  private async currentHead(): Promise<bigint> {
    const announced = this.announcedHead;
    if (announced && Date.now() - announced.at <= ANNOUNCED_HEAD_FRESH_MS) return announced.number;
    const head = await this.options.client.blockNumber();
    this.sawHead(head);
    return head;
  }

  /** Sends up to `room` of the worker's queued records; true if there were any. */
  private async sendQueued(worker: string, room: number): Promise<boolean> {
    if (this.stopped || room <= 0) return false;
    const queued = await this.options.outbox.queued(this.chainId, worker, Date.now(), room);
    if (queued.length === 0) return false;
    await this.sendBatch(worker, queued);
    return true;
  }

  /** The receipts of the records' hashes, asked for all at once (null: none yet). */
  private async receiptsOf(records: OutboxRecord[]): Promise<Map<string, RpcReceipt | null>> {
    const hashes = records.flatMap((record) => record.txHashes);
    const receipts = await Promise.all(hashes.map((hash) => this.options.client.getReceipt(hash)));
    return new Map(hashes.map((hash, index) => [hash, receipts[index]]));
  }

  /**
   * A record with a receipt: settled once deep enough (true), or left waiting for its depth (false).
   * Undefined when none of its hashes has a receipt. `head`: the chain head read at the start of this pass;
   * `receipts`: read for this pass (receiptsOf).
   */
  private async settleMined(record: OutboxRecord, head: bigint, receipts: Map<string, RpcReceipt | null>): Promise<boolean | undefined> {
    const { client, outbox, logger } = this.options;
    for (const hash of [...record.txHashes].reverse()) {
      const receipt = receipts.has(hash) ? receipts.get(hash) : await client.getReceipt(hash);
      if (!receipt || !receipt.blockNumber) continue;
      const minedBlock = BigInt(receipt.blockNumber);
      const depth = head - minedBlock + 1n;
      if (depth < BigInt(Math.max(1, this.options.confirmations ?? 0))) {
        this.awaitingDepth.add(record.id);
        return false;
      }
      this.awaitingDepth.delete(record.id);
      const cancelled = this.cancelled.get(hash) ?? (record.txHashes.length > 1 && (await this.isSelfTransfer(hash, record.worker)) ? 'cancelled after it got stuck' : undefined);
      const success = receipt.status === '0x1' && cancelled === undefined;
      const error = cancelled !== undefined ? `cancelled: ${cancelled}` : success ? undefined : await this.revertReasonAt(record, minedBlock);
      await outbox.markMined(record.id, { txHash: hash, blockNumber: minedBlock, success, error });
      if (!success) this.metrics.failed += 1;
      logger.info(
        { chainId: this.chainId, purpose: record.purpose, subject: record.subject, txHash: hash, block: Number(minedBlock), success, error },
        success ? 'transaction mined' : 'transaction reverted',
      );
      this.emit(await outbox.get(record.id), receipt);
      return true;
    }
    return undefined;
  }

  /** A record none of whose hashes is mined: its nonce used by another transaction (failed), stuck (replaced), or still pending. */
  private async settleUnmined(record: OutboxRecord, head: bigint): Promise<boolean> {
    const { client, outbox } = this.options;
    if (record.nonce === undefined) return false;
    const minedNonce = await client.getTransactionCount(record.worker, 'latest');
    if (minedNonce > record.nonce) {
      // The nonce is used but none of our hashes has a receipt: re-check once more before giving up.
      for (const hash of record.txHashes) if (await client.getReceipt(hash)) return false;
      await outbox.markFailed(record.id, `nonce ${record.nonce} was used by another transaction of ${record.worker}`);
      this.metrics.failed += 1;
      this.emit(await outbox.get(record.id));
      return true;
    }
    const age = Date.now() - (record.sentAt ?? 0);
    const stuckAfterMs = this.options.stuckAfterMs ?? DEFAULTS.chain.stuckAfterMs;
    if (age > stuckAfterMs && (age > 10 * stuckAfterMs || this.blocksMinedWithout(record, head))) {
      // Above a nonce gap no fee gets it mined: fill the gap instead of bumping for ever.
      if (await this.fillNonceGap(record)) return true;
      await this.replace(record, head);
      return true;
    }
    return false;
  }

  /**
   * A reorg can drop mined transactions of a worker (anvil drops them; geth puts them back in its pool):
   * the chain's nonce goes back below ours and every later transaction sits above a gap. Each missing
   * nonce below `record`'s gets a zero-value self-transfer (what the step needs is re-derived from the
   * chain by its service), and the stored next nonce is resynced. True when there was a gap.
   */
  private async fillNonceGap(record: OutboxRecord): Promise<boolean> {
    const { client, outbox, logger } = this.options;
    const chainNext = await client.getTransactionCount(record.worker, 'pending');
    if (record.nonce === undefined || chainNext >= record.nonce) return false;
    const ours = new Set((await outbox.inFlight(this.chainId, record.worker)).map((r) => r.nonce));
    const quote = await this.fees.uncapped();
    const signer = this.options.signers.get(record.worker)!;
    for (let nonce = chainNext; nonce < record.nonce; nonce++) {
      if (ours.has(nonce)) continue;
      const filler = signer.sign({ nonce, fees: quote, gasLimit: 21_000n, to: record.worker, value: 0n, data: '0x' }, this.chainId);
      logger.warn({ chainId: this.chainId, worker: record.worker, nonce: Number(nonce), txHash: filler.hash }, 'nonce gap below a pending transaction (a reorg dropped one): filled with a self-transfer');
      await this.broadcast(filler.raw).catch((error: unknown) => this.acceptBroadcastFailure(error, record, 'nonce gap filler'));
    }
    this.nonceSynced.delete(record.worker);
    await outbox.markSigned(record.id, { nonce: record.nonce, fees: record.fees!, txHash: record.txHash!, rawTransaction: record.rawTransaction! });
    if (record.rawTransaction) await this.broadcast(record.rawTransaction).catch(() => undefined);
    return true;
  }

  /**
   * A slow chain is not a stuck transaction: replace only when at least two blocks were mined since the
   * broadcast (the one being built at that moment may have missed it), or after ten times the stuck
   * delay with no block at all (the node may have dropped it). Unknown after a restart: yes.
   */
  private blocksMinedWithout(record: OutboxRecord, head: bigint): boolean {
    const atBroadcast = this.headAtBroadcast.get(record.id);
    return atBroadcast === undefined || head > atBroadcast + 1n;
  }

  /**
   * Stamps a broadcast with the head this engine read at its pass or was announced, when that is recent
   * (under load it always is, and with newHeads always): one eth_blockNumber per send saved. Otherwise
   * the head is read, so that an old stamp never makes a transaction look stuck too early.
   */
  private async rememberHead(id: number): Promise<void> {
    const known = this.latestHead && Date.now() - this.latestHead.at <= HEAD_FRESH_MS ? this.latestHead.number : undefined;
    const head = known ?? (await this.options.client.blockNumber().catch(() => undefined));
    if (head === undefined) this.headAtBroadcast.delete(id);
    else this.headAtBroadcast.set(id, head);
  }

  /**
   * Same nonce, every fee field raised by the nodes' replacement minimum (and at least today's fees).
   * When the cap does not allow that, the pending transaction is re-broadcast as it is and waits. When the
   * call would now revert (the world moved on while it was stuck), the nonce is spent on a zero-value
   * transfer to the worker itself instead, so no gas is wasted on a revert and later nonces are not blocked.
   */
  private async replace(record: OutboxRecord, head: bigint): Promise<void> {
    const { client, outbox, logger } = this.options;
    const signer = this.options.signers.get(record.worker)!;
    let cancel: string | undefined;
    try {
      await client.call({ from: record.worker, to: record.to, data: record.data, value: record.value, gas: record.gas }, 'latest', record.purpose);
    } catch (error) {
      if (error instanceof RevertError) cancel = error.message;
    }
    const previous: Fees = record.fees ?? { type: 'legacy', gasPrice: 0n };
    const next = replacementFees(previous, await this.fees.uncapped(), this.fees.cap);
    if ('waiting' in next) {
      this.holdForFeeCap(record, next.waiting, 'replacement of a stuck transaction');
      if (record.rawTransaction) await this.broadcast(record.rawTransaction).catch(() => undefined);
      await outbox.markSigned(record.id, { nonce: record.nonce!, fees: previous, txHash: record.txHash!, rawTransaction: record.rawTransaction! });
      this.headAtBroadcast.set(record.id, head);
      return;
    }
    this.feeWaits.delete(record.id);
    const signed = cancel
      ? signer.sign({ nonce: record.nonce!, fees: next.fees, gasLimit: 21_000n, to: record.worker, value: 0n, data: '0x' }, this.chainId)
      : signer.sign({ nonce: record.nonce!, fees: next.fees, gasLimit: record.gas, to: record.to, value: record.value, data: record.data }, this.chainId);
    await outbox.markSigned(record.id, { nonce: record.nonce!, fees: next.fees, txHash: signed.hash, rawTransaction: signed.raw });
    this.metrics.replaced += 1;
    this.headAtBroadcast.set(record.id, head);
    if (cancel) {
      this.cancelled.set(signed.hash, cancel);
      logger.warn({ chainId: this.chainId, purpose: record.purpose, subject: record.subject, reason: cancel }, 'stuck transaction would now revert: cancelling it');
    }
    logger.warn(
      { chainId: this.chainId, purpose: record.purpose, subject: record.subject, nonce: Number(record.nonce), maxPerGas: maxPerGas(next.fees).toString(), txHash: signed.hash },
      'stuck transaction replaced with higher fees',
    );
    await this.broadcast(signed.raw).catch((error: unknown) => this.acceptBroadcastFailure(error, record, 'replacement'));
  }

  /**
   * A re-broadcast (replacement, gap filler) the node refused: "already known" is success; a refusal of
   * the signed transaction (funds, fees) leaves the record sent, to be looked at again on the next pass,
   * rather than failing every other record of the worker; anything else (node down) is thrown.
   */
  private acceptBroadcastFailure(error: unknown, record: OutboxRecord, what: string): void {
    if (isAlreadyKnown(error)) return;
    if (!isRejected(error)) throw error;
    this.options.logger.warn({ chainId: this.chainId, purpose: record.purpose, subject: record.subject, errorName: (error as Error).name, err: messageOf(error) }, `${what} refused by the node; will look again`);
  }

  /**
   * Simulates the call (eth_call). A revert, or a refusal the node would repeat (funds), fails the record
   * without sending; a transient failure defers it. True when the call may be sent.
   */
  private async simulate(record: OutboxRecord): Promise<boolean> {
    const { client, outbox, logger } = this.options;
    try {
      await client.call({ from: record.worker, to: record.to, data: record.data, value: record.value, gas: record.gas }, 'latest', `${record.purpose}(${record.subject})`);
      return true;
    } catch (error) {
      if (isRetryable(error)) {
        await this.retryLater(record, error);
        return false;
      }
      await outbox.markFailed(record.id, error instanceof RevertError ? error.message : `not sent: ${messageOf(error)}`);
      this.metrics.failed += 1;
      const reason = error instanceof RevertError ? error.reason : messageOf(error);
      logger.warn({ chainId: this.chainId, purpose: record.purpose, subject: record.subject, reason }, 'transaction not sent: it would revert or the node refuses it');
      this.emit(await outbox.get(record.id));
      return false;
    }
  }

  /**
   * Sends a worker's queued records together: simulated at once, consecutive nonces reserved and every
   * signed transaction persisted in one write, one fence check, then broadcast in nonce order. Under load
   * a send is then a share of one database write, not three of its own queued behind everyone else's.
   */
  private async sendBatch(worker: string, queued: OutboxRecord[]): Promise<void> {
    const simulated = await Promise.all(queued.map((record) => this.simulate(record)));
    const sendable = queued.filter((_, index) => simulated[index]);
    if (sendable.length === 0) return;
    const quote = await this.fees.quote();
    if ('waiting' in quote) {
      for (const record of sendable) await this.waitForFees(record, quote.waiting);
      return;
    }
    for (const record of sendable) this.releaseFeeCapHold(record);
    if (!this.nonceSynced.has(worker)) await this.syncNonce(worker);
    const signer = this.options.signers.get(worker)!;
    const signed = await this.options.outbox.signInOrder(this.chainId, worker, sendable, (record, nonce) => {
      const tx = signer.sign({ nonce, fees: quote.fees, gasLimit: record.gas, to: record.to, value: record.value, data: record.data }, this.chainId);
      return { fees: quote.fees, txHash: tx.hash, rawTransaction: tx.raw };
    });
    if (signed.length === 0) return;
    await this.options.beforeBroadcast?.();
    for (const [index, { record }] of signed.entries()) {
      await this.rememberHead(record.id);
      if (await this.broadcastSigned(record)) continue;
      // Refused: what follows it must not sit above the gap (never broadcast, so back in the queue).
      const rest = signed.slice(index + 1).map((s) => ({ id: s.record.id, txHash: s.signed.txHash }));
      await this.options.outbox.unsign(this.chainId, worker, rest, record.nonce!);
      return;
    }
  }

  private async waitForFees(record: OutboxRecord, waiting: FeeCapExceeded): Promise<void> {
    this.holdForFeeCap(record, waiting, 'transaction');
    const reason = `waiting: the chain needs ${waiting.neededPerGas} wei per gas, above the cap of ${waiting.capPerGas}`;
    await this.options.outbox.defer(record.id, reason, Date.now() + FEE_CAP_RECHECK_MS);
  }

  /**
   * Broadcasts a record's persisted transaction. False when the node refused it for good (recorded failed,
   * its nonce free again); an uncertain broadcast (timeout, connection reset) counts as sent: settle() finds out.
   */
  private async broadcastSigned(record: OutboxRecord): Promise<boolean> {
    const { logger } = this.options;
    try {
      await this.options.client.sendRawTransaction(record.rawTransaction!);
    } catch (error) {
      const message = messageOf(error);
      if (isAlreadyKnown(error)) {
        this.nonceSynced.delete(record.worker); // resync the nonce from the chain next time
      } else if (isRejected(error)) {
        await this.options.outbox.markFailed(record.id, `rejected by the node: ${message}`);
        this.metrics.failed += 1;
        this.emit(await this.options.outbox.get(record.id));
        return false;
      } else {
        logger.warn({ chainId: this.chainId, purpose: record.purpose, subject: record.subject, err: message }, 'broadcast uncertain; will check');
      }
    }
    this.metrics.sent += 1;
    logger.info(
      { chainId: this.chainId, purpose: record.purpose, subject: record.subject, worker: record.worker, nonce: Number(record.nonce), txHash: record.txHash },
      'transaction sent',
    );
    return true;
  }

  /**
   * The worker's next nonce from what is certain: the chain's pending count and the transactions this
   * engine persisted as signed. The stored counter alone is not: a crash between reserving a nonce and
   * persisting its signed transaction would leave it one ahead, and every later transaction behind a gap.
   */
  private async syncNonce(worker: string): Promise<void> {
    const chainPending = await this.options.client.getTransactionCount(worker, 'pending');
    let next = chainPending;
    for (const record of await this.options.outbox.inFlight(this.chainId, worker)) {
      if (record.nonce !== undefined && record.nonce + 1n > next) next = record.nonce + 1n;
    }
    await this.options.outbox.resetNonce(this.chainId, worker, next);
    this.nonceSynced.add(worker);
  }

  private async retryLater(record: OutboxRecord, error: unknown): Promise<void> {
    const message = messageOf(error);
    const attempts = record.attempts + 1;
    if (attempts >= (this.options.maxAttempts ?? 8)) {
      await this.options.outbox.markFailed(record.id, `gave up after ${attempts} attempts: ${message}`);
      this.metrics.failed += 1;
      this.emit(await this.options.outbox.get(record.id));
      return;
    }
    const delay = backoffDelay(attempts, RECORD_BACKOFF);
    await this.options.outbox.markRetry(record.id, message, Date.now() + delay);
    this.options.logger.warn({ chainId: this.chainId, purpose: record.purpose, subject: record.subject, attempts, delayMs: delay, err: message }, 'transaction deferred');
  }

  /**
   * An operator's retry (admin API): a failed record is queued again as if new and its worker woken; it
   * is simulated before it is sent, like any other. False unless the record is this chain's and failed.
   */
  async requeue(id: number, note: string): Promise<boolean> {
    const record = await this.options.outbox.get(id);
    if (!record || record.chainId !== this.chainId) return false;
    const requeued = await this.options.outbox.requeueFailed(id, note);
    if (requeued) this.wake(record.worker);
    return requeued;
  }

  /** An operator gave the record's subject up: failed with `reason` unless it is no longer queued (then it is sent, and settles). */
  cancelQueued(id: number, reason: string): Promise<boolean> {
    return this.options.outbox.cancelQueued(id, reason);
  }

  /**
   * An operator's resync of a worker's next nonce from the chain (admin API). It runs in the worker's
   * loop, between two passes, so no send is under way; and only when none of the worker's transactions
   * is sent and not final (else NonceResyncRefusedError naming them: their nonces could be given away).
   */
  resyncNonce(worker: string): Promise<NonceResync> {
    const key = worker.toLowerCase();
    if (!this.options.signers.has(key)) {
      return Promise.reject(new UserInputError(`${key} is not a worker on chain ${this.chainId}: its workers are ${this.workers().join(', ')}`));
    }
    if (!this.running.has(key)) return this.resync(key); // stopped: nothing sends for this worker
    return new Promise((resolve, reject) => {
      this.resyncs.set(key, [...(this.resyncs.get(key) ?? []), { resolve, reject }]);
      this.wake(key);
    });
  }

  private async runResyncs(worker: string): Promise<void> {
    const waiting = this.resyncs.get(worker);
    if (!waiting) return;
    this.resyncs.delete(worker);
    for (const { resolve, reject } of waiting) await this.resync(worker).then(resolve, reject);
  }

  private async resync(worker: string): Promise<NonceResync> {
    const { outbox, client } = this.options;
    const inFlight = await outbox.inFlight(this.chainId, worker);
    if (inFlight.length > 0) {
      const nonces = inFlight.map((r) => String(r.nonce)).join(', ');
      throw new NonceResyncRefusedError(
        `worker ${worker} on chain ${this.chainId} has ${inFlight.length} transaction(s) sent and not final (nonce ${nonces}): a resync now could give their nonces to other transactions; wait until they are mined or failed (facilitator status lists them), then resync`,
      );
    }
    const [previous, next, mined] = await Promise.all([
      outbox.storedNonce(this.chainId, worker),
      client.getTransactionCount(worker, 'pending'),
      client.getTransactionCount(worker, 'latest'),
    ]);
    await outbox.resetNonce(this.chainId, worker, next);
    this.nonceSynced.add(worker); // queued records are sent from `next` on
    return { chainId: this.chainId, worker, previous, next, mined };
  }

  /** A mined zero-value self-transfer: the cancellation of a stuck call (also after a restart). */
  private async isSelfTransfer(hash: string, worker: string): Promise<boolean> {
    const tx = await this.options.client.rpc.request<{ to: string | null; input: string } | null>('eth_getTransactionByHash', [hash]);
    return tx !== null && tx.to?.toLowerCase() === worker && tx.input === '0x';
  }

  /** The revert reason of a mined failure: replay the call on the state it ran against. */
  private async revertReasonAt(record: OutboxRecord, block: bigint): Promise<string> {
    try {
      await this.options.client.call({ from: record.worker, to: record.to, data: record.data, value: record.value, gas: record.gas }, block - 1n, record.purpose);
      return 'reverted (no reason when replayed)';
    } catch (error) {
      return messageOf(error);
    }
  }
}
