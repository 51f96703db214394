import { assertFence, FencedError, type Fence } from '../../db/fence';
import { forWrite } from '../../db/row-lock';
import type { Knex } from 'knex';
import type { Fees } from '../fees';
import type { OutboxPort, OutboxRecord, OutboxRequest, OutboxStatus, SignedTransaction } from './outbox-port';
import { withStoreErrors } from '../../db/store-error';

interface TransactionRow {
  id: number;
  chain_id: number;
  worker: string;
  purpose: string;
  subject: string;
  to_address: string;
  data: string;
  value: string;
  gas: string;
  status: OutboxStatus;
  nonce: string | null;
  gas_price: string | null;
  tx_type: number | null;
  max_priority_fee_per_gas: string | null;
  tx_hash: string | null;
  tx_hashes: string;
  raw_transaction: string | null;
  attempts: number;
  last_error: string | null;
  sent_at: number | string | null;
  not_before: number | string | null;
  mined_block: string | null;
  created_at: number | string;
}

function feesOf(row: TransactionRow): Fees | undefined {
  if (row.gas_price === null) return undefined;
  if (Number(row.tx_type) === 2 && row.max_priority_fee_per_gas !== null) {
    return { type: 'eip1559', maxFeePerGas: BigInt(row.gas_price), maxPriorityFeePerGas: BigInt(row.max_priority_fee_per_gas) };
  }
  return { type: 'legacy', gasPrice: BigInt(row.gas_price) };
}

function feeColumns(fees: Fees): Pick<TransactionRow, 'gas_price' | 'tx_type' | 'max_priority_fee_per_gas'> {
  return fees.type === 'eip1559'
    ? { gas_price: fees.maxFeePerGas.toString(), tx_type: 2, max_priority_fee_per_gas: fees.maxPriorityFeePerGas.toString() }
    : { gas_price: fees.gasPrice.toString(), tx_type: 0, max_priority_fee_per_gas: null };
}

/** The columns of a record once its signed transaction is persisted (status `sent`). */
function sentColumns(signed: SignedTransaction, hashes: string[], attempts: number | Knex.Raw, now: number): Record<string, unknown> {
  return {
    status: 'sent',
    nonce: signed.nonce.toString(),
    ...feeColumns(signed.fees),
    tx_hash: signed.txHash,
    tx_hashes: JSON.stringify(hashes),
    raw_transaction: signed.rawTransaction,
    attempts,
    sent_at: now,
    updated_at: now,
  };
}

function toRecord(row: TransactionRow): OutboxRecord {
  return {
    id: Number(row.id),
    chainId: Number(row.chain_id),
    worker: row.worker,
    purpose: row.purpose,
    subject: row.subject,
    to: row.to_address,
    data: row.data,
    value: BigInt(row.value),
    gas: BigInt(row.gas),
    status: row.status,
    nonce: row.nonce === null ? undefined : BigInt(row.nonce),
    fees: feesOf(row),
    txHash: row.tx_hash ?? undefined,
    txHashes: JSON.parse(row.tx_hashes) as string[],
    rawTransaction: row.raw_transaction ?? undefined,
    attempts: Number(row.attempts),
    lastError: row.last_error ?? undefined,
    sentAt: row.sent_at === null ? undefined : Number(row.sent_at),
    notBefore: row.not_before === null ? undefined : Number(row.not_before),
    minedBlock: row.mined_block === null ? undefined : BigInt(row.mined_block),
    createdAt: Number(row.created_at),
  };
}

export interface SqlOutboxOptions {
  /**
   * The lease this process writes under (active/standby): every nonce change and signed transaction is
   * written only while its epoch is current (FencedError otherwise). None: no check (one process).
   */
  fence?: () => Fence | undefined;
}

/** The transaction outbox in the `transactions` and `worker_nonces` tables. */
export class SqlOutbox implements OutboxPort {
  constructor(
    private readonly knex: Knex,
    private readonly options: SqlOutboxOptions = {},
  ) {}

  /** Throws FencedError when this process's lease was taken over (see SqlOutboxOptions.fence). */
  private async fenced(trx: Knex.Transaction): Promise<void> {
    if (!this.options.fence) return;
    const fence = this.options.fence();
    if (!fence) throw new FencedError({ key: 'none', epoch: -1n }, undefined);
    await assertFence(trx, fence);
  }

  /** Throws FencedError unless this process may still broadcast (checked before every broadcast). */
  async assertMayBroadcast(): Promise<void> {
    if (!this.options.fence) return;
    await withStoreErrors('outbox.assertMayBroadcast', () => this.knex.transaction((trx) => this.fenced(trx)));
  }

  /**
   * One statement when the step is new (INSERT … ON CONFLICT DO NOTHING RETURNING), two when it exists:
   * under load every step was a transaction of four statements (read, insert, read back).
   */
  async enqueue(request: OutboxRequest): Promise<{ record: OutboxRecord; created: boolean }> {
    return withStoreErrors('outbox.enqueue', async () => {
      const key = { chain_id: request.chainId, purpose: request.purpose, subject: request.subject };
      const now = Date.now();
      const inserted: TransactionRow[] = await this.knex('transactions')
        .insert({
          ...key,
          worker: request.worker.toLowerCase(),
          to_address: request.to.toLowerCase(),
          data: request.data,
          value: request.value.toString(),
          gas: request.gas.toString(),
          status: 'queued',
          tx_hashes: '[]',
          attempts: 0,
          created_at: now,
          updated_at: now,
        })
        .onConflict(['chain_id', 'purpose', 'subject'])
        .ignore()
        .returning('*');
      if (inserted.length > 0) return { record: toRecord(inserted[0]), created: true };
      const existing = (await this.knex<TransactionRow>('transactions').where(key).first())!;
      return { record: toRecord(existing), created: false };
    });
  }

  async get(id: number): Promise<OutboxRecord | undefined> {
    return withStoreErrors('outbox.get', async () => {
      const row = await this.knex<TransactionRow>('transactions').where({ id }).first();
      return row ? toRecord(row) : undefined;
    });
  }

  async find(chainId: number, purpose: string, subject: string): Promise<OutboxRecord | undefined> {
    return withStoreErrors('outbox.find', async () => {
      const row = await this.knex<TransactionRow>('transactions').where({ chain_id: chainId, purpose, subject }).first();
      return row ? toRecord(row) : undefined;
    });
  }

  async unsettled(chainId: number, purpose: string): Promise<OutboxRecord[]> {
    return withStoreErrors('outbox.unsettled', async () => {
      const rows = await this.knex<TransactionRow>('transactions').where({ chain_id: chainId, purpose }).whereIn('status', ['queued', 'sent']).orderBy('id');
      return rows.map(toRecord);
    });
  }

  async queued(chainId: number, worker: string, now: number, limit: number): Promise<OutboxRecord[]> {
    return withStoreErrors('outbox.queued', async () => {
      const rows = await this.knex<TransactionRow>('transactions')
        .where({ chain_id: chainId, worker, status: 'queued' })
        .andWhere((q) => q.whereNull('not_before').orWhere('not_before', '<=', now))
        .orderBy('id')
        .limit(limit);
      return rows.map(toRecord);
    });
  }

  async inFlight(chainId: number, worker: string): Promise<OutboxRecord[]> {
    return withStoreErrors('outbox.inFlight', async () => {
      const rows = await this.knex<TransactionRow>('transactions').where({ chain_id: chainId, worker, status: 'sent' }).orderBy('id');
      return rows.map(toRecord).sort((a, b) => (a.nonce! < b.nonce! ? -1 : a.nonce! > b.nonce! ? 1 : 0));
    });
  }

  /** Every record, newest first, optionally restricted (status API). */
  async list(filter: { chainId?: number; worker?: string; status?: OutboxStatus[]; subjectLike?: string[] } = {}): Promise<OutboxRecord[]> {
    return withStoreErrors('outbox.list', async () => {
      const query = this.knex<TransactionRow>('transactions');
      if (filter.chainId !== undefined) query.where('chain_id', filter.chainId);
      if (filter.worker) query.where('worker', filter.worker);
      if (filter.status) query.whereIn('status', filter.status);
      if (filter.subjectLike) {
        const patterns = filter.subjectLike;
        query.andWhere((q) => {
          for (const pattern of patterns) q.orWhere('subject', 'like', pattern);
        });
      }
      return (await query.orderBy('id', 'desc')).map(toRecord);
    });
  }

  async reserveNonce(chainId: number, worker: string, chainPending: bigint): Promise<bigint> {
    return withStoreErrors('outbox.reserveNonce', async () => {
      return this.knex.transaction(async (trx) => {
        await this.fenced(trx);
        // The row exists before it is locked: two first reservations at once then wait for each other (a
        // concurrent insert of the same key waits for the first to commit) instead of one failing.
        await trx('worker_nonces').insert({ chain_id: chainId, worker, next_nonce: '0' }).onConflict(['chain_id', 'worker']).ignore();
        const row = await forWrite(trx, trx('worker_nonces').where({ chain_id: chainId, worker })).first();
        const stored = BigInt(row.next_nonce);
        const nonce = stored > chainPending ? stored : chainPending;
        await trx('worker_nonces').where({ chain_id: chainId, worker }).update({ next_nonce: (nonce + 1n).toString() });
        return nonce;
      });
    });
  }

  async resetNonce(chainId: number, worker: string, next: bigint): Promise<void> {
    return withStoreErrors('outbox.resetNonce', async () => {
      await this.knex.transaction(async (trx) => {
        await this.fenced(trx);
        await trx('worker_nonces').insert({ chain_id: chainId, worker, next_nonce: next.toString() }).onConflict(['chain_id', 'worker']).merge(['next_nonce']);
      });
    });
  }

  async releaseNonce(chainId: number, worker: string, nonce: bigint): Promise<void> {
    return withStoreErrors('outbox.releaseNonce', async () => {
      await this.knex.transaction(async (trx) => {
        await this.fenced(trx);
        await trx('worker_nonces')
          .where({ chain_id: chainId, worker, next_nonce: (nonce + 1n).toString() })
          .update({ next_nonce: nonce.toString() });
      });
    });
  }

  async storedNonce(chainId: number, worker: string): Promise<bigint | undefined> {
    return withStoreErrors('outbox.storedNonce', async () => {
      const row = await this.knex('worker_nonces').where({ chain_id: chainId, worker }).first();
      return row ? BigInt(row.next_nonce) : undefined;
    });
  }

  async markSigned(id: number, signed: { nonce: bigint; fees: Fees; txHash: string; rawTransaction: string }): Promise<void> {
    return withStoreErrors('outbox.markSigned', async () => {
      await this.knex.transaction(async (trx) => {
        await this.fenced(trx); // a signed transaction is persisted (then broadcast) only under the current epoch
        const row = (await trx<TransactionRow>('transactions').where({ id }).first())!;
        const hashes = JSON.parse(row.tx_hashes) as string[];
        if (!hashes.includes(signed.txHash)) hashes.push(signed.txHash);
        await trx('transactions')
          .where({ id })
          .update(sentColumns(signed, hashes, Number(row.attempts) + 1, Date.now()));
      });
    });
  }

  async signInOrder(
    chainId: number,
    worker: string,
    records: OutboxRecord[],
    sign: (record: OutboxRecord, nonce: bigint) => Omit<SignedTransaction, 'nonce'>,
  ): Promise<Array<{ record: OutboxRecord; signed: SignedTransaction }>> {
    return withStoreErrors('outbox.signInOrder', async () => {
      return this.knex.transaction(async (trx) => {
        await this.fenced(trx); // signed transactions are persisted (then broadcast) only under the current epoch
        await trx('worker_nonces').insert({ chain_id: chainId, worker, next_nonce: '0' }).onConflict(['chain_id', 'worker']).ignore();
        const row = await forWrite(trx, trx('worker_nonces').where({ chain_id: chainId, worker })).first();
        let next = BigInt(row.next_nonce);
        const done: Array<{ record: OutboxRecord; signed: SignedTransaction }> = [];
        for (const record of records) {
          const signed = { nonce: next, ...sign(record, next) };
          const hashes = record.txHashes.includes(signed.txHash) ? record.txHashes : [...record.txHashes, signed.txHash];
          const now = Date.now();
          const updated = await trx('transactions')
            .where({ id: record.id, status: 'queued' })
            .update(sentColumns(signed, hashes, trx.raw('attempts + 1'), now));
          if (Number(updated) === 0) continue; // settled meanwhile: its nonce goes to the next one
          done.push({ record: { ...record, status: 'sent', nonce: signed.nonce, fees: signed.fees, txHash: signed.txHash, txHashes: hashes, rawTransaction: signed.rawTransaction, attempts: record.attempts + 1, sentAt: now }, signed });
          next += 1n;
        }
        await trx('worker_nonces').where({ chain_id: chainId, worker }).update({ next_nonce: next.toString() });
        return done;
      });
    });
  }

  async unsign(chainId: number, worker: string, signed: Array<{ id: number; txHash: string }>, nextNonce: bigint): Promise<void> {
    return withStoreErrors('outbox.unsign', async () => {
      await this.knex.transaction(async (trx) => {
        await this.fenced(trx);
        for (const { id, txHash } of signed) {
          const row = await trx<TransactionRow>('transactions').where({ id, status: 'sent', tx_hash: txHash }).first();
          if (!row) continue;
          const hashes = (JSON.parse(row.tx_hashes) as string[]).filter((hash) => hash !== txHash);
          await trx('transactions')
            .where({ id })
            .update({ status: 'queued', nonce: null, gas_price: null, tx_type: null, max_priority_fee_per_gas: null, tx_hash: null, tx_hashes: JSON.stringify(hashes), raw_transaction: null, sent_at: null, updated_at: Date.now() });
        }
        await trx('worker_nonces').where({ chain_id: chainId, worker }).update({ next_nonce: nextNonce.toString() });
      });
    });
  }

  async markMined(id: number, result: { txHash: string; blockNumber: bigint; success: boolean; error?: string }): Promise<void> {
    return withStoreErrors('outbox.markMined', async () => {
      await this.knex('transactions')
        .where({ id })
        .update({
          status: result.success ? 'mined' : 'failed',
          tx_hash: result.txHash,
          mined_block: result.blockNumber.toString(),
          last_error: result.error ?? null,
          updated_at: Date.now(),
        });
    });
  }

  async markFailed(id: number, error: string): Promise<void> {
    return withStoreErrors('outbox.markFailed', async () => {
      await this.knex('transactions').where({ id }).update({ status: 'failed', last_error: error, updated_at: Date.now() });
    });
  }

  async defer(id: number, reason: string, notBefore: number): Promise<void> {
    return withStoreErrors('outbox.defer', async () => {
      await this.knex('transactions').where({ id, status: 'queued' }).update({ last_error: reason, not_before: notBefore, updated_at: Date.now() });
    });
  }

  async requeueFailed(id: number, note: string): Promise<boolean> {
    return withStoreErrors('outbox.requeueFailed', async () => {
      return this.knex.transaction(async (trx) => {
        await this.fenced(trx); // a deposed process must not make work for the active one's engine
        const updated = await trx('transactions')
          .where({ id, status: 'failed' })
          .update({
            status: 'queued',
            nonce: null,
            gas_price: null,
            tx_type: null,
            max_priority_fee_per_gas: null,
            tx_hash: null,
            tx_hashes: '[]',
            raw_transaction: null,
            attempts: 0,
            last_error: note,
            sent_at: null,
            not_before: null,
            mined_block: null,
            updated_at: Date.now(),
          });
        return Number(updated) > 0;
      });
    });
  }

  async cancelQueued(id: number, reason: string): Promise<boolean> {
    return withStoreErrors('outbox.cancelQueued', async () => {
      const updated = await this.knex('transactions').where({ id, status: 'queued' }).update({ status: 'failed', last_error: reason, updated_at: Date.now() });
      return Number(updated) > 0;
    });
  }

  async markRetry(id: number, error: string, notBefore: number): Promise<void> {
    return withStoreErrors('outbox.markRetry', async () => {
      await this.knex('transactions')
        .where({ id })
        .update({ status: 'queued', last_error: error, not_before: notBefore, attempts: this.knex.raw('attempts + 1'), updated_at: Date.now() });
    });
  }
}
