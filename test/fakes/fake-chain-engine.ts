import { Subject } from 'rxjs';
import type { RpcReceipt } from '../../src/chain/chain-client';
import type { OutboxRecord, OutboxRequest } from '../../src/chain/tx-engine/outbox-port';
import type { TransactionOutcome } from '../../src/chain/tx-engine/transaction-engine';
import type { ChainEngine } from '../../src/facilitation/context';
import { MemoryOutbox } from './memory-outbox';

/**
 * The transaction engine port over the in-memory outbox: submit() queues (idempotent per purpose and
 * subject, as the real engine is), nothing is signed or sent; a test settles records with mine() /
 * fail(), which emit the outcome as the real engine does.
 */
export class FakeChainEngine implements ChainEngine {
  readonly outcomes$ = new Subject<TransactionOutcome>();
  readonly outbox = new MemoryOutbox();
  private readonly waiters = new Map<number, Array<(outcome: TransactionOutcome) => void>>();
  private readonly headListeners = new Set<(head: bigint) => void>();

  constructor(
    readonly chainId: number,
    private readonly workerAddresses: string[],
  ) {}

  onHead(listener: (head: bigint) => void): () => void {
    this.headListeners.add(listener);
    return () => this.headListeners.delete(listener);
  }

  /** A new block of this chain, as newHeads announces it. */
  announceHead(head: bigint): void {
    for (const listener of this.headListeners) listener(head);
  }

  workers(): string[] {
    return [...this.workerAddresses];
  }

  /** Every record queued on this chain, oldest first. */
  get records(): OutboxRecord[] {
    return this.outbox.all();
  }

  byPurpose(purpose: string): OutboxRecord[] {
    return this.records.filter((r) => r.purpose === purpose);
  }

  submit(request: Omit<OutboxRequest, 'chainId'>): Promise<{ record: OutboxRecord; created: boolean }> {
    return this.outbox.enqueue({ ...request, chainId: this.chainId });
  }

  find(purpose: string, subject: string): Promise<OutboxRecord | undefined> {
    return this.outbox.find(this.chainId, purpose, subject);
  }

  unsettled(purpose: string): Promise<OutboxRecord[]> {
    return this.outbox.unsettled(this.chainId, purpose);
  }

  async waitFor(id: number): Promise<TransactionOutcome> {
    const record = await this.outbox.get(id);
    if (record && (record.status === 'mined' || record.status === 'failed')) return { ...record, status: record.status };
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  async mine(record: OutboxRecord, receipt: Partial<RpcReceipt> & { transactionHash: string; blockNumber: string }): Promise<TransactionOutcome> {
    await this.outbox.markSigned(record.id, { nonce: BigInt(record.id), fees: { type: 'legacy', gasPrice: 1n }, txHash: receipt.transactionHash, rawTransaction: '0x' });
    await this.outbox.markMined(record.id, { txHash: receipt.transactionHash, blockNumber: BigInt(receipt.blockNumber), success: true });
    return this.emit(record.id, { status: '0x1', logs: [], ...receipt } as RpcReceipt);
  }

  async fail(record: OutboxRecord, error: string): Promise<TransactionOutcome> {
    await this.outbox.markFailed(record.id, error);
    return this.emit(record.id);
  }

  private async emit(id: number, receipt?: RpcReceipt): Promise<TransactionOutcome> {
    const record = (await this.outbox.get(id))!;
    const outcome = { ...record, receipt } as TransactionOutcome;
    this.outcomes$.next(outcome);
    for (const resolve of this.waiters.get(id) ?? []) resolve(outcome);
    this.waiters.delete(id);
    return outcome;
  }
}
