import type { Knex } from 'knex';
import { hex, millis, nullableMillis, nullableUint, Repository, uint, type Uint } from './scope';

/**
 * queued: waiting for a nonce; sent: signed and broadcast (maybe re-sent with a higher gas price);
 * mined: included and succeeded; failed: reverted or given up; replaced: superseded by another record.
 */
export const TRANSACTION_STATUSES = ['queued', 'sent', 'mined', 'failed', 'replaced'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** One row of `transactions`, the outbox. (chainId, purpose, subject) is unique: one step of one message is sent once. */
export interface TransactionRow {
  id: number;
  chainId: number;
  worker: string;
  /** What the transaction does, e.g. 'acceptStakeRequest'. */
  purpose: string;
  /** What it is about: a message hash, a stake request hash, a height. */
  subject: string;
  to: string;
  data: string;
  value: string;
  gas: string;
  status: TransactionStatus;
  nonce: string | null;
  gasPrice: string | null;
  /** Hash of the latest signed version; txHashes holds every version sent (gas bumps). */
  txHash: string | null;
  txHashes: string[];
  rawTransaction: string | null;
  attempts: number;
  lastError: string | null;
  sentAt: number | null;
  /** Not to be sent before (retry backoff). */
  notBefore: number | null;
  minedBlock: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewTransaction {
  chainId: number;
  worker: string;
  purpose: string;
  subject: string;
  to: string;
  data: string;
  value?: Uint;
  gas: Uint;
}

export interface TransactionPatch {
  status?: TransactionStatus;
  nonce?: Uint | null;
  gasPrice?: Uint | null;
  txHash?: string | null;
  rawTransaction?: string | null;
  attempts?: number;
  /** Adds one to attempts (inside the same write, so concurrent callers do not lose counts). */
  countAttempt?: boolean;
  lastError?: string | null;
  sentAt?: number | null;
  notBefore?: number | null;
  minedBlock?: Uint | null;
}

interface Columns {
  id: number;
  chain_id: number;
  worker: string;
  purpose: string;
  subject: string;
  to_address: string;
  data: string;
  value: string;
  gas: string;
  status: TransactionStatus;
  nonce: string | null;
  gas_price: string | null;
  tx_hash: string | null;
  tx_hashes: string;
  raw_transaction: string | null;
  attempts: number;
  last_error: string | null;
  sent_at: number | string | null;
  not_before: number | string | null;
  mined_block: string | null;
  created_at: number | string;
  updated_at: number | string;
}

const TABLE = 'transactions';

function toRow(c: Columns): TransactionRow {
  return {
    id: Number(c.id),
    chainId: Number(c.chain_id),
    worker: c.worker,
    purpose: c.purpose,
    subject: c.subject,
    to: c.to_address,
    data: c.data,
    value: c.value,
    gas: c.gas,
    status: c.status,
    nonce: c.nonce,
    gasPrice: c.gas_price,
    txHash: c.tx_hash,
    txHashes: JSON.parse(c.tx_hashes) as string[],
    rawTransaction: c.raw_transaction,
    attempts: Number(c.attempts),
    lastError: c.last_error,
    sentAt: nullableMillis(c.sent_at),
    notBefore: nullableMillis(c.not_before),
    minedBlock: c.mined_block,
    createdAt: millis(c.created_at),
    updatedAt: millis(c.updated_at),
  };
}

async function readById(db: Knex | Knex.Transaction, id: number): Promise<TransactionRow | undefined> {
  const c = await db<Columns>(TABLE).where({ id }).first();
  return c ? toRow(c) : undefined;
}

/** The `transactions` table (the outbox). */
export class TransactionRepository extends Repository<TransactionRow> {
  /**
   * Queues a transaction unless one with the same (chainId, purpose, subject) exists, in which case
   * that one is returned with created=false. The database enforces the uniqueness too.
   */
  async enqueue(tx: NewTransaction): Promise<{ row: TransactionRow; created: boolean }> {
    const key = { chain_id: tx.chainId, purpose: tx.purpose, subject: tx.subject };
    const columns = {
      ...key,
      worker: hex(tx.worker, 'worker'),
      to_address: hex(tx.to, 'to'),
      data: hex(tx.data, 'data'),
      value: uint(tx.value ?? 0n, 'value'),
      gas: uint(tx.gas, 'gas'),
    };
    return this.write<{ row: TransactionRow; created: boolean }>(async (trx) => {
      const existing = await trx<Columns>(TABLE).where(key).first();
      if (existing) return { result: { row: toRow(existing), created: false }, changed: [] };
      const now = Date.now();
      await trx(TABLE).insert({ ...columns, status: 'queued', tx_hashes: '[]', attempts: 0, created_at: now, updated_at: now });
      const row = toRow((await trx<Columns>(TABLE).where(key).first())!);
      return { result: { row, created: true }, changed: [row] };
    });
  }

  async get(id: number): Promise<TransactionRow | undefined> {
    return readById(this.db, id);
  }

  async bySubject(chainId: number, purpose: string, subject: string): Promise<TransactionRow | undefined> {
    const c = await this.db<Columns>(TABLE).where({ chain_id: chainId, purpose, subject }).first();
    return c ? toRow(c) : undefined;
  }

  /** A worker's queued and sent transactions on a chain, in queue order. */
  async pendingForWorker(chainId: number, worker: string): Promise<TransactionRow[]> {
    const rows = await this.db<Columns>(TABLE)
      .where({ chain_id: chainId, worker: worker.toLowerCase() })
      .whereIn('status', ['queued', 'sent'])
      .orderBy('id');
    return rows.map(toRow);
  }

  /** Transactions in any of `statuses`, optionally of one chain and/or worker, in queue order. */
  async inStatuses(statuses: readonly TransactionStatus[], filter: { chainId?: number; worker?: string } = {}): Promise<TransactionRow[]> {
    const query = this.db<Columns>(TABLE).whereIn('status', [...statuses]);
    if (filter.chainId !== undefined) query.where('chain_id', filter.chainId);
    if (filter.worker !== undefined) query.where('worker', filter.worker.toLowerCase());
    return (await query.orderBy('id')).map(toRow);
  }

  /** Applies `patch`; a new txHash is also appended to txHashes. Returns the row (undefined if unknown). */
  async update(id: number, patch: TransactionPatch): Promise<TransactionRow | undefined> {
    return this.write(async (trx) => {
      const current = await readById(trx, id);
      if (!current) return { result: undefined, changed: [] };
      const columns: Partial<Columns> = {};
      if (patch.status !== undefined) {
        if (!TRANSACTION_STATUSES.includes(patch.status)) throw new TypeError(`unknown transaction status ${String(patch.status)}`);
        columns.status = patch.status;
      }
      if (patch.nonce !== undefined) columns.nonce = nullableUint(patch.nonce, 'nonce');
      if (patch.gasPrice !== undefined) columns.gas_price = nullableUint(patch.gasPrice, 'gasPrice');
      if (patch.txHash !== undefined) {
        columns.tx_hash = patch.txHash === null ? null : hex(patch.txHash, 'txHash');
        if (columns.tx_hash && !current.txHashes.includes(columns.tx_hash)) columns.tx_hashes = JSON.stringify([...current.txHashes, columns.tx_hash]);
      }
      if (patch.rawTransaction !== undefined) columns.raw_transaction = patch.rawTransaction;
      if (patch.attempts !== undefined) columns.attempts = patch.attempts;
      if (patch.countAttempt) columns.attempts = (columns.attempts ?? current.attempts) + 1;
      if (patch.lastError !== undefined) columns.last_error = patch.lastError;
      if (patch.sentAt !== undefined) columns.sent_at = patch.sentAt;
      if (patch.notBefore !== undefined) columns.not_before = patch.notBefore;
      if (patch.minedBlock !== undefined) columns.mined_block = nullableUint(patch.minedBlock, 'minedBlock');
      await trx(TABLE).where({ id }).update({ ...columns, updated_at: Date.now() });
      const row = (await readById(trx, id))!;
      return { result: row, changed: [row] };
    });
  }

  /** Signed and broadcast (again): records nonce, price and hash, counts the attempt. */
  async markSent(id: number, sent: { nonce: Uint; gasPrice: Uint; txHash: string; rawTransaction: string }): Promise<TransactionRow | undefined> {
    return this.update(id, { ...sent, status: 'sent', countAttempt: true, sentAt: Date.now() });
  }

  async markMined(id: number, mined: { txHash: string; blockNumber: Uint; success: boolean; error?: string }): Promise<TransactionRow | undefined> {
    return this.update(id, {
      status: mined.success ? 'mined' : 'failed',
      txHash: mined.txHash,
      minedBlock: mined.blockNumber,
      lastError: mined.error ?? null,
    });
  }

  async markFailed(id: number, error: string): Promise<TransactionRow | undefined> {
    return this.update(id, { status: 'failed', lastError: error });
  }
}
