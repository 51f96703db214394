import type { Knex } from 'knex';
import { MessageStatus } from '../../mosaic/message-status';
import { hex, millis, nullableUint, Repository, uint, type Page, type Uint } from './scope';

export { MessageStatus };

/** Facilitation state of a message (same values as facilitation/model.ts). */
export const MESSAGE_STATES = ['ACCEPTING', 'DECLARED', 'CONFIRMING', 'CONFIRMED', 'COMPLETED', 'FAILED'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

export type MessageType = 'stake';

/**
 * One row of `messages`, WITHOUT the unlock secret: rows are what queries, change observables and
 * serializers hand out. The secret is read only through MessageRepository.unlockSecret().
 */
export interface MessageRow {
  messageHash: string;
  type: MessageType;
  stakeRequestHash: string;
  gateway: string;
  coGateway: string;
  /** The message sender: the staker's StakerProxy. */
  sender: string;
  staker: string;
  nonce: string;
  amount: string;
  beneficiary: string;
  gasPrice: string;
  gasLimit: string;
  hashLock: string;
  /** The worker that accepted (its bounty is locked until progressStake). */
  worker: string;
  /** Gateway outbox (source) and cogateway inbox (target) status. */
  sourceStatus: MessageStatus;
  targetStatus: MessageStatus;
  /** Origin block of StakeIntentDeclared (source declaration height). */
  declarationHeight: string | null;
  /** Origin height whose proof confirmed the intent. */
  confirmedHeight: string | null;
  state: MessageState;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewMessage {
  messageHash: string;
  type?: MessageType;
  stakeRequestHash: string;
  gateway: string;
  coGateway: string;
  sender: string;
  staker: string;
  nonce: Uint;
  amount: Uint;
  beneficiary: string;
  gasPrice: Uint;
  gasLimit: Uint;
  hashLock: string;
  /** 32-byte 0x-hex; stored, never returned in rows. */
  unlockSecret: string;
  worker: string;
  sourceStatus?: MessageStatus;
  targetStatus?: MessageStatus;
  declarationHeight?: Uint | null;
  confirmedHeight?: Uint | null;
  /** Default ACCEPTING. */
  state?: MessageState;
  reason?: string | null;
}

/** The fields that change as a message moves on. */
export interface MessagePatch {
  sourceStatus?: MessageStatus;
  targetStatus?: MessageStatus;
  declarationHeight?: Uint | null;
  confirmedHeight?: Uint | null;
  state?: MessageState;
  reason?: string | null;
  worker?: string;
}

interface Columns {
  message_hash: string;
  type: MessageType;
  stake_request_hash: string;
  gateway: string;
  cogateway: string;
  sender: string;
  staker: string;
  nonce: string;
  amount: string;
  beneficiary: string;
  gas_price: string;
  gas_limit: string;
  hash_lock: string;
  unlock_secret: string;
  worker: string;
  source_status: number;
  target_status: number;
  declaration_height: string | null;
  confirmed_height: string | null;
  state: MessageState;
  reason: string | null;
  created_at: number | string;
  updated_at: number | string;
}

const TABLE = 'messages';

/** Every column but the secret: the secret never leaves the database by accident. */
const PUBLIC_COLUMNS = [
  'message_hash', 'type', 'stake_request_hash', 'gateway', 'cogateway', 'sender', 'staker', 'nonce', 'amount',
  'beneficiary', 'gas_price', 'gas_limit', 'hash_lock', 'worker', 'source_status', 'target_status',
  'declaration_height', 'confirmed_height', 'state', 'reason', 'created_at', 'updated_at',
] as const;

function toRow(c: Omit<Columns, 'unlock_secret'>): MessageRow {
  return {
    messageHash: c.message_hash,
    type: c.type,
    stakeRequestHash: c.stake_request_hash,
    gateway: c.gateway,
    coGateway: c.cogateway,
    sender: c.sender,
    staker: c.staker,
    nonce: c.nonce,
    amount: c.amount,
    beneficiary: c.beneficiary,
    gasPrice: c.gas_price,
    gasLimit: c.gas_limit,
    hashLock: c.hash_lock,
    worker: c.worker,
    sourceStatus: Number(c.source_status) as MessageStatus,
    targetStatus: Number(c.target_status) as MessageStatus,
    declarationHeight: c.declaration_height,
    confirmedHeight: c.confirmed_height,
    state: c.state,
    reason: c.reason,
    createdAt: millis(c.created_at),
    updatedAt: millis(c.updated_at),
  };
}

function status(value: MessageStatus, field: string): number {
  if (!Number.isInteger(value) || MessageStatus[value] === undefined) throw new TypeError(`${field} must be a MessageStatus (0-4), got ${String(value)}`);
  return value;
}

function select(db: Knex | Knex.Transaction): Knex.QueryBuilder {
  return db(TABLE).select(...PUBLIC_COLUMNS);
}

async function read(db: Knex | Knex.Transaction, where: Partial<Columns>): Promise<MessageRow | undefined> {
  const c = (await select(db).where(where).first()) as Omit<Columns, 'unlock_secret'> | undefined;
  return c ? toRow(c) : undefined;
}

/** The `messages` table. */
export class MessageRepository extends Repository<MessageRow> {
  /** Inserts unless the message hash is known; `created` says which. */
  async insert(message: NewMessage): Promise<{ row: MessageRow; created: boolean }> {
    const secret = hex(message.unlockSecret, 'unlockSecret');
    if (secret.length !== 66) throw new TypeError('unlockSecret must be 32 bytes of 0x-hex');
    const columns: Omit<Columns, 'created_at' | 'updated_at'> = {
      message_hash: hex(message.messageHash, 'messageHash'),
      type: message.type ?? 'stake',
      stake_request_hash: hex(message.stakeRequestHash, 'stakeRequestHash'),
      gateway: hex(message.gateway, 'gateway'),
      cogateway: hex(message.coGateway, 'coGateway'),
      sender: hex(message.sender, 'sender'),
      staker: hex(message.staker, 'staker'),
      nonce: uint(message.nonce, 'nonce'),
      amount: uint(message.amount, 'amount'),
      beneficiary: hex(message.beneficiary, 'beneficiary'),
      gas_price: uint(message.gasPrice, 'gasPrice'),
      gas_limit: uint(message.gasLimit, 'gasLimit'),
      hash_lock: hex(message.hashLock, 'hashLock'),
      unlock_secret: secret,
      worker: hex(message.worker, 'worker'),
      source_status: status(message.sourceStatus ?? MessageStatus.Undeclared, 'sourceStatus'),
      target_status: status(message.targetStatus ?? MessageStatus.Undeclared, 'targetStatus'),
      declaration_height: nullableUint(message.declarationHeight, 'declarationHeight'),
      confirmed_height: nullableUint(message.confirmedHeight, 'confirmedHeight'),
      state: message.state ?? 'ACCEPTING',
      reason: message.reason ?? null,
    };
    return this.write<{ row: MessageRow; created: boolean }>(async (trx) => {
      const existing = await read(trx, { message_hash: columns.message_hash });
      if (existing) return { result: { row: existing, created: false }, changed: [] };
      const now = Date.now();
      await trx(TABLE).insert({ ...columns, created_at: now, updated_at: now });
      const row = (await read(trx, { message_hash: columns.message_hash }))!;
      return { result: { row, created: true }, changed: [row] };
    });
  }

  async get(messageHash: string): Promise<MessageRow | undefined> {
    return read(this.db, { message_hash: messageHash.toLowerCase() });
  }

  /** The unlock secret, for the progressStake/progressMint transactions only. Never log it. */
  async unlockSecret(messageHash: string): Promise<string | undefined> {
    const c = await this.db<Columns>(TABLE).select('unlock_secret').where({ message_hash: messageHash.toLowerCase() }).first();
    return c?.unlock_secret;
  }

  async forStakeRequest(stakeRequestHash: string): Promise<MessageRow | undefined> {
    return read(this.db, { stake_request_hash: stakeRequestHash.toLowerCase() });
  }

  /** Messages in any of `states`, oldest first. */
  async inStates(states: readonly MessageState[], limit?: number): Promise<MessageRow[]> {
    const query = select(this.db).whereIn('state', [...states]).orderBy('created_at').orderBy('message_hash');
    if (limit !== undefined) query.limit(limit);
    return ((await query) as Array<Omit<Columns, 'unlock_secret'>>).map(toRow);
  }

  /** Newest first, for the status API. */
  async list(filter: { state?: MessageState; staker?: string } = {}, page: Page = {}): Promise<MessageRow[]> {
    const query = select(this.db);
    if (filter.state) query.where('state', filter.state);
    if (filter.staker) query.where('staker', filter.staker.toLowerCase());
    const rows = await query.orderBy('created_at', 'desc').orderBy('message_hash').limit(page.first ?? 100).offset(page.skip ?? 0);
    return (rows as Array<Omit<Columns, 'unlock_secret'>>).map(toRow);
  }

  async countByState(): Promise<Array<{ state: MessageState; count: number }>> {
    const rows = (await this.db(TABLE).select('state').count({ count: '*' }).groupBy('state').orderBy('state')) as Array<{
      state: MessageState;
      count: number | string;
    }>;
    return rows.map((r) => ({ state: r.state, count: Number(r.count) }));
  }

  /**
   * Applies `patch` (read-modify-write in one transaction). `patch` may be a function of the current
   * row, e.g. to raise a status only upwards. Returns the row (undefined if unknown); emits only on change.
   */
  async update(messageHash: string, patch: MessagePatch | ((current: MessageRow) => MessagePatch)): Promise<MessageRow | undefined> {
    return this.write(async (trx) => {
      const current = await read(trx, { message_hash: messageHash.toLowerCase() });
      if (!current) return { result: undefined, changed: [] };
      const p = typeof patch === 'function' ? patch(current) : patch;
      const columns: Partial<Columns> = {};
      if (p.sourceStatus !== undefined) columns.source_status = status(p.sourceStatus, 'sourceStatus');
      if (p.targetStatus !== undefined) columns.target_status = status(p.targetStatus, 'targetStatus');
      if (p.declarationHeight !== undefined) columns.declaration_height = nullableUint(p.declarationHeight, 'declarationHeight');
      if (p.confirmedHeight !== undefined) columns.confirmed_height = nullableUint(p.confirmedHeight, 'confirmedHeight');
      if (p.state !== undefined) columns.state = p.state;
      if (p.reason !== undefined) columns.reason = p.reason;
      if (p.worker !== undefined) columns.worker = hex(p.worker, 'worker');
      const before: Record<string, unknown> = {
        source_status: current.sourceStatus,
        target_status: current.targetStatus,
        declaration_height: current.declarationHeight,
        confirmed_height: current.confirmedHeight,
        state: current.state,
        reason: current.reason,
        worker: current.worker,
      };
      const changes = Object.entries(columns).filter(([key, value]) => before[key] !== value);
      if (changes.length === 0) return { result: current, changed: [] };
      await trx(TABLE)
        .where({ message_hash: current.messageHash })
        .update({ ...Object.fromEntries(changes), updated_at: Date.now() });
      const row = (await read(trx, { message_hash: current.messageHash }))!;
      return { result: row, changed: [row] };
    });
  }
}
