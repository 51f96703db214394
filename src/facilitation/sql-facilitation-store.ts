import type { Knex } from 'knex';
import { Subject } from 'rxjs';
import type { MessageStatus } from '../mosaic/message-status';
import {
  deriveMessageState,
  type AnchorRecord,
  type FacilitationChange,
  type GatewayRecord,
  type MessageRecord,
  type MessageState,
  type StakeRequestRecord,
  type StakeRequestState,
} from './model';
import type { FacilitationStore } from './store-port';

interface StakeRequestRow {
  stake_request_hash: string;
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
  created_at: number;
  updated_at: number;
}

interface MessageRow {
  message_hash: string;
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
  created_at: number;
  updated_at: number;
}

/** States a stake request never leaves. */
const FINAL_REQUEST_STATES: ReadonlySet<StakeRequestState> = new Set(['ACCEPTED', 'REVOKED', 'REJECTED', 'IGNORED', 'TAKEN', 'ORPHANED', 'FAILED']);
/** The composer's own word on a request's end (StakeRevoked, StakeRejected)... */
const ON_CHAIN_CLOSURES: ReadonlySet<StakeRequestState> = new Set(['REVOKED', 'REJECTED']);
/** ...replaces these final states, which only say the facilitator did not (or could not) take it. */
const EXPLAINED_BY_CLOSURE: ReadonlySet<StakeRequestState> = new Set(['TAKEN', 'IGNORED', 'FAILED']);
/** Requests a reorg may take back from the facilitator (not the composer's own closures, not IGNORED). */
const LOSABLE_REQUEST_STATES: readonly StakeRequestState[] = ['REQUESTED', 'ACCEPTING', 'ACCEPTED', 'TAKEN', 'ORPHANED', 'FAILED'];
/** Messages a reorg may send back: not confirmed on the auxiliary chain, no confirmStakeIntent under way. */
const REOPENABLE_MESSAGE_STATES: readonly MessageState[] = ['ACCEPTING', 'DECLARED', 'ABANDONED'];

const optionalBig = (value: string | null): bigint | undefined => (value === null ? undefined : BigInt(value));

function toStakeRequest(row: StakeRequestRow): StakeRequestRecord {
  return {
    stakeRequestHash: row.stake_request_hash,
    composer: row.composer,
    gateway: row.gateway,
    staker: row.staker,
    stakerProxy: row.staker_proxy,
    amount: BigInt(row.amount),
    beneficiary: row.beneficiary,
    gasPrice: BigInt(row.gas_price),
    gasLimit: BigInt(row.gas_limit),
    nonce: BigInt(row.nonce),
    blockNumber: BigInt(row.block_number),
    transactionHash: row.transaction_hash,
    state: row.state,
    messageHash: row.message_hash ?? undefined,
    reason: row.reason ?? undefined,
  };
}

function toMessage(row: MessageRow): MessageRecord {
  return {
    messageHash: row.message_hash,
    stakeRequestHash: row.stake_request_hash,
    gateway: row.gateway,
    coGateway: row.cogateway,
    sender: row.sender,
    staker: row.staker,
    nonce: BigInt(row.nonce),
    amount: BigInt(row.amount),
    beneficiary: row.beneficiary,
    gasPrice: BigInt(row.gas_price),
    gasLimit: BigInt(row.gas_limit),
    hashLock: row.hash_lock,
    unlockSecret: row.unlock_secret,
    worker: row.worker,
    sourceStatus: row.source_status as MessageStatus,
    targetStatus: row.target_status as MessageStatus,
    declarationHeight: optionalBig(row.declaration_height),
    confirmedHeight: optionalBig(row.confirmed_height),
    state: row.state,
    reason: row.reason ?? undefined,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * FacilitationStore over Knex (SQLite by default). Writes that belong together run in one transaction;
 * change notifications go out only after the commit.
 */
export class SqlFacilitationStore implements FacilitationStore {
  private readonly changes = new Subject<FacilitationChange>();
  readonly changes$ = this.changes.asObservable();

  constructor(private readonly knex: Knex) {}

  // ---- stake requests ----

  async recordStakeRequest(request: StakeRequestRecord): Promise<StakeRequestRecord> {
    const now = Date.now();
    const outcome = await this.knex.transaction(async (trx): Promise<'created' | 'revived' | 'kept'> => {
      const existing = await trx<StakeRequestRow>('stake_requests').where({ stake_request_hash: request.stakeRequestHash }).first();
      if (existing?.state === 'ORPHANED') {
        await this.reviveOrphaned(trx, request, now);
        return 'revived';
      }
      if (existing) return 'kept';
      const closure = await trx('stake_request_closures').where({ stake_request_hash: request.stakeRequestHash }).first();
      await trx('stake_requests').insert({
        stake_request_hash: request.stakeRequestHash,
        composer: request.composer,
        gateway: request.gateway,
        staker: request.staker,
        staker_proxy: request.stakerProxy,
        amount: request.amount.toString(),
        beneficiary: request.beneficiary,
        gas_price: request.gasPrice.toString(),
        gas_limit: request.gasLimit.toString(),
        nonce: request.nonce.toString(),
        block_number: request.blockNumber.toString(),
        transaction_hash: request.transactionHash,
        state: closure ? closure.state : request.state,
        message_hash: request.messageHash ?? null,
        reason: closure ? 'closed by the composer before the facilitator saw the request' : (request.reason ?? null),
        created_at: now,
        updated_at: now,
      });
      return 'created';
    });
    const stored = (await this.getStakeRequest(request.stakeRequestHash))!;
    if (outcome === 'revived') await this.notifyMessageOf(request.stakeRequestHash);
    if (outcome !== 'kept') this.changes.next({ kind: 'stakeRequest', record: stored });
    return stored;
  }

  /** An ORPHANED request seen on the chain again: REQUESTED at its new place; its abandoned message ACCEPTING again. */
  private async reviveOrphaned(trx: Knex.Transaction, request: StakeRequestRecord, now: number): Promise<void> {
    await trx('stake_requests')
      .where({ stake_request_hash: request.stakeRequestHash })
      .update({
        state: 'REQUESTED',
        reason: null,
        block_number: request.blockNumber.toString(),
        transaction_hash: request.transactionHash,
        updated_at: now,
      });
    await trx('messages')
      .where({ stake_request_hash: request.stakeRequestHash, state: 'ABANDONED', source_status: 0, target_status: 0 })
      .update({ state: 'ACCEPTING', reason: null, updated_at: now });
  }

  private async notifyMessageOf(stakeRequestHash: string): Promise<void> {
    const message = await this.messageForStakeRequest(stakeRequestHash);
    if (message) this.changes.next({ kind: 'message', record: message });
  }

  async getStakeRequest(stakeRequestHash: string): Promise<StakeRequestRecord | undefined> {
    const row = await this.knex<StakeRequestRow>('stake_requests').where({ stake_request_hash: stakeRequestHash }).first();
    return row ? toStakeRequest(row) : undefined;
  }

  async stakeRequestsInState(states: StakeRequestState[]): Promise<StakeRequestRecord[]> {
    const rows = await this.knex<StakeRequestRow>('stake_requests').whereIn('state', states).orderBy('block_number').orderBy('stake_request_hash');
    return rows.map(toStakeRequest);
  }

  async listStakeRequests(filter: { state?: StakeRequestState; staker?: string }, first: number, skip: number): Promise<StakeRequestRecord[]> {
    const query = this.knex<StakeRequestRow>('stake_requests');
    if (filter.state) query.where('state', filter.state);
    if (filter.staker) query.where('staker', filter.staker);
    const rows = await query.orderBy('created_at', 'desc').orderBy('stake_request_hash').limit(first).offset(skip);
    return rows.map(toStakeRequest);
  }

  async recordClosure(stakeRequestHash: string, state: 'REVOKED' | 'REJECTED'): Promise<void> {
    if (await this.getStakeRequest(stakeRequestHash)) return this.setStakeRequestState(stakeRequestHash, state);
    await this.knex('stake_request_closures')
      .insert({ stake_request_hash: stakeRequestHash, state, created_at: Date.now() })
      .onConflict('stake_request_hash')
      .ignore();
    // The request may have been recorded in between: apply the closure to it as well.
    if (await this.getStakeRequest(stakeRequestHash)) await this.setStakeRequestState(stakeRequestHash, state);
  }

  async setStakeRequestState(
    stakeRequestHash: string,
    state: StakeRequestState,
    extra: { reason?: string; messageHash?: string } = {},
  ): Promise<void> {
    const current = await this.getStakeRequest(stakeRequestHash);
    if (!current || current.state === state) return;
    if (FINAL_REQUEST_STATES.has(current.state) && !(ON_CHAIN_CLOSURES.has(state) && EXPLAINED_BY_CLOSURE.has(current.state))) return;
    await this.knex('stake_requests')
      .where({ stake_request_hash: stakeRequestHash })
      .update({
        state,
        reason: extra.reason ?? current.reason ?? null,
        message_hash: extra.messageHash ?? current.messageHash ?? null,
        updated_at: Date.now(),
      });
    this.changes.next({ kind: 'stakeRequest', record: (await this.getStakeRequest(stakeRequestHash))! });
  }

  // ---- messages ----

  async recordAcceptance(message: MessageRecord): Promise<MessageRecord> {
    const now = Date.now();
    const stored = await this.knex.transaction(async (trx) => {
      const existing = await trx<MessageRow>('messages').where({ stake_request_hash: message.stakeRequestHash }).first();
      if (existing) return toMessage(existing);
      await trx('messages').insert({
        message_hash: message.messageHash,
        stake_request_hash: message.stakeRequestHash,
        gateway: message.gateway,
        cogateway: message.coGateway,
        sender: message.sender,
        staker: message.staker,
        nonce: message.nonce.toString(),
        amount: message.amount.toString(),
        beneficiary: message.beneficiary,
        gas_price: message.gasPrice.toString(),
        gas_limit: message.gasLimit.toString(),
        hash_lock: message.hashLock,
        unlock_secret: message.unlockSecret,
        worker: message.worker,
        source_status: message.sourceStatus,
        target_status: message.targetStatus,
        declaration_height: message.declarationHeight?.toString() ?? null,
        confirmed_height: message.confirmedHeight?.toString() ?? null,
        state: message.state,
        reason: message.reason ?? null,
        created_at: now,
        updated_at: now,
      });
      await trx('stake_requests')
        .where({ stake_request_hash: message.stakeRequestHash })
        .update({ state: 'ACCEPTING', message_hash: message.messageHash, updated_at: now });
      return undefined;
    });
    if (stored) return stored;
    const record = (await this.getMessage(message.messageHash))!;
    this.changes.next({ kind: 'message', record });
    const request = await this.getStakeRequest(message.stakeRequestHash);
    if (request) this.changes.next({ kind: 'stakeRequest', record: request });
    return record;
  }

  async recordLostRequest(stakeRequestHash: string, state: 'ORPHANED' | 'TAKEN', reason: string): Promise<void> {
    await this.afterReorg(stakeRequestHash, { request: state, message: 'ABANDONED' }, reason);
  }

  async reopenAcceptance(stakeRequestHash: string, reason: string): Promise<void> {
    await this.afterReorg(stakeRequestHash, { request: 'ACCEPTING', message: 'ACCEPTING' }, reason);
  }

  /** One write for a reorg's verdict on a request and its message; notifies what changed. */
  private async afterReorg(stakeRequestHash: string, to: { request: StakeRequestState; message: MessageState }, reason: string): Promise<void> {
    const now = Date.now();
    const changed = await this.knex.transaction(async (trx) => {
      const request = await trx('stake_requests')
        .where({ stake_request_hash: stakeRequestHash })
        .whereIn('state', LOSABLE_REQUEST_STATES)
        .andWhere((q) => q.whereNot('state', to.request).orWhereNot('reason', reason).orWhereNull('reason'))
        .update({ state: to.request, reason, updated_at: now });
      const message = await trx('messages')
        .where({ stake_request_hash: stakeRequestHash, target_status: 0 })
        .whereIn('state', REOPENABLE_MESSAGE_STATES)
        .andWhere((q) => q.whereNot('state', to.message).orWhereNot('source_status', 0).orWhereNotNull('declaration_height'))
        .update({ state: to.message, reason, source_status: 0, declaration_height: null, updated_at: now });
      return { request: request > 0, message: message > 0 };
    });
    if (changed.message) await this.notifyMessageOf(stakeRequestHash);
    if (changed.request) this.changes.next({ kind: 'stakeRequest', record: (await this.getStakeRequest(stakeRequestHash))! });
  }

  async messageForStakeRequest(stakeRequestHash: string): Promise<MessageRecord | undefined> {
    const row = await this.knex<MessageRow>('messages').where({ stake_request_hash: stakeRequestHash }).first();
    return row ? toMessage(row) : undefined;
  }

  async getMessage(messageHash: string): Promise<MessageRecord | undefined> {
    const row = await this.knex<MessageRow>('messages').where({ message_hash: messageHash }).first();
    return row ? toMessage(row) : undefined;
  }

  async messagesInState(states: MessageState[]): Promise<MessageRecord[]> {
    const rows = await this.knex<MessageRow>('messages').whereIn('state', states).orderBy('created_at').orderBy('message_hash');
    return rows.map(toMessage);
  }

  async listMessages(filter: { state?: MessageState; staker?: string }, first: number, skip: number): Promise<MessageRecord[]> {
    const query = this.knex<MessageRow>('messages');
    if (filter.state) query.where('state', filter.state);
    if (filter.staker) query.where('staker', filter.staker);
    const rows = await query.orderBy('created_at', 'desc').orderBy('message_hash').limit(first).offset(skip);
    return rows.map(toMessage);
  }

  async messageCounts(): Promise<Array<{ state: MessageState; count: number }>> {
    const rows = (await this.knex('messages').select('state').count({ count: '*' }).groupBy('state')) as Array<{ state: MessageState; count: number | string }>;
    return rows.map((r) => ({ state: r.state, count: Number(r.count) }));
  }

  async updateSourceStatus(messageHash: string, status: MessageStatus, declarationHeight?: bigint): Promise<void> {
    await this.updateMessage(messageHash, (current) => ({
      sourceStatus: status > current.sourceStatus ? status : current.sourceStatus,
      declarationHeight: current.declarationHeight ?? declarationHeight,
    }));
  }

  async updateTargetStatus(messageHash: string, status: MessageStatus, confirmedHeight?: bigint): Promise<void> {
    await this.updateMessage(messageHash, (current) => ({
      targetStatus: status > current.targetStatus ? status : current.targetStatus,
      confirmedHeight: current.confirmedHeight ?? confirmedHeight,
    }));
  }

  async setMessageState(messageHash: string, state: MessageState, reason?: string): Promise<void> {
    await this.updateMessage(messageHash, (current) => {
      if (current.state === 'COMPLETED' || current.state === 'FAILED' || current.state === 'ABANDONED') return {};
      return { state, reason: reason ?? current.reason };
    });
  }

  async moveDeclaration(messageHash: string, declarationHeight: bigint): Promise<void> {
    await this.updateMessage(messageHash, () => ({ declarationHeight }));
  }

  /** Read-modify-write of one message in a transaction; the state is re-derived; notifies when it changed. */
  private async updateMessage(
    messageHash: string,
    change: (current: MessageRecord) => Partial<MessageRecord>,
  ): Promise<void> {
    const result = await this.knex.transaction(async (trx) => {
      const row = await trx<MessageRow>('messages').where({ message_hash: messageHash }).first();
      if (!row) return undefined;
      const current = toMessage(row);
      const patch = change(current);
      const next: MessageRecord = { ...current, ...patch };
      // An explicit state (CONFIRMING, back to DECLARED, FAILED) is kept unless the message boxes say more.
      next.state = deriveMessageState(next);
      const changed =
        next.state !== current.state ||
        next.sourceStatus !== current.sourceStatus ||
        next.targetStatus !== current.targetStatus ||
        next.declarationHeight !== current.declarationHeight ||
        next.confirmedHeight !== current.confirmedHeight ||
        next.reason !== current.reason;
      if (!changed) return undefined;
      await trx('messages')
        .where({ message_hash: messageHash })
        .update({
          source_status: next.sourceStatus,
          target_status: next.targetStatus,
          declaration_height: next.declarationHeight?.toString() ?? null,
          confirmed_height: next.confirmedHeight?.toString() ?? null,
          state: next.state,
          reason: next.reason ?? null,
          updated_at: Date.now(),
        });
      // Declared in the gateway outbox means our acceptStakeRequest went through.
      let requestChanged = false;
      if (next.sourceStatus >= 1 && current.sourceStatus < 1) {
        const updated = await trx('stake_requests')
          .where({ stake_request_hash: current.stakeRequestHash })
          .whereIn('state', ['REQUESTED', 'ACCEPTING'])
          .update({ state: 'ACCEPTED', updated_at: Date.now() });
        requestChanged = updated > 0;
      }
      return { requestChanged, stakeRequestHash: current.stakeRequestHash };
    });
    if (!result) return;
    this.changes.next({ kind: 'message', record: (await this.getMessage(messageHash))! });
    if (result.requestChanged) {
      const request = await this.getStakeRequest(result.stakeRequestHash);
      if (request) this.changes.next({ kind: 'stakeRequest', record: request });
    }
  }

  // ---- gateways and anchors ----

  async getGateway(gateway: string): Promise<GatewayRecord | undefined> {
    const row = await this.knex('gateways').where({ gateway }).first();
    return row ? { gateway: row.gateway, coGateway: row.cogateway, lastProvenHeight: BigInt(row.last_proven_height) } : undefined;
  }

  async recordGatewayProven(gateway: string, coGateway: string, height: bigint): Promise<void> {
    const raised = await this.knex.transaction(async (trx) => {
      const row = await trx('gateways').where({ gateway }).first();
      if (row && BigInt(row.last_proven_height) >= height) return false;
      if (row) await trx('gateways').where({ gateway }).update({ last_proven_height: height.toString(), updated_at: Date.now() });
      else await trx('gateways').insert({ gateway, cogateway: coGateway, last_proven_height: height.toString(), updated_at: Date.now() });
      return true;
    });
    if (raised) this.changes.next({ kind: 'gateway', record: (await this.getGateway(gateway))! });
  }

  async getAnchor(anchor: string): Promise<AnchorRecord | undefined> {
    const row = await this.knex('anchors').where({ anchor }).first();
    return row
      ? { anchor: row.anchor, chainId: Number(row.chain_id), lastAnchoredHeight: BigInt(row.last_anchored_height), stateRoot: row.state_root ?? undefined }
      : undefined;
  }

  async recordAnchoredHeight(anchor: string, chainId: number, height: bigint, stateRoot?: string): Promise<void> {
    const raised = await this.knex.transaction(async (trx) => {
      const row = await trx('anchors').where({ anchor }).first();
      if (row && BigInt(row.last_anchored_height) >= height) return false;
      const values = { last_anchored_height: height.toString(), state_root: stateRoot ?? null, updated_at: Date.now() };
      if (row) await trx('anchors').where({ anchor }).update(values);
      else await trx('anchors').insert({ anchor, chain_id: chainId, ...values });
      return true;
    });
    if (raised) this.changes.next({ kind: 'anchor', record: (await this.getAnchor(anchor))! });
  }
}
