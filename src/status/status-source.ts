import type { HistoryEntry } from '../facilitation/history';
import type { Observable } from 'rxjs';
import type { OutboxRecord } from '../chain/tx-engine/outbox-port';
import type { FeeCapWait, NonceResync } from '../chain/tx-engine/transaction-engine';
import type { EndpointStatus } from '../failover/endpoint-pool';
import type { Direction, MessageRecord, MessageState, StakeRequestRecord, StakeRequestState } from '../facilitation/model';
import type { Wait } from './waiting-for';

export interface Page {
  first: number;
  skip: number;
}

export interface WorkerStatus {
  chainId: number;
  address: string;
  balance: bigint;
  tokenBalance?: bigint;
  nonce?: bigint;
  pendingTransactions: OutboxRecord[];
}

export interface StreamStatus {
  name: string;
  /** The last block the stream has checked for its entities (whether or not it had any), as saved. */
  cursor?: number;
  subgraphHead?: number;
  /** Blocks below the subgraph head the stream waits for before acting (reorg safety; 0 with the embedded indexer). */
  confirmations?: number;
}

/**
 * Blocks the stream is behind what it may act on: the subgraph's head less the stream's confirmations,
 * minus the last block it checked. A quiet stream that keeps up shows 0. Unknown without both numbers.
 */
export function streamLag(stream: StreamStatus): number | undefined {
  if (stream.cursor === undefined || stream.subgraphHead === undefined) return undefined;
  return Math.max(0, stream.subgraphHead - (stream.confirmations ?? 0) - stream.cursor);
}

export interface EngineCounters {
  chainId: number;
  sent: number;
  failed: number;
  replaced: number;
  /** The chain's cap per gas, if configured. */
  maxFeePerGas?: bigint;
  /** What the cap holds back now (undefined when nothing waits for it). */
  feeCapWait?: FeeCapWait;
}

export interface ChainStatus extends EngineCounters {
  txType: 'eip1559' | 'legacy';
  /** The chain's JSON-RPC endpoints (redacted), preferred first; the active one marked. */
  rpcEndpoints: EndpointStatus[];
  /** How often the active JSON-RPC endpoint changed (a failover, or the return to the preferred one). */
  rpcFailovers: number;
}

/** A chain's JSON-RPC endpoints and how often the active one changed, by from and to (all redacted). */
export interface ChainEndpoints {
  chainId: number;
  endpoints: EndpointStatus[];
  switches: Array<{ from: string; to: string; count: number }>;
}

/** Which requests a list keeps (every field optional; `staker` is the staker or the redeemer, lowercase). */
export interface StakeRequestFilter {
  direction?: Direction;
  state?: StakeRequestState;
  staker?: string;
}

/** Which messages a list keeps (every field optional; `staker` is the staker or the redeemer, lowercase). */
export interface MessageFilter {
  direction?: Direction;
  state?: MessageState;
  staker?: string;
}

/** How many records of one direction are in one state (only counts above 0 are listed). */
export interface StateCount<State extends string> {
  direction: Direction;
  state: State;
  count: number;
  /** The gateway pair's auxiliary chain (`start --chains`: counts per pair); undefined when not known (standby). */
  auxChainId?: number;
}

/** The longest wait in one (record, direction, state): when the record waiting longest entered that state. */
export interface OldestWaiting {
  record: 'message' | 'request';
  direction: Direction;
  state: string;
  /** When it entered the state (ms since the epoch; its history, else the record's last update). */
  since: number;
}

/** Whether this instance sends (holds the lease) or stands by for the active one to stop. */
export type Role = 'active' | 'standby';

/** What the status API and the metrics read; implemented over the database, the engines and the streams. */
export interface StatusSource {
  /** Active (holds the lease, sends) or standby (waits for it; workers, chains and streams are then empty). */
  role(): Role;
  stakeRequest(stakeRequestHash: string): Promise<StakeRequestRecord | undefined>;
  /** Stake and redeem requests, newest first. */
  stakeRequests(filter: StakeRequestFilter, page: Page): Promise<StakeRequestRecord[]>;
  /** Requests by direction and state. */
  stakeRequestCounts(): Promise<Array<StateCount<StakeRequestState>>>;
  message(messageHash: string): Promise<MessageRecord | undefined>;
  /** Stake and redeem messages, newest first. */
  messages(filter: MessageFilter, page: Page): Promise<MessageRecord[]>;
  /** Messages by direction and state. */
  messageCounts(): Promise<Array<StateCount<MessageState>>>;
  /** How a request or message got where it is, oldest first. */
  history(hash: string): Promise<HistoryEntry[]>;
  /** What a message waits for, in one line (null in a final state). */
  waitingFor(message: MessageRecord): Promise<string | null>;
  /** Outbox records about a message (its own steps and the proof that covered it are keyed by subject). */
  transactionsFor(message: MessageRecord): Promise<OutboxRecord[]>;
  workers(): Promise<WorkerStatus[]>;
  streams(): Promise<StreamStatus[]>;
  engineCounters(): EngineCounters[];
  /** Each chain's JSON-RPC endpoints (empty while standing by). */
  rpcEndpoints(): ChainEndpoints[];
  /** Per chain: transaction type, counters, fee cap and what it holds back. */
  chains(): Promise<ChainStatus[]>;
  readonly messageChanges$: Observable<MessageRecord>;
  /** What a message waits for, with its kind and since when (null in a final state). */
  messageWait?(message: MessageRecord): Promise<Wait | null>;
  /** What a request waits for: REQUESTED, a worker and its accept; later, its message's wait (null once its part is over). */
  requestWait?(request: StakeRequestRecord): Promise<Wait | null>;
  /** Non-final messages and waiting requests (REQUESTED, ACCEPTING): the oldest per direction and state. */
  oldestWaiting?(): Promise<OldestWaiting[]>;
  /** Per chain: the native coin (wei) a worker needs to be given a step. */
  workerGasFloors?(): Array<{ chainId: number; minGasBalance: bigint }>;
}

/** What an operator's retry or abandon did: the message after it, and one line saying what was done. */
export interface AdminMessageResult {
  message: MessageRecord;
  summary: string;
}

/**
 * The admin actions (served on POST /admin only: loopback, bearer token; see src/server/admin-guard.ts).
 * `actor` says who asked, for the log and the history. A refusal is a UserInputError in one line.
 */
export interface AdminActions {
  /** A FAILED message taken up again, and/or its failed steps (`step`: one purpose, e.g. progressMint) queued again. */
  retryMessage(messageHash: string, step: string | undefined, actor: string): Promise<AdminMessageResult>;
  /** The message given up: ADMIN_ABANDONED (final), its queued steps cancelled, its secret kept. */
  abandonMessage(messageHash: string, reason: string, actor: string): Promise<AdminMessageResult>;
  /** A worker's next nonce reset from the chain (refused while any of its transactions is in flight). */
  resyncWorkerNonce(chainId: number, address: string, actor: string): Promise<NonceResync>;
}
