import type { Knex } from 'knex';
import { hex, millis, nullableHex, numericOrder, Repository, uint, type Page, type Uint } from './scope';

/** Lifecycle of a StakeRequested event in the facilitator (same values as facilitation/model.ts). */
export const STAKE_REQUEST_STATES = ['REQUESTED', 'ACCEPTING', 'ACCEPTED', 'REVOKED', 'REJECTED', 'IGNORED', 'TAKEN', 'FAILED'] as const;
export type StakeRequestState = (typeof STAKE_REQUEST_STATES)[number];

/** One row of `stake_requests`: uint256 values as decimal text, hashes and addresses lowercase. */
export interface StakeRequestRow {
  stakeRequestHash: string;
  /** Chain of the StakeRequested event; null in rows written before the column existed. */
  originChainId: number | null;
  composer: string;
  gateway: string;
  staker: string;
  stakerProxy: string;
  amount: string;
  beneficiary: string;
  gasPrice: string;
  gasLimit: string;
  nonce: string;
  /** Block and transaction of the StakeRequested event. */
  blockNumber: string;
  transactionHash: string;
  state: StakeRequestState;
  messageHash: string | null;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewStakeRequest {
  stakeRequestHash: string;
  originChainId?: number | null;
  composer: string;
  gateway: string;
  staker: string;
  stakerProxy: string;
  amount: Uint;
  beneficiary: string;
  gasPrice: Uint;
  gasLimit: Uint;
  nonce: Uint;
  blockNumber: Uint;
  transactionHash: string;
  /** Default REQUESTED. */
  state?: StakeRequestState;
  messageHash?: string | null;
  reason?: string | null;
}

interface Columns {
  stake_request_hash: string;
  origin_chain_id: number | null;
  composer: string;
  gateway: string;
  staker: string;
  staker_proxy: string;
  amount: string;
  beneficiary: string;
  gas_price: string;
  gas_limit: string;
  nonce: string;
  block_number: string;
  transaction_hash: string;
  state: StakeRequestState;
  message_hash: string | null;
  reason: string | null;
  created_at: number | string;
  updated_at: number | string;
}

const TABLE = 'stake_requests';

function toRow(c: Columns): StakeRequestRow {
  return {
    stakeRequestHash: c.stake_request_hash,
    originChainId: c.origin_chain_id === null ? null : Number(c.origin_chain_id),
    composer: c.composer,
    gateway: c.gateway,
    staker: c.staker,
    stakerProxy: c.staker_proxy,
    amount: c.amount,
    beneficiary: c.beneficiary,
    gasPrice: c.gas_price,
    gasLimit: c.gas_limit,
    nonce: c.nonce,
    blockNumber: c.block_number,
    transactionHash: c.transaction_hash,
    state: c.state,
    messageHash: c.message_hash,
    reason: c.reason,
    createdAt: millis(c.created_at),
    updatedAt: millis(c.updated_at),
  };
}

function toColumns(r: NewStakeRequest): Omit<Columns, 'created_at' | 'updated_at'> {
  return {
    stake_request_hash: hex(r.stakeRequestHash, 'stakeRequestHash'),
    origin_chain_id: r.originChainId ?? null,
    composer: hex(r.composer, 'composer'),
    gateway: hex(r.gateway, 'gateway'),
    staker: hex(r.staker, 'staker'),
    staker_proxy: hex(r.stakerProxy, 'stakerProxy'),
    amount: uint(r.amount, 'amount'),
    beneficiary: hex(r.beneficiary, 'beneficiary'),
    gas_price: uint(r.gasPrice, 'gasPrice'),
    gas_limit: uint(r.gasLimit, 'gasLimit'),
    nonce: uint(r.nonce, 'nonce'),
    block_number: uint(r.blockNumber, 'blockNumber'),
    transaction_hash: hex(r.transactionHash, 'transactionHash'),
    state: r.state ?? 'REQUESTED',
    message_hash: nullableHex(r.messageHash, 'messageHash'),
    reason: r.reason ?? null,
  };
}

async function read(db: Knex | Knex.Transaction, hash: string): Promise<StakeRequestRow | undefined> {
  const c = await db<Columns>(TABLE).where({ stake_request_hash: hash.toLowerCase() }).first();
  return c ? toRow(c) : undefined;
}

/** The `stake_requests` table. */
export class StakeRequestRepository extends Repository<StakeRequestRow> {
  /** Inserts unless the hash is known (events are replayed after restarts); `created` says which. */
  async insert(request: NewStakeRequest): Promise<{ row: StakeRequestRow; created: boolean }> {
    const columns = toColumns(request);
    return this.write<{ row: StakeRequestRow; created: boolean }>(async (trx) => {
      const existing = await read(trx, columns.stake_request_hash);
      if (existing) return { result: { row: existing, created: false }, changed: [] };
      const now = Date.now();
      await trx(TABLE).insert({ ...columns, created_at: now, updated_at: now });
      const row = (await read(trx, columns.stake_request_hash))!;
      return { result: { row, created: true }, changed: [row] };
    });
  }

  /**
   * Inserts, or overwrites the event fields of an existing row (createdAt kept); state, messageHash,
   * reason and originChainId are overwritten only when given.
   */
  async upsert(request: NewStakeRequest): Promise<StakeRequestRow> {
    const columns = toColumns(request);
    const optional = { state: request.state, message_hash: request.messageHash, reason: request.reason, origin_chain_id: request.originChainId };
    const merged: Partial<Columns> = { ...columns };
    for (const [key, given] of Object.entries(optional)) if (given === undefined) delete merged[key as keyof Columns];
    return this.write(async (trx) => {
      const now = Date.now();
      await trx(TABLE)
        .insert({ ...columns, created_at: now, updated_at: now })
        .onConflict('stake_request_hash')
        .merge({ ...merged, updated_at: now });
      const row = (await read(trx, columns.stake_request_hash))!;
      return { result: row, changed: [row] };
    });
  }

  async get(stakeRequestHash: string): Promise<StakeRequestRow | undefined> {
    return read(this.db, stakeRequestHash);
  }

  /** Requests in any of `states`, oldest event first (what the engine works through). */
  async inStates(states: readonly StakeRequestState[], limit?: number): Promise<StakeRequestRow[]> {
    const query = this.db<Columns>(TABLE)
      .whereIn('state', [...states])
      .orderByRaw(numericOrder('block_number'))
      .orderBy('stake_request_hash');
    if (limit !== undefined) query.limit(limit);
    return (await query).map(toRow);
  }

  /** Newest first, for the status API. */
  async list(filter: { state?: StakeRequestState; staker?: string } = {}, page: Page = {}): Promise<StakeRequestRow[]> {
    const query = this.db<Columns>(TABLE);
    if (filter.state) query.where('state', filter.state);
    if (filter.staker) query.where('staker', filter.staker.toLowerCase());
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('stake_request_hash')
      .limit(page.first ?? 100)
      .offset(page.skip ?? 0);
    return rows.map(toRow);
  }

  /**
   * Moves a request to `state` (with a reason and/or its message hash). Returns the row, or undefined
   * when the request is unknown; emits only when something changed.
   */
  async setState(
    stakeRequestHash: string,
    state: StakeRequestState,
    extra: { reason?: string | null; messageHash?: string | null } = {},
  ): Promise<StakeRequestRow | undefined> {
    return this.write(async (trx) => {
      const current = await read(trx, stakeRequestHash);
      if (!current) return { result: undefined, changed: [] };
      const next = {
        state,
        reason: extra.reason !== undefined ? extra.reason : current.reason,
        message_hash: extra.messageHash !== undefined ? nullableHex(extra.messageHash, 'messageHash') : current.messageHash,
      };
      if (next.state === current.state && next.reason === current.reason && next.message_hash === current.messageHash) {
        return { result: current, changed: [] };
      }
      await trx(TABLE).where({ stake_request_hash: current.stakeRequestHash }).update({ ...next, updated_at: Date.now() });
      const row = (await read(trx, current.stakeRequestHash))!;
      return { result: row, changed: [row] };
    });
  }
}
