import type { OutboxRecord } from '../chain/tx-engine/outbox-port';
import type { MessageRecord } from '../facilitation/model';
import { MessageStatus } from '../mosaic/message-status';

/** What the status source knows around one message, read when asked (never stored). */
export interface WaitingFacts {
  /** The message's own outbox records (accept, confirm, progress), newest first. */
  steps: OutboxRecord[];
  /** Highest source height proven on the target chain. */
  provenHeight?: bigint;
  /** Highest source height the target chain's anchor holds. */
  anchoredHeight?: bigint;
  /** A proof of the source gateway queued or in flight. */
  proofInFlight?: OutboxRecord;
  now: number;
}

const NAMES = {
  STAKE: { source: 'origin', target: 'auxiliary', accept: 'acceptStakeRequest', confirm: 'confirmStakeIntent', progress: ['progressStake', 'progressMint'] },
  REDEEM: { source: 'auxiliary', target: 'origin', accept: 'acceptRedeemRequest', confirm: 'confirmRedeemIntent', progress: ['progressRedeem', 'progressUnstake'] },
} as const;

const FINAL = new Set(['COMPLETED', 'ABANDONED', 'ADMIN_ABANDONED', 'FAILED']);

/** A step's record as an operator reads it: queued (and why it waits), or sent and not mined yet. */
export function describeStep(record: OutboxRecord, now: number): string {
  if (record.status === 'queued') {
    const waits = record.lastError ? `: ${record.lastError}` : '';
    const until = record.notBefore !== undefined && record.notBefore > now ? ` (next try in ${Math.ceil((record.notBefore - now) / 1000)} s)` : '';
    return `${record.purpose} queued for worker ${record.worker}${waits}${until}`;
  }
  const age = record.sentAt !== undefined ? `, sent ${Math.round((now - record.sentAt) / 1000)} s ago` : '';
  return `${record.purpose} ${record.txHash ?? ''} (nonce ${String(record.nonce)}) to be mined${age}`.replace('  ', ' ');
}

function pending(steps: OutboxRecord[], purpose: string): OutboxRecord | undefined {
  return steps.find((r) => r.purpose === purpose && (r.status === 'queued' || r.status === 'sent'));
}

/** What a message waits for, in one line, or null when it waits for nothing (a final state). */
export function waitingFor(message: MessageRecord, facts: WaitingFacts): string | null {
  if (FINAL.has(message.state)) return null;
  const names = NAMES[message.direction];
  const step = (purpose: string) => pending(facts.steps, purpose);
  switch (message.state) {
    case 'ACCEPTING': {
      const accept = step(names.accept);
      return accept ? describeStep(accept, facts.now) : `${names.accept} to be queued (a worker with gas and the bounty; the request still open)`;
    }
    case 'DECLARED':
      return declaredWaits(message, facts, names);
    case 'CONFIRMING': {
      const confirm = step(names.confirm);
      return confirm ? describeStep(confirm, facts.now) : `${names.confirm} to be queued`;
    }
    case 'CONFIRMED': {
      const sides = [
        { purpose: names.progress[0], done: message.sourceStatus === MessageStatus.Progressed },
        { purpose: names.progress[1], done: message.targetStatus === MessageStatus.Progressed },
      ].filter((side) => !side.done);
      return sides.map((side) => (step(side.purpose) ? describeStep(step(side.purpose)!, facts.now) : `${side.purpose} to be queued`)).join('; ');
    }
    default:
      return null;
  }
}

function declaredWaits(message: MessageRecord, facts: WaitingFacts, names: (typeof NAMES)[keyof typeof NAMES]): string {
  const height = message.declarationHeight;
  if (height === undefined) return 'the block of its declaration to be known';
  if (facts.provenHeight !== undefined && facts.provenHeight >= height) return `${names.confirm} to be queued (proven at ${names.source} height ${facts.provenHeight})`;
  if (facts.proofInFlight) return `the proof ${describeStep(facts.proofInFlight, facts.now)}`;
  if (facts.anchoredHeight === undefined || facts.anchoredHeight < height) {
    return `the ${names.target} chain's anchor to reach ${names.source} height ${height} (anchored: ${facts.anchoredHeight ?? 'unknown'})`;
  }
  return `a proof at ${names.source} height ≥ ${height} to be queued`;
}
