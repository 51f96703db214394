import type { MessageStatus } from '../mosaic/message-status';
import type { Direction } from './model';
import { isAdminEvent, type StakeEvent } from './stake/events';
import type { StakeFacilitation, StakeTransition } from './stake/transition';

/** One line of a request's or message's history: what it became, why, and what showed it. */
export interface HistoryEntry {
  direction: Direction;
  record: 'request' | 'message';
  hash: string;
  from?: string;
  state: string;
  /** A message's box statuses after the change (source outbox, target inbox). */
  sourceStatus?: MessageStatus;
  targetStatus?: MessageStatus;
  /** The event that made the change (e.g. sourceStatusSeen, confirmQueued, requestClosed). */
  event: string;
  reason?: string;
  blockNumber?: bigint;
  txHash?: string;
  /** When it was recorded (ms). */
  at: number;
}

export interface HistoryRow {
  direction: Direction;
  record: 'request' | 'message';
  hash: string;
  from_state: string | null;
  to_state: string;
  source_status: number | null;
  target_status: number | null;
  event: string;
  reason: string | null;
  block_number: string | null;
  tx_hash: string | null;
  at: number | string;
}

/** Where an event was seen: its own evidence, else the block and transaction a request or declaration carries. */
function evidenceOf(event: StakeEvent): { block_number: string | null; tx_hash: string | null } {
  const block =
    event.evidence?.blockNumber ??
    (event.kind === 'requestSeen' ? event.request.blockNumber : event.kind === 'sourceStatusSeen' ? event.declarationHeight : undefined);
  const tx = event.evidence?.txHash ?? (event.kind === 'requestSeen' ? event.request.transactionHash : undefined);
  return { block_number: block === undefined ? null : block.toString(), tx_hash: tx ?? null };
}

/**
 * The rows a transition adds to the history: a row per state change, and one when a message's box
 * statuses move without changing its state (e.g. progressStake mined while progressMint is pending).
 */
export function historyRows(before: StakeFacilitation, transition: StakeTransition, event: StakeEvent): Array<Omit<HistoryRow, 'at'>> {
  const rows: Array<Omit<HistoryRow, 'at'>> = [];
  const evidence = evidenceOf(event);
  const { next } = transition;
  if (next.request && before.request?.state !== next.request.state) {
    const request = next.request;
    rows.push({ direction: request.direction, record: 'request', hash: request.stakeRequestHash, from_state: before.request?.state ?? null, to_state: request.state, source_status: null, target_status: null, event: event.kind, reason: request.reason ?? event.evidence?.note ?? null, ...evidence });
  }
  const message = next.message;
  if (message) {
    const previous = before.message;
    const moved = previous?.state !== message.state || previous?.sourceStatus !== message.sourceStatus || previous?.targetStatus !== message.targetStatus;
    // An operator's action is recorded even when it changes no state (a failed step requeued).
    if (moved || isAdminEvent(event)) {
      rows.push({
        direction: message.direction,
        record: 'message',
        hash: message.messageHash,
        from_state: previous?.state ?? null,
        to_state: message.state,
        source_status: message.sourceStatus,
        target_status: message.targetStatus,
        event: event.kind,
        reason: (event.kind === 'adminRetry' ? event.note : message.reason) ?? event.evidence?.note ?? null,
        ...evidence,
      });
    }
  }
  return rows;
}

export function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    direction: row.direction,
    record: row.record,
    hash: row.hash,
    from: row.from_state ?? undefined,
    state: row.to_state,
    sourceStatus: row.source_status === null ? undefined : (Number(row.source_status) as MessageStatus),
    targetStatus: row.target_status === null ? undefined : (Number(row.target_status) as MessageStatus),
    event: row.event,
    reason: row.reason ?? undefined,
    blockNumber: row.block_number === null ? undefined : BigInt(row.block_number),
    txHash: row.tx_hash ?? undefined,
    at: Number(row.at),
  };
}
