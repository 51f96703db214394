import type { Fees } from '../fees';

/**
 * The transaction outbox as the engine sees it. The database implements it (src/db); the engine only
 * depends on this contract, so its rules can be tested and reasoned about on their own.
 */

export type OutboxStatus = 'queued' | 'sent' | 'mined' | 'failed';

export interface OutboxRequest {
  chainId: number;
  worker: string;
  /** The step, e.g. `acceptStakeRequest`. (chainId, purpose, subject) is unique: one step of one subject is sent at most once. */
  purpose: string;
  /** What the step is about: a message hash, a stake request hash, a height. */
  subject: string;
  to: string;
  data: string;
  value: bigint;
  gas: bigint;
}

export interface OutboxRecord extends OutboxRequest {
  id: number;
  status: OutboxStatus;
  nonce: bigint | undefined;
  /** Fees of the latest broadcast. */
  fees: Fees | undefined;
  /** Hash of the latest broadcast (replacements change it). */
  txHash: string | undefined;
  /** Every hash broadcast for this record's nonce, oldest first (any of them may be mined). */
  txHashes: string[];
  /** Latest signed raw transaction, for re-broadcast after a restart. */
  rawTransaction: string | undefined;
  attempts: number;
  lastError: string | undefined;
  sentAt: number | undefined;
  /** Earliest time (ms) a queued record may be tried again after a transient failure. */
  notBefore: number | undefined;
  minedBlock: bigint | undefined;
  /** When it was queued (ms since the epoch), where the outbox keeps it: how long a step has waited. */
  createdAt?: number;
}

/** A transaction signed for a record, as persisted before its broadcast. */
export interface SignedTransaction {
  nonce: bigint;
  fees: Fees;
  txHash: string;
  rawTransaction: string;
}

export interface OutboxPort {
  /** Inserts the request unless (chainId, purpose, subject) exists; returns the record either way. */
  enqueue(request: OutboxRequest): Promise<{ record: OutboxRecord; created: boolean }>;
  get(id: number): Promise<OutboxRecord | undefined>;
  /** The record of one step of one subject, if it was ever queued. */
  find(chainId: number, purpose: string, subject: string): Promise<OutboxRecord | undefined>;
  /** Records of one purpose not yet final (queued or sent), oldest first. */
  unsettled(chainId: number, purpose: string): Promise<OutboxRecord[]>;
  /** Queued records of this worker on this chain that may be tried now, oldest first, at most `limit`. */
  queued(chainId: number, worker: string, now: number, limit: number): Promise<OutboxRecord[]>;
  /** Records broadcast and not yet final, by nonce. */
  inFlight(chainId: number, worker: string): Promise<OutboxRecord[]>;
  /**
   * Reserves the worker's next nonce: max(the stored next nonce, `chainPending`), then stores +1.
   * Atomic: two callers never get the same nonce.
   */
  reserveNonce(chainId: number, worker: string, chainPending: bigint): Promise<bigint>;
  /** Sets the worker's next nonce (after a resync from the chain and the persisted transactions). */
  resetNonce(chainId: number, worker: string, next: bigint): Promise<void>;
  /** Gives back `nonce` when it was the last one reserved and its transaction was never accepted by the node. */
  releaseNonce(chainId: number, worker: string, nonce: bigint): Promise<void>;
  /** Persists the signed transaction BEFORE it is broadcast, so a crash right after still knows its hash. */
  markSigned(id: number, signed: { nonce: bigint; fees: Fees; txHash: string; rawTransaction: string }): Promise<void>;
  /**
   * Reserves the worker's next nonces for `records`, in order, and persists the transaction `sign` makes
   * for each, in one write: a crash leaves all or none of them signed, and no nonce reserved without its
   * transaction. A record no longer queued (settled meanwhile) is skipped and takes no nonce. Returns what
   * was signed, in nonce order.
   */
  signInOrder(
    chainId: number,
    worker: string,
    records: OutboxRecord[],
    sign: (record: OutboxRecord, nonce: bigint) => Omit<SignedTransaction, 'nonce'>,
  ): Promise<Array<{ record: OutboxRecord; signed: SignedTransaction }>>;
  /**
   * Puts records signed but never broadcast back in the queue (their signed transactions forgotten) and
   * the worker's next nonce back to `nextNonce`: what follows a transaction the node refused must not
   * sit above the gap its refusal left.
   */
  unsign(chainId: number, worker: string, signed: Array<{ id: number; txHash: string }>, nextNonce: bigint): Promise<void>;
  /** Final outcome of a mined transaction: status `mined` when it succeeded, `failed` (with the error) when it reverted. */
  markMined(id: number, result: { txHash: string; blockNumber: bigint; success: boolean; error?: string }): Promise<void>;
  markFailed(id: number, error: string): Promise<void>;
  /** Not sent yet for a reason that is not a failure (fees above the cap): tried again not before `notBefore`, attempts unchanged. */
  defer(id: number, reason: string, notBefore: number): Promise<void>;
  /** A transient failure: back to queued, tried again not before `notBefore`. */
  markRetry(id: number, error: string, notBefore: number): Promise<void>;
  /** The worker's next nonce as stored (undefined before its first reservation). */
  storedNonce(chainId: number, worker: string): Promise<bigint | undefined>;
  /**
   * An operator's retry: a `failed` record is queued again as if new (no nonce, no hashes: a receipt of
   * its failed attempt must not settle the new one), `note` as its last error. False unless it was failed.
   */
  requeueFailed(id: number, note: string): Promise<boolean>;
  /** An operator gave its subject up: a record still `queued` (never signed) is failed with `reason`. False otherwise. */
  cancelQueued(id: number, reason: string): Promise<boolean>;
}
