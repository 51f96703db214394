import type { MessageStatus } from '../../mosaic/message-status';
import type { MessageRecord, StakeRequestRecord } from '../model';

/**
 * Everything that can happen to one stake facilitation (a stake request and the message made for it).
 * Handlers (subgraph entities), outcomes (mined or failed transactions) and services (decisions taken
 * from chain reads) only produce these; `stakeTransition` alone decides what they change.
 */
export type StakeEvent = StakeEventBody & {
  /** Where it was seen, for the history: the block and the transaction that showed it, when known. */
  evidence?: Evidence;
};

export interface Evidence {
  blockNumber?: bigint;
  txHash?: string;
  /** Why, when the record's own reason does not say: e.g. the profitability numbers an accept was decided on. */
  note?: string;
}

type StakeEventBody =
  /** StakeRequested seen on the chain. */
  | { kind: 'requestSeen'; request: StakeRequestRecord }
  /** StakeRevoked / StakeRejected: the composer's own word on the request's end. */
  | { kind: 'requestClosed'; stakeRequestHash: string; by: 'REVOKED' | 'REJECTED' }
  /** Not ours to facilitate (policy). */
  | { kind: 'requestIgnored'; stakeRequestHash: string; reason: string }
  /** A hash lock was made: the message and its unlock secret are to be persisted before any send. */
  | { kind: 'acceptancePrepared'; message: MessageRecord }
  /** Every accept attempt failed. */
  | { kind: 'acceptGivenUp'; stakeRequestHash: string; reason: string }
  /** Gone from the composer without our declaration: another facilitator took it, or it was revoked. */
  | { kind: 'requestTaken'; stakeRequestHash: string }
  /** A reorg's verdict: the request itself is gone (ORPHANED), or gone from the composer (TAKEN). */
  | { kind: 'requestLost'; stakeRequestHash: string; state: 'ORPHANED' | 'TAKEN'; reason: string }
  /** A reorg took our declaration away while the request is still pending: accept again, same hash lock. */
  | { kind: 'acceptanceReorganised'; stakeRequestHash: string; reason: string }
  /** The gateway outbox holds the message at `status` (entity, receipt or chain read). */
  | { kind: 'sourceStatusSeen'; messageHash: string; status: MessageStatus; declarationHeight?: bigint }
  /** The cogateway inbox holds the message at `status`. */
  | { kind: 'targetStatusSeen'; messageHash: string; status: MessageStatus; confirmedHeight?: bigint }
  /** The declaration is on the chain at another height (our accept mined again after a reorg). */
  | { kind: 'declarationMoved'; messageHash: string; declarationHeight: bigint }
  /** confirmStakeIntent is queued. */
  | { kind: 'confirmQueued'; messageHash: string }
  /** confirmStakeIntent failed and the inbox is still empty: wait for another proof. */
  | { kind: 'confirmFailed'; messageHash: string }
  /** Something only an operator can explain (e.g. an accept mined without our declaration). */
  | { kind: 'messageFailed'; messageHash: string; reason: string }
  /**
   * An operator asked to retry (admin API): a FAILED message is taken up again from what its message
   * boxes show (its FAILED request with it); `note` says who asked and what was requeued (history).
   */
  | { kind: 'adminRetry'; messageHash: string; note: string }
  /** An operator gave the message up (admin API): ADMIN_ABANDONED, final; `reason` says who and why. */
  | { kind: 'adminAbandon'; messageHash: string; reason: string };

export type StakeEventKind = StakeEvent['kind'];

/** Events an operator made (admin API): recorded in the history even when they change no state. */
export function isAdminEvent(event: StakeEvent): event is Extract<StakeEvent, { kind: 'adminRetry' | 'adminAbandon' }> {
  return event.kind === 'adminRetry' || event.kind === 'adminAbandon';
}

/** The key an event is about: a stake request hash, or a message hash to be resolved to its request. */
export function stakeEventKey(event: StakeEvent): { stakeRequestHash: string } | { messageHash: string } {
  switch (event.kind) {
    case 'requestSeen':
      return { stakeRequestHash: event.request.stakeRequestHash };
    case 'acceptancePrepared':
      return { stakeRequestHash: event.message.stakeRequestHash };
    case 'requestClosed':
    case 'requestIgnored':
    case 'acceptGivenUp':
    case 'requestTaken':
    case 'requestLost':
    case 'acceptanceReorganised':
      return { stakeRequestHash: event.stakeRequestHash };
    case 'sourceStatusSeen':
    case 'targetStatusSeen':
    case 'declarationMoved':
    case 'confirmQueued':
    case 'confirmFailed':
    case 'messageFailed':
    case 'adminRetry':
    case 'adminAbandon':
      return { messageHash: event.messageHash };
  }
}
