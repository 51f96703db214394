import { isPostgres, lockKey } from '../db/row-lock';
import type { Knex } from 'knex';
import { Subject } from 'rxjs';
import { withStoreErrors } from '../db/store-error';
import type { MessageStatus } from '../mosaic/message-status';
import { DIRECTIONS, type AnchorRecord, type Direction, type FacilitationChange, type GatewayRecord, type MessageRecord, type MessageState, type StakeRequestRecord, type StakeRequestState } from './model';
import { stakeEventKey, type StakeEvent } from './stake/events';
import { historyRows, toHistoryEntry, type HistoryEntry, type HistoryRow } from './history';
import { stakeTransition, type StakeFacilitation, type StakeTransition } from './stake/transition';
import type { FacilitationStore } from './store-port';

interface StakeRequestRow {
  direction: Direction;
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
  direction: Direction;
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

const optionalBig = (value: string | null): bigint | undefined => (value === null ? undefined : BigInt(value));

function toStakeRequest(row: StakeRequestRow): StakeRequestRecord {
  return {
    direction: row.direction,
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
    direction: row.direction,
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

function requestRow(request: StakeRequestRecord): Omit<StakeRequestRow, 'created_at' | 'updated_at'> {
  return {
    direction: request.direction,
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
    state: request.state,
    message_hash: request.messageHash ?? null,
    reason: request.reason ?? null,
  };
}

function messageRow(message: MessageRecord): Omit<MessageRow, 'created_at' | 'updated_at'> {
  return {
    direction: message.direction,
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
  };
}

/** The request an event is about, once resolved (messages are found through their request). */
function stakeRequestHashOf(event: StakeEvent, transition: StakeTransition): string | undefined {
  const key = stakeEventKey(event);
  return 'stakeRequestHash' in key ? key.stakeRequestHash : transition.next.request?.stakeRequestHash;
}

/**
 * FacilitationStore over Knex (SQLite by default). It persists and notifies: each event is applied by
 * `stakeTransition` to the facilitation read in the same database transaction, only the parts that
 * changed are written, and the change is emitted after the commit.
 */
/** States a message waits in (not final). */
const WAITING_MESSAGE_STATES: MessageState[] = ['ACCEPTING', 'DECLARED', 'CONFIRMING', 'CONFIRMED'];
/** States a request waits in; ACCEPTED hands the wait on to its message. */
const WAITING_REQUEST_STATES: StakeRequestState[] = ['REQUESTED', 'ACCEPTING'];

export class SqlFacilitationStore implements FacilitationStore {
  private readonly changes = new Subject<FacilitationChange>();
  readonly changes$ = this.changes.asObservable();

  constructor(private readonly knex: Knex) {}

  async apply(event: StakeEvent): Promise<StakeTransition> {
    const now = Date.now();
    const transition = await withStoreErrors(`apply ${event.kind}`, () => this.knex.transaction((trx) => this.applyIn(trx, event, now)));
    this.notify(transition);
    return transition;
  }

  /**
   * SQLite: one transaction for all (one commit, one sync of the WAL). PostgreSQL: one each, as apply:
   * a transaction holding the advisory locks of several facilitations could deadlock with another
   * taking them in another order, and its connections do not queue behind one another anyway.
   */
  async applyAll(events: readonly StakeEvent[]): Promise<StakeTransition[]> {
    if (events.length === 0) return [];
    if (isPostgres(this.knex)) {
      const transitions: StakeTransition[] = [];
      for (const event of events) transitions.push(await this.apply(event));
      return transitions;
    }
    const now = Date.now();
    const transitions = await withStoreErrors(`apply ${events.length} events (${events[0].kind} first)`, () =>
      this.knex.transaction(async (trx) => {
        const applied: StakeTransition[] = [];
        for (const event of events) applied.push(await this.applyIn(trx, event, now));
        return applied;
      }),
    );
    for (const transition of transitions) this.notify(transition);
    return transitions;
  }

  private async applyIn(trx: Knex.Transaction, event: StakeEvent, now: number): Promise<StakeTransition> {
    const state = await this.load(trx, event);
    const result = stakeTransition(state, event);
    await this.persist(trx, stakeRequestHashOf(event, result), result, now);
    await this.recordHistory(trx, state, result, event, now);
    return result;
  }

  /** Outside the database call: a subscriber's failure is not a store failure. */
  private notify(transition: StakeTransition): void {
    if (transition.changed.request || transition.changed.message) this.changes.next({ kind: 'stake', transition });
  }

  /** The facilitation an event is about: its request (by hash, or through its message), message and early closure. */
  private async load(trx: Knex.Transaction, event: StakeEvent): Promise<StakeFacilitation> {
    const key = stakeEventKey(event);
    let stakeRequestHash: string;
    let byHash: MessageRow | undefined;
    if ('messageHash' in key) {
      byHash = await trx<MessageRow>('messages').where({ message_hash: key.messageHash }).first();
      if (!byHash) return {};
      stakeRequestHash = byHash.stake_request_hash;
    } else {
      stakeRequestHash = key.stakeRequestHash;
    }
    await lockKey(trx, stakeRequestHash); // concurrent events of one facilitation apply one after the other
    // One after the other: a transaction is one connection, which runs one query at a time.
    const request = await trx<StakeRequestRow>('stake_requests').where({ stake_request_hash: stakeRequestHash }).first();
    // SQLite runs one write transaction at a time: the row read by hash is the request's message still.
    // PostgreSQL reads it again under the lock (another transaction may have written it meanwhile).
    const message = byHash && !isPostgres(trx) ? byHash : await trx<MessageRow>('messages').where({ stake_request_hash: stakeRequestHash }).first();
    // An early closure stands in for a request not seen yet; once the request is there, the transition
    // never looks at it (its closures move the request itself), so it is not read for every event.
    const closure = request
      ? undefined
      : ((await trx('stake_request_closures').where({ stake_request_hash: stakeRequestHash }).first()) as { state: 'REVOKED' | 'REJECTED' } | undefined);
    return {
      request: request ? toStakeRequest(request) : undefined,
      message: message ? toMessage(message) : undefined,
      closure: closure?.state,
    };
  }

  private async persist(trx: Knex.Transaction, stakeRequestHash: string | undefined, transition: StakeTransition, now: number): Promise<void> {
    const { next, changed } = transition;
    if (changed.closure && next.closure && stakeRequestHash) {
      await trx('stake_request_closures').insert({ stake_request_hash: stakeRequestHash, state: next.closure, created_at: now }).onConflict('stake_request_hash').ignore();
    }
    if (changed.request && next.request) {
      const row = { ...requestRow(next.request), updated_at: now };
      await trx('stake_requests').insert({ ...row, created_at: now }).onConflict('stake_request_hash').merge(row);
    }
    if (changed.message && next.message) {
      const row = { ...messageRow(next.message), updated_at: now };
      await trx('messages').insert({ ...row, created_at: now }).onConflict('message_hash').merge(row);
    }
  }

  /** The history rows of a transition: each state change, and a message's box statuses moving. */
  private async recordHistory(trx: Knex.Transaction, before: StakeFacilitation, transition: StakeTransition, event: StakeEvent, now: number): Promise<void> {
    const rows = historyRows(before, transition, event).map((row) => ({ ...row, at: now }));
    if (rows.length > 0) await trx('facilitation_history').insert(rows);
  }

  /** How a request or message got where it is, oldest first. */
  async history(hash: string): Promise<HistoryEntry[]> {
    return withStoreErrors('history', async () => {
      const rows = (await this.knex('facilitation_history').where({ hash }).orderBy('id')) as HistoryRow[];
      return rows.map(toHistoryEntry);
    });
  }

  /**
   * Per record kind, direction and waiting state (messages not final; requests REQUESTED or ACCEPTING):
   * when the record waiting longest entered that state — its history, else (rows from before the
   * history) its last update. One indexed history read per waiting record, never a scan of the history.
   */
  async oldestWaiting(): Promise<Array<{ record: 'message' | 'request'; direction: Direction; state: string; since: number }>> {
    return withStoreErrors('oldestWaiting', async () => {
      const waiting = [
        { record: 'message' as const, table: 'messages', key: 'message_hash', states: WAITING_MESSAGE_STATES },
        { record: 'request' as const, table: 'stake_requests', key: 'stake_request_hash', states: WAITING_REQUEST_STATES },
      ];
      const oldest = new Map<string, { record: 'message' | 'request'; direction: Direction; state: string; since: number }>();
      for (const { record, table, key, states } of waiting) {
        const entered = this.knex('facilitation_history as h')
          .max('h.at')
          .where('h.hash', this.knex.ref(`t.${key}`))
          .andWhere('h.to_state', this.knex.ref('t.state'))
          .andWhere((q) => q.whereNull('h.from_state').orWhere('h.from_state', '<>', this.knex.ref('h.to_state')));
        const rows = (await this.knex(`${table} as t`)
          .whereIn('t.state', states)
          .select('t.direction', 't.state', 't.updated_at', entered.as('entered'))) as Array<{ direction: Direction; state: string; updated_at: number | string; entered: number | string | null }>;
        for (const row of rows) {
          const since = Number(row.entered ?? row.updated_at);
          const id = `${record}:${row.direction}:${row.state}`;
          const known = oldest.get(id);
          if (!known || since < known.since) oldest.set(id, { record, direction: row.direction, state: row.state, since });
        }
      }
      return [...oldest.values()];
    });
  }

  // ---- reads ----

  async getStakeRequest(stakeRequestHash: string): Promise<StakeRequestRecord | undefined> {
    return withStoreErrors('getStakeRequest', async () => {
      const row = await this.knex<StakeRequestRow>('stake_requests').where({ stake_request_hash: stakeRequestHash }).first();
      return row ? toStakeRequest(row) : undefined;
    });
  }

  async stakeRequestsInState(states: StakeRequestState[]): Promise<StakeRequestRecord[]> {
    return withStoreErrors('stakeRequestsInState', async () => {
      const rows = await this.knex<StakeRequestRow>('stake_requests').whereIn('state', states).orderBy('block_number').orderBy('stake_request_hash');
      return rows.map(toStakeRequest);
    });
  }

  async listStakeRequests(filter: { state?: StakeRequestState; staker?: string; direction?: Direction }, first: number, skip: number): Promise<StakeRequestRecord[]> {
    return withStoreErrors('listStakeRequests', async () => {
      const query = this.knex<StakeRequestRow>('stake_requests');
      if (filter.direction) query.where('direction', filter.direction);
      if (filter.state) query.where('state', filter.state);
      if (filter.staker) query.where('staker', filter.staker);
      const rows = await query.orderBy('created_at', 'desc').orderBy('stake_request_hash').limit(first).offset(skip);
      return rows.map(toStakeRequest);
    });
  }

  async messageForStakeRequest(stakeRequestHash: string): Promise<MessageRecord | undefined> {
    return withStoreErrors('messageForStakeRequest', async () => {
      const row = await this.knex<MessageRow>('messages').where({ stake_request_hash: stakeRequestHash }).first();
      return row ? toMessage(row) : undefined;
    });
  }

  async getMessage(messageHash: string): Promise<MessageRecord | undefined> {
    return withStoreErrors('getMessage', async () => {
      const row = await this.knex<MessageRow>('messages').where({ message_hash: messageHash }).first();
      return row ? toMessage(row) : undefined;
    });
  }

  async messagesInState(states: MessageState[]): Promise<MessageRecord[]> {
    return withStoreErrors('messagesInState', async () => {
      const rows = await this.knex<MessageRow>('messages').whereIn('state', states).orderBy('created_at').orderBy('message_hash');
      return rows.map(toMessage);
    });
  }

  async listMessages(filter: { state?: MessageState; staker?: string; direction?: Direction }, first: number, skip: number): Promise<MessageRecord[]> {
    return withStoreErrors('listMessages', async () => {
      const query = this.knex<MessageRow>('messages');
      if (filter.direction) query.where('direction', filter.direction);
      if (filter.state) query.where('state', filter.state);
      if (filter.staker) query.where('staker', filter.staker);
      const rows = await query.orderBy('created_at', 'desc').orderBy('message_hash').limit(first).offset(skip);
      return rows.map(toMessage);
    });
  }

  /** Messages by direction and state (STAKE first, then by state name), per gateway (a message's names its pair). */
  async messageCounts(): Promise<Array<{ direction: Direction; state: MessageState; gateway: string; count: number }>> {
    return withStoreErrors('messageCounts', () => this.countByDirectionAndState<MessageState>('messages'));
  }

  /** Requests by direction and state (STAKE first, then by state name), per gateway (the one the request names). */
  async stakeRequestCounts(): Promise<Array<{ direction: Direction; state: StakeRequestState; gateway: string; count: number }>> {
    return withStoreErrors('stakeRequestCounts', () => this.countByDirectionAndState<StakeRequestState>('stake_requests'));
  }

  private async countByDirectionAndState<State extends string>(table: string): Promise<Array<{ direction: Direction; state: State; gateway: string; count: number }>> {
    const rows = (await this.knex(table).select('direction', 'state', 'gateway').count({ count: '*' }).groupBy('direction', 'state', 'gateway')) as Array<{
      direction: Direction;
      state: State;
      gateway: string;
      count: number | string;
    }>;
    return rows
      .map((r) => ({ direction: r.direction, state: r.state, gateway: r.gateway, count: Number(r.count) }))
      .sort((a, b) => DIRECTIONS.indexOf(a.direction) - DIRECTIONS.indexOf(b.direction) || a.state.localeCompare(b.state) || a.gateway.localeCompare(b.gateway));
  }

  // ---- gateways and anchors ----

  async getGateway(gateway: string): Promise<GatewayRecord | undefined> {
    return withStoreErrors('getGateway', async () => {
      const row = await this.knex('gateways').where({ gateway }).first();
      return row ? { gateway: row.gateway, coGateway: row.cogateway, lastProvenHeight: BigInt(row.last_proven_height) } : undefined;
    });
  }

  async recordGatewayProven(gateway: string, coGateway: string, height: bigint): Promise<void> {
    return withStoreErrors('recordGatewayProven', async () => {
      const raised = await this.knex.transaction(async (trx) => {
        const row = await trx('gateways').where({ gateway }).first();
        if (row && BigInt(row.last_proven_height) >= height) return false;
        if (row) await trx('gateways').where({ gateway }).update({ last_proven_height: height.toString(), updated_at: Date.now() });
        else await trx('gateways').insert({ gateway, cogateway: coGateway, last_proven_height: height.toString(), updated_at: Date.now() });
        return true;
      });
      if (raised) this.changes.next({ kind: 'gateway', record: (await this.getGateway(gateway))! });
    });
  }

  async getAnchor(anchor: string): Promise<AnchorRecord | undefined> {
    return withStoreErrors('getAnchor', async () => {
      const row = await this.knex('anchors').where({ anchor }).first();
      return row
        ? { anchor: row.anchor, chainId: Number(row.chain_id), lastAnchoredHeight: BigInt(row.last_anchored_height), stateRoot: row.state_root ?? undefined }
        : undefined;
    });
  }

  async recordAnchoredHeight(anchor: string, chainId: number, height: bigint, stateRoot?: string): Promise<void> {
    return withStoreErrors('recordAnchoredHeight', async () => {
      const raised = await this.knex.transaction(async (trx) => {
        const row = await trx('anchors').where({ anchor }).first();
        if (row && BigInt(row.last_anchored_height) >= height) return false;
        const values = { last_anchored_height: height.toString(), state_root: stateRoot ?? null, updated_at: Date.now() };
        if (row) await trx('anchors').where({ anchor }).update(values);
        else await trx('anchors').insert({ anchor, chain_id: chainId, ...values });
        return true;
      });
      if (raised) this.changes.next({ kind: 'anchor', record: (await this.getAnchor(anchor))! });
    });
  }
}
