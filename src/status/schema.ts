import type { HistoryEntry } from '../facilitation/history';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, GraphQLError, GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { filter, map, type Observable } from 'rxjs';
import type { OutboxRecord } from '../chain/tx-engine/outbox-port';
import type { Direction, MessageRecord, MessageState, StakeRequestRecord, StakeRequestState } from '../facilitation/model';
import { MessageStatus } from '../mosaic/message-status';
import { packageRoot } from '../util/package-root';
import { streamLag, type AdminActions, type Page, type StateCount, type StatusSource, type WorkerStatus } from './status-source';
import { describeWait, type Wait } from './waiting-for';

const MAX_PAGE = 1000;

function page(args: { first?: number; skip?: number }): Page {
  const first = args.first ?? 100;
  const skip = args.skip ?? 0;
  if (first < 0 || first > MAX_PAGE) throw new GraphQLError(`first must be between 0 and ${MAX_PAGE}, got ${first}`);
  if (skip < 0) throw new GraphQLError(`skip must not be negative, got ${skip}`);
  return { first, skip };
}

const lower = (value: string | undefined) => value?.toLowerCase();

/** How long a `workers` or `streams` answer (RPC and subgraph calls) is reused. */
export const LIVE_READ_TTL_MS = 1000;

/**
 * `fn` called at most once per `ttlMs` (concurrent callers share the call under way): a document
 * aliasing `workers` fifty times, or many clients polling, make one round of RPC calls, not fifty.
 */
export function reusedFor<T>(ttlMs: number, fn: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ttlMs) {
      const value = fn();
      last = { at: now, value };
      value.catch(() => {
        if (last?.value === value) last = undefined; // a failure is not reused
      });
    }
    return last.value;
  };
}

/**
 * `fn` shared by the callers that come while it runs (a document aliasing a count many times reads the
 * records once), and called afresh after: unlike `reusedFor`, an answer is never older than its query.
 */
export function sharedWhileRunning<T>(fn: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () =>
    (running ??= fn().finally(() => {
      running = undefined;
    }));
}

/** One direction's counts by state, or both directions added up by state (direction null). */
function countsFor<State extends string>(all: Array<StateCount<State>>, direction: Direction | undefined, auxChainId?: number) {
  const counts = auxChainId === undefined ? all : all.filter((count) => count.auxChainId === auxChainId);
  if (direction) return counts.filter((count) => count.direction === direction);
  const byState = new Map<State, number>();
  for (const { state, count } of counts) byState.set(state, (byState.get(state) ?? 0) + count);
  return [...byState].map(([state, count]) => ({ direction: null, state, count }));
}

/** The secret is shown only once progressStake or progressMint has revealed it on-chain; never for a message an operator gave up. */
function isSecretPublic(message: MessageRecord): boolean {
  if (message.state === 'ADMIN_ABANDONED') return false;
  return message.sourceStatus === MessageStatus.Progressed || message.targetStatus === MessageStatus.Progressed;
}

function messageView(message: MessageRecord, source: StatusSource) {
  return {
    ...message,
    requestHash: message.stakeRequestHash,
    requester: message.staker,
    unlockSecret: isSecretPublic(message) ? message.unlockSecret : null,
    sourceStatus: MessageStatus[message.sourceStatus],
    targetStatus: MessageStatus[message.targetStatus],
    transactions: () => source.transactionsFor(message).then((records) => records.map(transactionView)),
    waitingFor: () => source.waitingFor(message),
    history: () => source.history(message.messageHash).then((entries) => entries.map(historyView)),
    waiting: async () => waitView((await source.messageWait?.(message)) ?? null),
  };
}

/** A wait as the API serves it: its kind, the line, since when (ISO 8601) and for how long (s). */
function waitView(wait: Wait | null) {
  if (!wait) return null;
  const now = Date.now();
  return {
    kind: wait.kind,
    reason: wait.reason,
    since: wait.since === undefined ? null : new Date(wait.since).toISOString(),
    ageSeconds: wait.since === undefined ? null : Math.max(0, Math.round((now - wait.since) / 1000)),
  };
}

function historyView(entry: HistoryEntry) {
  return {
    ...entry,
    sourceStatus: entry.sourceStatus === undefined ? null : MessageStatus[entry.sourceStatus],
    targetStatus: entry.targetStatus === undefined ? null : MessageStatus[entry.targetStatus],
    blockNumber: entry.blockNumber === undefined ? null : entry.blockNumber.toString(),
    at: new Date(entry.at).toISOString(),
  };
}

function transactionView(record: OutboxRecord) {
  return {
    chainId: record.chainId,
    worker: record.worker,
    purpose: record.purpose,
    subject: record.subject,
    status: record.status,
    nonce: record.nonce,
    type: record.fees === undefined ? null : record.fees.type === 'eip1559' ? 2 : 0,
    gasPrice: record.fees?.type === 'legacy' ? record.fees.gasPrice : null,
    maxFeePerGas: record.fees?.type === 'eip1559' ? record.fees.maxFeePerGas : null,
    maxPriorityFeePerGas: record.fees?.type === 'eip1559' ? record.fees.maxPriorityFeePerGas : null,
    txHash: record.txHash,
    attempts: record.attempts,
    lastError: record.lastError,
  };
}

function stakeRequestView(request: StakeRequestRecord, source: StatusSource) {
  return {
    ...request,
    requestHash: request.stakeRequestHash,
    requester: request.staker,
    message: async () => {
      if (!request.messageHash) return null;
      const message = await source.message(request.messageHash);
      return message ? messageView(message, source) : null;
    },
    waitingFor: async () => describeWait((await source.requestWait?.(request)) ?? null, Date.now()),
    waiting: async () => waitView((await source.requestWait?.(request)) ?? null),
    history: () => source.history(request.stakeRequestHash).then((entries) => entries.filter((e) => e.record === 'request').map(historyView)),
  };
}

function workerView(worker: WorkerStatus) {
  return { ...worker, pendingTransactions: worker.pendingTransactions.map(transactionView) };
}

const BigIntScalar = new GraphQLScalarType({
  name: 'BigInt',
  description: 'An integer of any size, as a decimal string.',
  serialize: (value) => (typeof value === 'bigint' || typeof value === 'number' ? value.toString() : String(value)),
  parseValue: (value) => BigInt(String(value)),
});

/** What the HTTP layer tells the resolvers: set only on POST /admin, once the admin guard let the request through. */
export interface StatusContext {
  /** Who asked (for the log and the history), e.g. "an operator (admin API from 127.0.0.1)". */
  adminActor?: string;
}

/** Longest operator's reason kept (the history's reason column holds 1000 characters with who asked). */
const MAX_REASON = 500;

/** retryMessage, abandonMessage and resyncWorkerNonce, each refused unless the admin guard passed the request. */
function adminResolvers(source: StatusSource, admin: AdminActions | undefined) {
  const actorOf = (context: unknown): { actions: AdminActions; actor: string } => {
    if (!admin) throw new GraphQLError('admin actions are not enabled on this server (it has no admin token)');
    const actor = (context as StatusContext | undefined)?.adminActor;
    if (!actor) throw new GraphQLError('admin actions are served on POST /admin only, from this machine, with Authorization: Bearer <token>');
    return { actions: admin, actor };
  };
  const messageResult = ({ message, summary }: { message: MessageRecord; summary: string }) => ({ message: messageView(message, source), summary });
  return {
    retryMessage: async (args: { messageHash: string; step?: string }, context: unknown) => {
      const { actions, actor } = actorOf(context);
      return messageResult(await actions.retryMessage(lower(args.messageHash)!, args.step ?? undefined, actor));
    },
    abandonMessage: async (args: { messageHash: string; reason: string }, context: unknown) => {
      const { actions, actor } = actorOf(context);
      const reason = args.reason.trim();
      if (reason === '' || reason.length > MAX_REASON) throw new GraphQLError(`reason must say why, in 1 to ${MAX_REASON} characters`);
      return messageResult(await actions.abandonMessage(lower(args.messageHash)!, reason, actor));
    },
    resyncWorkerNonce: async (args: { chainId: number; address: string }, context: unknown) => {
      const { actions, actor } = actorOf(context);
      if (!/^0x[0-9a-fA-F]{40}$/.test(args.address)) throw new GraphQLError(`address ${JSON.stringify(args.address.slice(0, 60))} is not an address (0x and 40 hex digits)`);
      return actions.resyncWorkerNonce(args.chainId, args.address.toLowerCase(), actor);
    },
  };
}

/** The status API schema (graphql/status.graphql) bound to a StatusSource, and to the admin actions when given. */
export function buildStatusSchema(source: StatusSource, admin?: AdminActions): { schema: GraphQLSchema; rootValue: Record<string, unknown> } {
  const sdl = readFileSync(join(packageRoot(), 'graphql', 'status.graphql'), 'utf8');
  const schema = buildSchema(sdl);
  const bigint = schema.getType('BigInt') as GraphQLScalarType;
  Object.assign(bigint, { serialize: BigIntScalar.serialize, parseValue: BigIntScalar.parseValue, parseLiteral: BigIntScalar.parseLiteral });

  const subscriptionFields = schema.getSubscriptionType()!.getFields();
  subscriptionFields.messageUpdated.subscribe = (_root, args: { messageHash?: string }) =>
    toAsyncIterator(
      source.messageChanges$.pipe(
        filter((message) => !args.messageHash || message.messageHash === lower(args.messageHash)),
        map((message) => ({ messageUpdated: messageView(message, source) })),
      ),
    );

  const workers = reusedFor(LIVE_READ_TTL_MS, () => source.workers());
  const streams = reusedFor(LIVE_READ_TTL_MS, () => source.streams());
  const rootValue = {
    role: () => source.role().toUpperCase(),
    ...adminResolvers(source, admin),
    ...requestResolvers(source),
    ...messageResolvers(source),
    workers: async () => (await workers()).map(workerView),
    chains: async () =>
      (await source.chains()).map((chain) => ({
        ...chain,
        feeCapWait: chain.feeCapWait ? { ...chain.feeCapWait, since: new Date(chain.feeCapWait.since).toISOString() } : null,
      })),
    streams: async () =>
      (await streams()).map((s) => ({ ...s, lag: streamLag(s) ?? null })),
  };
  return { schema, rootValue };
}

interface ListArgs<State> {
  direction?: Direction;
  state?: State;
  first?: number;
  skip?: number;
}

/** stakeRequest, stakeRequests, stakeRequestCounts and their direction-neutral names (request, requests). */
function requestResolvers(source: StatusSource) {
  const byHash = async (hash: string) => {
    const request = await source.stakeRequest(lower(hash)!);
    return request ? stakeRequestView(request, source) : null;
  };
  const list = async (args: ListArgs<StakeRequestState>, staker: string | undefined) =>
    (await source.stakeRequests({ direction: args.direction, state: args.state, staker: lower(staker) }, page(args))).map((r) =>
      stakeRequestView(r, source),
    );
  const counts = sharedWhileRunning(() => source.stakeRequestCounts());
  return {
    stakeRequest: (args: { stakeRequestHash: string }) => byHash(args.stakeRequestHash),
    request: (args: { requestHash: string }) => byHash(args.requestHash),
    stakeRequests: (args: ListArgs<StakeRequestState> & { staker?: string }) => list(args, args.staker),
    requests: (args: ListArgs<StakeRequestState> & { requester?: string }) => list(args, args.requester),
    stakeRequestCounts: async (args: { direction?: Direction; auxChainId?: number }) => countsFor(await counts(), args.direction, args.auxChainId),
  };
}

/** message, messages and messageCounts. */
function messageResolvers(source: StatusSource) {
  const counts = sharedWhileRunning(() => source.messageCounts());
  return {
    message: async (args: { messageHash: string }) => {
      const message = await source.message(lower(args.messageHash)!);
      return message ? messageView(message, source) : null;
    },
    messages: async (args: ListArgs<MessageState> & { staker?: string }) =>
      (await source.messages({ direction: args.direction, state: args.state, staker: lower(args.staker) }, page(args))).map((m) =>
        messageView(m, source),
      ),
    messageCounts: async (args: { direction?: Direction; auxChainId?: number }) => countsFor(await counts(), args.direction, args.auxChainId),
  };
}

/** RxJS Observable → AsyncIterator (what graphql-js subscriptions consume), buffering between pulls. */
function toAsyncIterator<T>(observable: Observable<T>): AsyncIterableIterator<T> {
  const buffer: T[] = [];
  const waiting: Array<(result: IteratorResult<T>) => void> = [];
  let done = false;
  const subscription = observable.subscribe({
    next: (value) => {
      const resolve = waiting.shift();
      if (resolve) resolve({ value, done: false });
      else buffer.push(value);
    },
    complete: () => {
      done = true;
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
    },
  });
  const finish = (): Promise<IteratorResult<T>> => {
    done = true;
    subscription.unsubscribe();
    for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    next: () => {
      if (buffer.length > 0) return Promise.resolve({ value: buffer.shift()!, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
