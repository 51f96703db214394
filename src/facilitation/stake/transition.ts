import { MessageStatus } from '../../mosaic/message-status';
import type { Direction, MessageRecord, MessageState, StakeRequestRecord, StakeRequestState } from '../model';
import type { StakeEvent } from './events';

/** What the facilitator knows of one stake request: the request, our message for it, an early closure. */
export interface StakeFacilitation {
  request?: StakeRequestRecord;
  message?: MessageRecord;
  /** The composer closed the request before its StakeRequested was seen (applied when it is). */
  closure?: 'REVOKED' | 'REJECTED';
}

/** Work a transition makes due: the engine runs the matching service of the direction. */
export type StakeEffect =
  | { kind: 'accept'; direction: Direction; stakeRequestHash: string }
  | { kind: 'prove'; direction: Direction }
  | { kind: 'confirm'; direction: Direction }
  | { kind: 'progress'; direction: Direction };

/** One state change, for the log and the history. */
export interface StateChange {
  record: 'request' | 'message';
  direction: Direction;
  hash: string;
  from: string | undefined;
  to: string;
  reason?: string;
}

export interface StakeTransition {
  next: StakeFacilitation;
  /** Which parts differ from the state given (the store writes only those). */
  changed: { request: boolean; message: boolean; closure: boolean };
  changes: StateChange[];
  effects: StakeEffect[];
}

/** States a stake request never leaves... */
const FINAL_REQUEST_STATES: ReadonlySet<StakeRequestState> = new Set(['ACCEPTED', 'REVOKED', 'REJECTED', 'IGNORED', 'TAKEN', 'ORPHANED', 'FAILED']);
/** ...except for the composer's own word on its end (StakeRevoked, StakeRejected)... */
const ON_CHAIN_CLOSURES: ReadonlySet<StakeRequestState> = new Set(['REVOKED', 'REJECTED']);
/** ...which replaces these, as they only say the facilitator did not (or could not) take it. */
const EXPLAINED_BY_CLOSURE: ReadonlySet<StakeRequestState> = new Set(['TAKEN', 'IGNORED', 'FAILED']);
/** Requests a reorg may take back from the facilitator (not the composer's own closures, not IGNORED). */
const LOSABLE_REQUEST_STATES: ReadonlySet<StakeRequestState> = new Set(['REQUESTED', 'ACCEPTING', 'ACCEPTED', 'TAKEN', 'ORPHANED', 'FAILED']);
/** Messages a reorg may send back: not confirmed on the auxiliary chain, no confirmStakeIntent under way. */
const REOPENABLE_MESSAGE_STATES: ReadonlySet<MessageState> = new Set(['ACCEPTING', 'DECLARED', 'ABANDONED']);
/** Message states no explicit state change leaves (the message boxes still may: see deriveMessageState). */
const SETTLED_MESSAGE_STATES: ReadonlySet<MessageState> = new Set(['COMPLETED', 'FAILED', 'ABANDONED', 'ADMIN_ABANDONED']);
/** Message states the message boxes never change: only an operator's retry takes a FAILED one up again. */
const STICKY_MESSAGE_STATES: ReadonlySet<MessageState> = new Set(['FAILED', 'ADMIN_ABANDONED']);
/** Requests an operator's abandon closes too (else the accept service would go on with them). */
const OPEN_REQUEST_STATES: ReadonlySet<StakeRequestState> = new Set(['REQUESTED', 'ACCEPTING']);

/** The state a message is in, from what is known about both message boxes and its explicit state. */
export function deriveMessageState(message: Pick<MessageRecord, 'sourceStatus' | 'targetStatus' | 'state'>): MessageState {
  if (STICKY_MESSAGE_STATES.has(message.state)) return message.state;
  // ABANDONED means "not declared": once our declaration is seen on chain (a reorganised acceptance
  // mined again, an accept landing after the request looked taken), the message must be carried on.
  if (message.state === 'ABANDONED' && message.sourceStatus === MessageStatus.Undeclared) return message.state;
  if (message.sourceStatus === MessageStatus.Progressed && message.targetStatus === MessageStatus.Progressed) return 'COMPLETED';
  if (message.targetStatus === MessageStatus.Declared || message.targetStatus === MessageStatus.Progressed) return 'CONFIRMED';
  if (message.state === 'CONFIRMING') return 'CONFIRMING';
  if (message.sourceStatus === MessageStatus.Declared || message.sourceStatus === MessageStatus.Progressed) return 'DECLARED';
  return 'ACCEPTING';
}

/**
 * The one owner of stake facilitation state: (state, event) → (next state, effects). Pure: no I/O, no
 * clock. Every rule is idempotent (events are seen more than once: entity and receipt, replays after a
 * restart) and monotonic (a message box status never goes back).
 */
export function stakeTransition(state: StakeFacilitation, event: StakeEvent): StakeTransition {
  const next = nextState(state, event);
  return describe(state, next, event);
}

function nextState(state: StakeFacilitation, event: StakeEvent): StakeFacilitation {
  const { request, message } = state;
  switch (event.kind) {
    case 'requestSeen':
      return requestSeen(state, event.request);
    case 'requestClosed':
      return request ? { ...state, request: withRequestState(request, event.by) } : { ...state, closure: event.by };
    case 'requestIgnored':
      return { ...state, request: request && withRequestState(request, 'IGNORED', event.reason) };
    case 'acceptancePrepared':
      return acceptancePrepared(state, event.message);
    case 'acceptGivenUp':
      return {
        ...state,
        request: request && withRequestState(request, 'FAILED', event.reason),
        message: message && whileIn(message, 'ACCEPTING', 'FAILED', event.reason),
      };
    case 'requestTaken':
      return {
        ...state,
        request: request && withRequestState(request, 'TAKEN', request.direction === 'REDEEM' ? 'no longer open in the redeem pool' : 'no longer pending in the composer'),
        message: message && whileIn(message, 'ACCEPTING', 'ABANDONED', `the ${message.direction === 'REDEEM' ? 'redeem' : 'stake'} request was accepted by another facilitator or revoked`),
      };
    case 'requestLost':
      return afterReorg(state, { request: event.state, message: 'ABANDONED' }, event.reason);
    case 'acceptanceReorganised':
      return afterReorg(state, { request: 'ACCEPTING', message: 'ACCEPTING' }, event.reason);
    case 'sourceStatusSeen':
      return message ? sourceStatusSeen(state, message, event.status, event.declarationHeight) : state;
    case 'targetStatusSeen':
      return { ...state, message: message && targetStatusSeen(message, event.status, event.confirmedHeight) };
    case 'declarationMoved':
      return { ...state, message: message && derived({ ...message, declarationHeight: event.declarationHeight }) };
    case 'confirmQueued':
      return { ...state, message: message && whileIn(message, 'DECLARED', 'CONFIRMING') };
    case 'confirmFailed':
      return { ...state, message: message && whileIn(message, 'CONFIRMING', 'DECLARED') };
    case 'messageFailed':
      return { ...state, message: message && withMessageState(message, 'FAILED', event.reason) };
    case 'adminRetry':
      return adminRetry(state);
    case 'adminAbandon':
      return adminAbandon(state, event.reason);
  }
}

/**
 * An operator's retry takes a FAILED message up again from its message boxes (ACCEPTING when nothing is
 * declared yet, DECLARED, CONFIRMED, ...), and its FAILED request with it. Any other message keeps its
 * state: the retry of a failed step (the engine requeues it) is only recorded in the history.
 */
function adminRetry(state: StakeFacilitation): StakeFacilitation {
  const { request, message } = state;
  if (!message || message.state !== 'FAILED') return state;
  const next = derived({ ...message, state: 'ACCEPTING', reason: undefined });
  const reopened: StakeRequestRecord | undefined =
    request?.state === 'FAILED' ? { ...request, state: next.state === 'ACCEPTING' ? 'ACCEPTING' : 'ACCEPTED', reason: undefined } : request;
  return { ...state, request: reopened, message: next };
}

/**
 * An operator gives a message up: ADMIN_ABANDONED (final, the secret kept), and a request still being
 * accepted FAILED with the same reason. A COMPLETED message has nothing left to give up.
 */
function adminAbandon(state: StakeFacilitation, reason: string): StakeFacilitation {
  const { request, message } = state;
  if (!message || message.state === 'COMPLETED' || message.state === 'ADMIN_ABANDONED') return state;
  const closed = request && OPEN_REQUEST_STATES.has(request.state) ? { ...request, state: 'FAILED' as const, reason } : request;
  return { ...state, request: closed, message: { ...message, state: 'ADMIN_ABANDONED', reason } };
}

/** A new request is REQUESTED (or closed, if the composer closed it first); an ORPHANED one that reappears is revived. */
function requestSeen(state: StakeFacilitation, seen: StakeRequestRecord): StakeFacilitation {
  const { request, message, closure } = state;
  if (!request) {
    if (closure) return { ...state, request: { ...seen, state: closure, reason: 'closed by the composer before the facilitator saw the request' } };
    return { ...state, request: { ...seen, state: 'REQUESTED' } };
  }
  // A message an operator gave up is not taken up again by its request reappearing.
  if (request.state !== 'ORPHANED' || message?.state === 'ADMIN_ABANDONED') return state;
  const revived: StakeRequestRecord = { ...request, state: 'REQUESTED', reason: undefined, blockNumber: seen.blockNumber, transactionHash: seen.transactionHash };
  const abandonedUndeclared =
    message?.state === 'ABANDONED' && message.sourceStatus === MessageStatus.Undeclared && message.targetStatus === MessageStatus.Undeclared;
  // Same request, same hash lock: the secret kept with the abandoned message is used again.
  return { ...state, request: revived, message: abandonedUndeclared ? { ...message, state: 'ACCEPTING', reason: undefined } : message };
}

/** The message and its secret are kept once made: a request never gets a second secret. */
function acceptancePrepared(state: StakeFacilitation, prepared: MessageRecord): StakeFacilitation {
  const { request, message } = state;
  if (message || !request || (request.state !== 'REQUESTED' && request.state !== 'ACCEPTING')) return state;
  return { ...state, request: { ...request, state: 'ACCEPTING', messageHash: prepared.messageHash }, message: derived({ ...prepared, state: 'ACCEPTING' }) };
}

function sourceStatusSeen(state: StakeFacilitation, message: MessageRecord, status: MessageStatus, height: bigint | undefined): StakeFacilitation {
  const next = derived({
    ...message,
    sourceStatus: status > message.sourceStatus ? status : message.sourceStatus,
    declarationHeight: message.declarationHeight ?? height,
  });
  const { request } = state;
  // Declared in the gateway outbox means our acceptStakeRequest went through.
  const declaredNow = next.sourceStatus >= MessageStatus.Declared && message.sourceStatus < MessageStatus.Declared;
  const accepted = request && declaredNow && (request.state === 'REQUESTED' || request.state === 'ACCEPTING') ? { ...request, state: 'ACCEPTED' as const } : request;
  return { ...state, request: accepted, message: next };
}

function targetStatusSeen(message: MessageRecord, status: MessageStatus, height: bigint | undefined): MessageRecord {
  return derived({
    ...message,
    targetStatus: status > message.targetStatus ? status : message.targetStatus,
    confirmedHeight: message.confirmedHeight ?? height,
  });
}

/**
 * A reorg's verdict on a request and its message. The message goes `to.message` with its outbox status
 * and declaration height cleared (the secret is kept), unless it is confirmed or being confirmed on the
 * auxiliary chain.
 */
function afterReorg(state: StakeFacilitation, to: { request: StakeRequestState; message: MessageState }, reason: string): StakeFacilitation {
  const { request, message } = state;
  if (message?.state === 'ADMIN_ABANDONED') return state; // the operator's word stands: nothing is accepted again
  const nextRequest = request && LOSABLE_REQUEST_STATES.has(request.state) ? { ...request, state: to.request, reason } : request;
  const reopenable = message && message.targetStatus === MessageStatus.Undeclared && REOPENABLE_MESSAGE_STATES.has(message.state);
  const nextMessage: MessageRecord | undefined = reopenable
    ? { ...message, state: to.message, reason, sourceStatus: MessageStatus.Undeclared, declarationHeight: undefined }
    : message;
  return { ...state, request: nextRequest, message: nextMessage };
}

/** A request moves unless it is final; the composer's closures still replace TAKEN, IGNORED and FAILED. */
function withRequestState(request: StakeRequestRecord, state: StakeRequestState, reason?: string): StakeRequestRecord {
  if (request.state === state) return request;
  if (FINAL_REQUEST_STATES.has(request.state) && !(ON_CHAIN_CLOSURES.has(state) && EXPLAINED_BY_CLOSURE.has(request.state))) return request;
  return { ...request, state, reason: reason ?? request.reason };
}

/** An explicit message state is kept unless the message boxes say more; settled messages keep theirs. */
function withMessageState(message: MessageRecord, state: MessageState, reason?: string): MessageRecord {
  if (SETTLED_MESSAGE_STATES.has(message.state)) return message;
  return derived({ ...message, state, reason: reason ?? message.reason });
}

/** A step's own state change applies only to the state the step was taken from (a late or stray event changes nothing). */
function whileIn(message: MessageRecord, from: MessageState, to: MessageState, reason?: string): MessageRecord {
  return message.state === from ? withMessageState(message, to, reason) : message;
}

function derived(message: MessageRecord): MessageRecord {
  return { ...message, state: deriveMessageState(message) };
}

function describe(before: StakeFacilitation, next: StakeFacilitation, event: StakeEvent): StakeTransition {
  const changed = {
    request: !sameRecord(before.request, next.request),
    message: !sameRecord(before.message, next.message),
    closure: before.closure !== next.closure,
  };
  const changes: StateChange[] = [];
  if (next.request && before.request?.state !== next.request.state) {
    changes.push({ record: 'request', direction: next.request.direction, hash: next.request.stakeRequestHash, from: before.request?.state, to: next.request.state, reason: next.request.reason });
  }
  if (next.message && before.message?.state !== next.message.state) {
    changes.push({ record: 'message', direction: next.message.direction, hash: next.message.messageHash, from: before.message?.state, to: next.message.state, reason: next.message.reason });
  }
  return { next, changed, changes, effects: effectsOf(next, changed, event) };
}

function effectsOf(next: StakeFacilitation, changed: StakeTransition['changed'], event: StakeEvent): StakeEffect[] {
  const effects: StakeEffect[] = [];
  const { request, message } = next;
  const acceptAgain = event.kind === 'acceptanceReorganised' || (event.kind === 'adminRetry' && request?.state === 'ACCEPTING');
  if (request && changed.request && (request.state === 'REQUESTED' || acceptAgain)) {
    effects.push({ kind: 'accept', direction: request.direction, stakeRequestHash: request.stakeRequestHash });
  }
  if (message && changed.message) {
    const { direction } = message;
    if (message.state === 'DECLARED') effects.push({ kind: 'prove', direction }, { kind: 'confirm', direction });
    if (message.state === 'CONFIRMED') effects.push({ kind: 'progress', direction });
  }
  return effects;
}

function sameRecord<T extends object>(a: T | undefined, b: T | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof T>;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}
