import type { Observable } from 'rxjs';
import type { OutboxRecord } from '../chain/tx-engine/outbox-port';
import type { FeeCapWait } from '../chain/tx-engine/transaction-engine';
import type { MessageRecord, MessageState, StakeRequestRecord, StakeRequestState } from '../facilitation/model';

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
  cursor?: number;
  subgraphHead?: number;
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
}

/** What the status API and the metrics read; implemented over the database, the engines and the streams. */
export interface StatusSource {
  stakeRequest(stakeRequestHash: string): Promise<StakeRequestRecord | undefined>;
  stakeRequests(filter: { state?: StakeRequestState; staker?: string }, page: Page): Promise<StakeRequestRecord[]>;
  message(messageHash: string): Promise<MessageRecord | undefined>;
  messages(filter: { state?: MessageState; staker?: string }, page: Page): Promise<MessageRecord[]>;
  messageCounts(): Promise<Array<{ state: MessageState; count: number }>>;
  /** Outbox records about a message (its own steps and the proof that covered it are keyed by subject). */
  transactionsFor(message: MessageRecord): Promise<OutboxRecord[]>;
  workers(): Promise<WorkerStatus[]>;
  streams(): Promise<StreamStatus[]>;
  engineCounters(): EngineCounters[];
  /** Per chain: transaction type, counters, fee cap and what it holds back. */
  chains(): Promise<ChainStatus[]>;
  readonly messageChanges$: Observable<MessageRecord>;
}
