import type { Fees } from '../../src/chain/fees';
import type { OutboxPort, OutboxRecord, OutboxRequest, SignedTransaction } from '../../src/chain/tx-engine/outbox-port';

/**
 * The OutboxPort in memory, for unit tests without a database. The outbox contract suite
 * (test/chain/tx-engine/outbox-contract.ts) holds it to what SqlOutbox does.
 */
export class MemoryOutbox implements OutboxPort {
  private readonly records: OutboxRecord[] = [];
  private readonly nonces = new Map<string, bigint>();

  async enqueue(request: OutboxRequest): Promise<{ record: OutboxRecord; created: boolean }> {
    const existing = this.records.find((r) => r.chainId === request.chainId && r.purpose === request.purpose && r.subject === request.subject);
    if (existing) return { record: { ...existing }, created: false };
    const record: OutboxRecord = {
      ...request,
      worker: request.worker.toLowerCase(),
      to: request.to.toLowerCase(),
      id: this.records.length + 1,
      status: 'queued',
      nonce: undefined,
      fees: undefined,
      txHash: undefined,
      txHashes: [],
      rawTransaction: undefined,
      attempts: 0,
      lastError: undefined,
      sentAt: undefined,
      notBefore: undefined,
      minedBlock: undefined,
    };
    this.records.push(record);
    return { record: { ...record }, created: true };
  }

  /** Every record, oldest first (tests read what was queued). */
  all(): OutboxRecord[] {
    return this.where(() => true);
  }

  async get(id: number): Promise<OutboxRecord | undefined> {
    return this.copy(this.records.find((r) => r.id === id));
  }

  async find(chainId: number, purpose: string, subject: string): Promise<OutboxRecord | undefined> {
    return this.copy(this.records.find((r) => r.chainId === chainId && r.purpose === purpose && r.subject === subject));
  }

  async unsettled(chainId: number, purpose: string): Promise<OutboxRecord[]> {
    return this.where((r) => r.chainId === chainId && r.purpose === purpose && (r.status === 'queued' || r.status === 'sent'));
  }

  async queued(chainId: number, worker: string, now: number, limit: number): Promise<OutboxRecord[]> {
    return this.where((r) => r.chainId === chainId && r.worker === worker && r.status === 'queued' && (r.notBefore === undefined || r.notBefore <= now)).slice(0, limit);
  }

  async inFlight(chainId: number, worker: string): Promise<OutboxRecord[]> {
    return this.where((r) => r.chainId === chainId && r.worker === worker && r.status === 'sent').sort((a, b) => Number(a.nonce! - b.nonce!));
  }

  async reserveNonce(chainId: number, worker: string, chainPending: bigint): Promise<bigint> {
    const stored = this.nonces.get(`${chainId}:${worker}`) ?? 0n;
    const nonce = stored > chainPending ? stored : chainPending;
    this.nonces.set(`${chainId}:${worker}`, nonce + 1n);
    return nonce;
  }

  async resetNonce(chainId: number, worker: string, next: bigint): Promise<void> {
    this.nonces.set(`${chainId}:${worker}`, next);
  }

  async releaseNonce(chainId: number, worker: string, nonce: bigint): Promise<void> {
    if (this.nonces.get(`${chainId}:${worker}`) === nonce + 1n) this.nonces.set(`${chainId}:${worker}`, nonce);
  }

  async markSigned(id: number, signed: { nonce: bigint; fees: Fees; txHash: string; rawTransaction: string }): Promise<void> {
    this.update(id, (r) => ({
      status: 'sent',
      nonce: signed.nonce,
      fees: signed.fees,
      txHash: signed.txHash,
      txHashes: r.txHashes.includes(signed.txHash) ? r.txHashes : [...r.txHashes, signed.txHash],
      rawTransaction: signed.rawTransaction,
      attempts: r.attempts + 1,
      sentAt: Date.now(),
    }));
  }

  async signInOrder(
    chainId: number,
    worker: string,
    records: OutboxRecord[],
    sign: (record: OutboxRecord, nonce: bigint) => Omit<SignedTransaction, 'nonce'>,
  ): Promise<Array<{ record: OutboxRecord; signed: SignedTransaction }>> {
    const key = `${chainId}:${worker}`;
    let next = this.nonces.get(key) ?? 0n;
    const done: Array<{ record: OutboxRecord; signed: SignedTransaction }> = [];
    for (const record of records) {
      if (this.records.find((r) => r.id === record.id)?.status !== 'queued') continue;
      const signed = { nonce: next, ...sign(record, next) };
      await this.markSigned(record.id, signed);
      done.push({ record: (await this.get(record.id))!, signed });
      next += 1n;
    }
    this.nonces.set(key, next);
    return done;
  }

  async unsign(chainId: number, worker: string, signed: Array<{ id: number; txHash: string }>, nextNonce: bigint): Promise<void> {
    for (const { id, txHash } of signed) {
      const current = this.records.find((r) => r.id === id);
      if (current?.status !== 'sent' || current.txHash !== txHash) continue;
      this.update(id, (r) => ({ status: 'queued', nonce: undefined, fees: undefined, txHash: undefined, txHashes: r.txHashes.filter((h) => h !== txHash), rawTransaction: undefined, sentAt: undefined }));
    }
    this.nonces.set(`${chainId}:${worker}`, nextNonce);
  }

  async markMined(id: number, result: { txHash: string; blockNumber: bigint; success: boolean; error?: string }): Promise<void> {
    this.update(id, () => ({ status: result.success ? 'mined' : 'failed', txHash: result.txHash, minedBlock: result.blockNumber, lastError: result.error }));
  }

  async markFailed(id: number, error: string): Promise<void> {
    this.update(id, () => ({ status: 'failed', lastError: error }));
  }

  async defer(id: number, reason: string, notBefore: number): Promise<void> {
    this.update(id, (r) => (r.status === 'queued' ? { lastError: reason, notBefore } : {}));
  }

  async markRetry(id: number, error: string, notBefore: number): Promise<void> {
    this.update(id, (r) => ({ status: 'queued', lastError: error, notBefore, attempts: r.attempts + 1 }));
  }

  async storedNonce(chainId: number, worker: string): Promise<bigint | undefined> {
    return this.nonces.get(`${chainId}:${worker}`);
  }

  async requeueFailed(id: number, note: string): Promise<boolean> {
    const record = this.records.find((r) => r.id === id);
    if (record?.status !== 'failed') return false;
    this.update(id, () => ({
      status: 'queued',
      nonce: undefined,
      fees: undefined,
      txHash: undefined,
      txHashes: [],
      rawTransaction: undefined,
      attempts: 0,
      lastError: note,
      sentAt: undefined,
      notBefore: undefined,
      minedBlock: undefined,
    }));
    return true;
  }

  async cancelQueued(id: number, reason: string): Promise<boolean> {
    const record = this.records.find((r) => r.id === id);
    if (record?.status !== 'queued') return false;
    this.update(id, () => ({ status: 'failed', lastError: reason }));
    return true;
  }

  private update(id: number, patch: (record: OutboxRecord) => Partial<OutboxRecord>): void {
    const index = this.records.findIndex((r) => r.id === id);
    if (index >= 0) this.records[index] = { ...this.records[index], ...patch(this.records[index]) };
  }

  private where(match: (record: OutboxRecord) => boolean): OutboxRecord[] {
    return this.records.filter(match).map((r) => ({ ...r }));
  }

  private copy(record: OutboxRecord | undefined): OutboxRecord | undefined {
    return record && { ...record };
  }
}
