import { expect } from 'chai';
import type { ProfitabilityPolicy } from '../../../src/facilitation/context';
import { DIRECTIONS, type Direction, type MessageRecord, type MessageState, type StakeRequestState } from '../../../src/facilitation/model';
import { describeVerdict, judgeProfitability } from '../../../src/facilitation/profitability';
import type { StakeEvent, StakeEventKind } from '../../../src/facilitation/stake/events';
import { stakeTransition, type StakeFacilitation, type StakeTransition } from '../../../src/facilitation/stake/transition';
import { MessageStatus } from '../../../src/mosaic/message-status';
import { MESSAGE_HASH, REQUEST_HASH, stakeMessage, stakeRequest } from '../facilitation-store-contract';

const declared = { sourceStatus: MessageStatus.Declared, declarationHeight: 42n };

/** Every state the table walks, impossible combinations included, with records of `direction`. */
function statesOf(direction: Direction): Record<string, StakeFacilitation> {
  /** A facilitation from `REQUEST/MESSAGE` (message box statuses given where the state needs them). */
  const facilitation = (request: StakeRequestState | undefined, message?: MessageState, boxes: Partial<MessageRecord> = {}): StakeFacilitation => ({
    request: request && stakeRequest({ direction, state: request, messageHash: message && MESSAGE_HASH }),
    message: message && stakeMessage({ direction, state: message, ...boxes }),
  });
  return {
    'nothing known': {},
    'closed before seen': { closure: 'REVOKED' },
    REQUESTED: facilitation('REQUESTED'),
    IGNORED: facilitation('IGNORED'),
    REVOKED: facilitation('REVOKED'),
    REJECTED: facilitation('REJECTED'),
    TAKEN: facilitation('TAKEN'),
    ORPHANED: facilitation('ORPHANED'),
    FAILED: facilitation('FAILED'),
    'ACCEPTING/ACCEPTING': facilitation('ACCEPTING', 'ACCEPTING'),
    'ACCEPTED/DECLARED': facilitation('ACCEPTED', 'DECLARED', declared),
    'ACCEPTED/CONFIRMING': facilitation('ACCEPTED', 'CONFIRMING', declared),
    'ACCEPTED/CONFIRMED': facilitation('ACCEPTED', 'CONFIRMED', { ...declared, targetStatus: MessageStatus.Declared }),
    'ACCEPTED/COMPLETED': facilitation('ACCEPTED', 'COMPLETED', { ...declared, sourceStatus: MessageStatus.Progressed, targetStatus: MessageStatus.Progressed }),
    'FAILED/FAILED': facilitation('FAILED', 'FAILED'),
    'TAKEN/ABANDONED': facilitation('TAKEN', 'ABANDONED'),
    'ORPHANED/ABANDONED': facilitation('ORPHANED', 'ABANDONED'),
    'ACCEPTED/FAILED (declared)': facilitation('ACCEPTED', 'FAILED', declared),
    'ACCEPTED/FAILED (confirmed)': facilitation('ACCEPTED', 'FAILED', { ...declared, targetStatus: MessageStatus.Declared }),
    'ACCEPTED/ADMIN_ABANDONED': facilitation('ACCEPTED', 'ADMIN_ABANDONED', declared),
    'ORPHANED/ADMIN_ABANDONED': facilitation('ORPHANED', 'ADMIN_ABANDONED'),
  };
}

/** A policy no request of the contract's records (reward 2 wei) pays for: the accept service's profitability refusal. */
const UNPROFITABLE: ProfitabilityPolicy = {
  marginPercent: 100n,
  ostPerEth: { numerator: 1n, denominator: 1n },
  gas: { STAKE: { origin: 2n, auxiliary: 2n }, REDEEM: { origin: 2n, auxiliary: 2n } },
};
const unprofitable = (direction: Direction) => describeVerdict(judgeProfitability(stakeRequest({ direction }), UNPROFITABLE, { origin: 1n, auxiliary: 1n }));

/** One event of every kind (message box events at both statuses), records of `direction` where an event carries one. */
function eventsOf(direction: Direction): Record<string, StakeEvent> {
  return {
    requestSeen: { kind: 'requestSeen', request: stakeRequest({ direction, blockNumber: 12n }) },
    requestClosed: { kind: 'requestClosed', stakeRequestHash: REQUEST_HASH, by: 'REVOKED' },
    requestIgnored: { kind: 'requestIgnored', stakeRequestHash: REQUEST_HASH, reason: 'policy' },
    requestUnprofitable: { kind: 'requestIgnored', stakeRequestHash: REQUEST_HASH, reason: unprofitable(direction) },
    acceptancePrepared: { kind: 'acceptancePrepared', message: stakeMessage({ direction, messageHash: MESSAGE_HASH }) },
    acceptGivenUp: { kind: 'acceptGivenUp', stakeRequestHash: REQUEST_HASH, reason: 'failed 3 times' },
    requestTaken: { kind: 'requestTaken', stakeRequestHash: REQUEST_HASH },
    requestLost: { kind: 'requestLost', stakeRequestHash: REQUEST_HASH, state: 'ORPHANED', reason: 'reorganised away' },
    acceptanceReorganised: { kind: 'acceptanceReorganised', stakeRequestHash: REQUEST_HASH, reason: 'declaration reorganised away' },
    sourceDeclared: { kind: 'sourceStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared, declarationHeight: 42n },
    sourceProgressed: { kind: 'sourceStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Progressed },
    targetDeclared: { kind: 'targetStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Declared, confirmedHeight: 50n },
    targetProgressed: { kind: 'targetStatusSeen', messageHash: MESSAGE_HASH, status: MessageStatus.Progressed },
    declarationMoved: { kind: 'declarationMoved', messageHash: MESSAGE_HASH, declarationHeight: 49n },
    confirmQueued: { kind: 'confirmQueued', messageHash: MESSAGE_HASH },
    confirmFailed: { kind: 'confirmFailed', messageHash: MESSAGE_HASH },
    messageFailed: { kind: 'messageFailed', messageHash: MESSAGE_HASH, reason: 'declared hash differs' },
    adminRetry: { kind: 'adminRetry', messageHash: MESSAGE_HASH, note: 'retried by an operator' },
    adminAbandon: { kind: 'adminAbandon', messageHash: MESSAGE_HASH, reason: 'abandoned by an operator: staker asked' },
  };
}

const STATES = statesOf('STAKE');
const EVENTS = eventsOf('STAKE');

/**
 * Expected `REQUEST/MESSAGE` (+CLOSURE) after each event; an event a row does not name leaves that
 * state as it is. Read a row as: "from this state, these events move it; nothing else does".
 */
const MOVES: Record<keyof typeof STATES, Partial<Record<keyof typeof EVENTS, string>>> = {
  'nothing known': { requestSeen: 'REQUESTED/-', requestClosed: '-/-+REVOKED' },
  'closed before seen': { requestSeen: 'REVOKED/-+REVOKED' },
  REQUESTED: {
    requestClosed: 'REVOKED/-',
    requestIgnored: 'IGNORED/-',
    requestUnprofitable: 'IGNORED/-',
    acceptancePrepared: 'ACCEPTING/ACCEPTING',
    acceptGivenUp: 'FAILED/-',
    requestTaken: 'TAKEN/-',
    requestLost: 'ORPHANED/-',
    acceptanceReorganised: 'ACCEPTING/-',
  },
  IGNORED: { requestClosed: 'REVOKED/-' },
  REVOKED: {},
  REJECTED: {},
  TAKEN: { requestClosed: 'REVOKED/-', requestLost: 'ORPHANED/-', acceptanceReorganised: 'ACCEPTING/-' },
  ORPHANED: { requestSeen: 'REQUESTED/-', acceptanceReorganised: 'ACCEPTING/-' },
  FAILED: { requestClosed: 'REVOKED/-', requestLost: 'ORPHANED/-', acceptanceReorganised: 'ACCEPTING/-' },
  'ACCEPTING/ACCEPTING': {
    requestClosed: 'REVOKED/ACCEPTING',
    requestIgnored: 'IGNORED/ACCEPTING',
    requestUnprofitable: 'IGNORED/ACCEPTING',
    acceptGivenUp: 'FAILED/FAILED',
    requestTaken: 'TAKEN/ABANDONED',
    requestLost: 'ORPHANED/ABANDONED',
    sourceDeclared: 'ACCEPTED/DECLARED',
    sourceProgressed: 'ACCEPTED/DECLARED',
    targetDeclared: 'ACCEPTING/CONFIRMED',
    targetProgressed: 'ACCEPTING/CONFIRMED',
    messageFailed: 'ACCEPTING/FAILED',
    adminAbandon: 'FAILED/ADMIN_ABANDONED',
  },
  'ACCEPTED/DECLARED': {
    requestLost: 'ORPHANED/ABANDONED',
    acceptanceReorganised: 'ACCEPTING/ACCEPTING',
    targetDeclared: 'ACCEPTED/CONFIRMED',
    targetProgressed: 'ACCEPTED/CONFIRMED',
    confirmQueued: 'ACCEPTED/CONFIRMING',
    messageFailed: 'ACCEPTED/FAILED',
    adminAbandon: 'ACCEPTED/ADMIN_ABANDONED',
  },
  'ACCEPTED/CONFIRMING': {
    requestLost: 'ORPHANED/CONFIRMING',
    acceptanceReorganised: 'ACCEPTING/CONFIRMING',
    targetDeclared: 'ACCEPTED/CONFIRMED',
    targetProgressed: 'ACCEPTED/CONFIRMED',
    confirmFailed: 'ACCEPTED/DECLARED',
    messageFailed: 'ACCEPTED/FAILED',
    adminAbandon: 'ACCEPTED/ADMIN_ABANDONED',
  },
  'ACCEPTED/CONFIRMED': {
    requestLost: 'ORPHANED/CONFIRMED',
    acceptanceReorganised: 'ACCEPTING/CONFIRMED',
    messageFailed: 'ACCEPTED/FAILED',
    adminAbandon: 'ACCEPTED/ADMIN_ABANDONED',
  },
  'ACCEPTED/COMPLETED': { requestLost: 'ORPHANED/COMPLETED', acceptanceReorganised: 'ACCEPTING/COMPLETED' },
  'FAILED/FAILED': {
    requestClosed: 'REVOKED/FAILED',
    requestLost: 'ORPHANED/FAILED',
    acceptanceReorganised: 'ACCEPTING/FAILED',
    adminRetry: 'ACCEPTING/ACCEPTING',
    adminAbandon: 'FAILED/ADMIN_ABANDONED',
  },
  'TAKEN/ABANDONED': {
    requestClosed: 'REVOKED/ABANDONED',
    requestLost: 'ORPHANED/ABANDONED',
    acceptanceReorganised: 'ACCEPTING/ACCEPTING',
    sourceDeclared: 'TAKEN/DECLARED',
    sourceProgressed: 'TAKEN/DECLARED',
    adminAbandon: 'TAKEN/ADMIN_ABANDONED',
  },
  'ORPHANED/ABANDONED': {
    requestSeen: 'REQUESTED/ACCEPTING',
    acceptanceReorganised: 'ACCEPTING/ACCEPTING',
    sourceDeclared: 'ORPHANED/DECLARED',
    sourceProgressed: 'ORPHANED/DECLARED',
    adminAbandon: 'ORPHANED/ADMIN_ABANDONED',
  },
  // A FAILED message stays FAILED whatever the boxes show; only an operator's retry takes it up again.
  'ACCEPTED/FAILED (declared)': {
    requestLost: 'ORPHANED/FAILED',
    acceptanceReorganised: 'ACCEPTING/FAILED',
    adminRetry: 'ACCEPTED/DECLARED',
    adminAbandon: 'ACCEPTED/ADMIN_ABANDONED',
  },
  'ACCEPTED/FAILED (confirmed)': {
    requestLost: 'ORPHANED/FAILED',
    acceptanceReorganised: 'ACCEPTING/FAILED',
    adminRetry: 'ACCEPTED/CONFIRMED',
    adminAbandon: 'ACCEPTED/ADMIN_ABANDONED',
  },
  // Final: neither the boxes, a reorg, the request reappearing nor a retry take it up again.
  'ACCEPTED/ADMIN_ABANDONED': {},
  'ORPHANED/ADMIN_ABANDONED': {},
};

const label = (state: StakeFacilitation) =>
  `${state.request?.state ?? '-'}/${state.message?.state ?? '-'}${state.closure ? `+${state.closure}` : ''}`;

describe('stake transition: every (state, event) pair', () => {
  it('covers every event kind', () => {
    const kinds = new Set(Object.values(EVENTS).map((e) => e.kind));
    const all: StakeEventKind[] = [
      'requestSeen', 'requestClosed', 'requestIgnored', 'acceptancePrepared', 'acceptGivenUp', 'requestTaken', 'requestLost',
      'acceptanceReorganised', 'sourceStatusSeen', 'targetStatusSeen', 'declarationMoved', 'confirmQueued', 'confirmFailed', 'messageFailed',
      'adminRetry', 'adminAbandon',
    ];
    expect([...kinds].sort()).to.deep.equal([...all].sort());
  });

  for (const direction of DIRECTIONS) {
    const states = statesOf(direction);
    const events = eventsOf(direction);
    for (const [stateName, state] of Object.entries(states)) {
      it(`${direction} from ${stateName}: ${Object.keys(MOVES[stateName]).join(', ') || 'no event'} move it, every other event leaves it`, () => {
        for (const [eventName, event] of Object.entries(events)) {
          const { next } = stakeTransition(state, event);
          const expected = MOVES[stateName][eventName] ?? label(state);
          expect(label(next), `${direction} ${stateName} + ${eventName}`).to.equal(expected);
        }
      });
    }
  }

  it('is pure: the state given is never modified', () => {
    for (const state of Object.values(STATES)) {
      const before = JSON.stringify(state, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      for (const event of Object.values(EVENTS)) stakeTransition(state, event);
      expect(JSON.stringify(state, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).to.equal(before);
    }
  });
});

/** Events whose reason names the direction's own contracts (the rest read the same for both). */
const WORDED_BY_DIRECTION: ReadonlySet<string> = new Set(['requestTaken']);

/** What a transition did, with each effect's and change's direction made `direction` (and worded reasons dropped). */
function outcome(t: StakeTransition, direction: Direction, eventName: string) {
  const reason = (r: string | undefined) => (WORDED_BY_DIRECTION.has(eventName) ? '(worded by direction)' : r);
  return {
    next: label(t.next),
    changed: t.changed,
    effects: t.effects.map((e) => ({ ...e, direction })),
    changes: t.changes.map((c) => ({ ...c, direction, reason: reason(c.reason) })),
  };
}

describe('stake transition: the same table for REDEEM', () => {
  const [stakeStates, redeemStates] = [statesOf('STAKE'), statesOf('REDEEM')];
  const [stakeEvents, redeemEvents] = [eventsOf('STAKE'), eventsOf('REDEEM')];
  for (const stateName of Object.keys(stakeStates)) {
    it(`from ${stateName}: every event does to REDEEM records what it does to STAKE ones, REDEEM on each effect and change`, () => {
      for (const eventName of Object.keys(stakeEvents)) {
        const stake = stakeTransition(stakeStates[stateName], stakeEvents[eventName]);
        const redeem = stakeTransition(redeemStates[stateName], redeemEvents[eventName]);
        const where = `${stateName} + ${eventName}`;
        expect(outcome(redeem, 'REDEEM', eventName), where).to.deep.equal(outcome(stake, 'REDEEM', eventName));
        expect([...redeem.effects, ...redeem.changes].map((e) => e.direction).filter((d) => d !== 'REDEEM'), where).to.deep.equal([]);
        expect([redeem.next.request?.direction, redeem.next.message?.direction].filter((d) => d === 'STAKE'), where).to.deep.equal([]);
      }
    });
  }

  it('says in a REDEEM request\'s own words that it was taken: the redeem pool, not the composer', () => {
    const { changes } = stakeTransition(redeemStates['ACCEPTING/ACCEPTING'], redeemEvents.requestTaken);
    expect(changes.map((c) => c.reason)).to.deep.equal([
      'no longer open in the redeem pool',
      'the redeem request was accepted by another facilitator or revoked',
    ]);
  });

  it('records an unprofitable REDEEM request IGNORED with the verdict\'s numbers, and makes no work due', () => {
    const { changes, effects } = stakeTransition(redeemStates.REQUESTED, redeemEvents.requestUnprofitable);
    expect(changes).to.deep.equal([
      { record: 'request', direction: 'REDEEM', hash: REQUEST_HASH, from: 'REQUESTED', to: 'IGNORED', reason: unprofitable('REDEEM') },
    ]);
    expect(changes[0].reason).to.match(/^unprofitable: offered reward 2 wei/);
    expect(effects).to.deep.equal([]);
  });
});

describe('stake transition: details', () => {
  it('never replaces the unlock secret of a message it holds', () => {
    const state = STATES['ACCEPTING/ACCEPTING'];
    const { next, changed } = stakeTransition(state, { kind: 'acceptancePrepared', message: stakeMessage({ unlockSecret: `0x${'00'.repeat(32)}` }) });
    expect(next.message!.unlockSecret).to.equal(state.message!.unlockSecret);
    expect(changed).to.deep.equal({ request: false, message: false, closure: false });
  });

  it('never lowers a message box status, and keeps the first declaration and confirmation heights', () => {
    const state = STATES['ACCEPTED/COMPLETED'];
    expect(stakeTransition(state, EVENTS.sourceDeclared).changed.message).to.equal(false);
    const confirmed = stakeTransition(STATES['ACCEPTED/CONFIRMING'], EVENTS.targetDeclared).next;
    expect(stakeTransition(confirmed, { ...EVENTS.targetDeclared, confirmedHeight: 60n } as StakeEvent).next.message!.confirmedHeight).to.equal(50n);
  });

  it('clears the declaration of a message a reorg sends back, and keeps its secret', () => {
    const { next } = stakeTransition(STATES['ACCEPTED/DECLARED'], EVENTS.requestLost);
    expect([next.message!.sourceStatus, next.message!.declarationHeight, next.message!.unlockSecret, next.message!.reason]).to.deep.equal([
      MessageStatus.Undeclared,
      undefined,
      STATES['ACCEPTED/DECLARED'].message!.unlockSecret,
      'reorganised away',
    ]);
  });

  it('makes work due: accept for a new or reopened request, prove and confirm for DECLARED, progress for CONFIRMED', () => {
    const kinds = (state: StakeFacilitation, event: StakeEvent) => stakeTransition(state, event).effects.map((e) => e.kind);
    expect(kinds(STATES['nothing known'], EVENTS.requestSeen)).to.deep.equal(['accept']);
    expect(kinds(STATES['ACCEPTED/DECLARED'], EVENTS.acceptanceReorganised)).to.deep.equal(['accept']);
    expect(kinds(STATES['ACCEPTING/ACCEPTING'], EVENTS.sourceDeclared)).to.deep.equal(['prove', 'confirm']);
    expect(kinds(STATES['ACCEPTED/CONFIRMING'], EVENTS.targetDeclared)).to.deep.equal(['progress']);
    expect(kinds(STATES['ACCEPTED/COMPLETED'], EVENTS.targetProgressed), 'a no-op makes nothing due').to.deep.equal([]);
  });

  it('records each state change with where it came from and why', () => {
    const { changes } = stakeTransition(STATES['ACCEPTED/DECLARED'], EVENTS.requestLost);
    expect(changes).to.deep.equal([
      { record: 'request', direction: 'STAKE', hash: REQUEST_HASH, from: 'ACCEPTED', to: 'ORPHANED', reason: 'reorganised away' },
      { record: 'message', direction: 'STAKE', hash: MESSAGE_HASH, from: 'DECLARED', to: 'ABANDONED', reason: 'reorganised away' },
    ]);
  });

  it('takes a FAILED message up again where its boxes are, with the work that makes due', () => {
    const kinds = (state: StakeFacilitation) => stakeTransition(state, EVENTS.adminRetry).effects.map((e) => e.kind);
    expect(kinds(STATES['FAILED/FAILED']), 'nothing declared: accepted again').to.deep.equal(['accept']);
    expect(kinds(STATES['ACCEPTED/FAILED (declared)'])).to.deep.equal(['prove', 'confirm']);
    expect(kinds(STATES['ACCEPTED/FAILED (confirmed)'])).to.deep.equal(['progress']);
    expect(kinds(STATES['ACCEPTED/CONFIRMED']), 'a retried step changes no state').to.deep.equal([]);
    const { next } = stakeTransition(STATES['ACCEPTED/FAILED (declared)'], EVENTS.adminRetry);
    expect(next.message!.reason).to.equal(undefined);
  });

  it('gives a message up with the operator\'s reason, its unlock secret kept, and makes no work due', () => {
    const state = STATES['ACCEPTED/CONFIRMED'];
    const { next, effects, changes } = stakeTransition(state, EVENTS.adminAbandon);
    expect([next.message!.state, next.message!.reason, next.message!.unlockSecret]).to.deep.equal([
      'ADMIN_ABANDONED',
      'abandoned by an operator: staker asked',
      state.message!.unlockSecret,
    ]);
    expect(effects).to.deep.equal([]);
    expect(changes.map((c) => c.to)).to.deep.equal(['ADMIN_ABANDONED']);
  });
});
