import type { OutboxRecord } from '../chain/tx-engine/outbox-port';
import type { FeeCapWait } from '../chain/tx-engine/transaction-engine';
import type { MessageRecord, MessageState, StakeRequestRecord } from '../facilitation/model';
import { MessageStatus } from '../mosaic/message-status';

/** What a request or message waits for, as a tool reads it (the `reason` says it to an operator). */
export type WaitKind =
  /** This instance stands by: the active one sends (active/standby). */
  | 'ACTIVE_INSTANCE'
  /** The facilitator is not running (read from its database). */
  | 'FACILITATOR_STOPPED'
  /** No worker of the chain holds the gas (and bounty) the step needs. */
  | 'WORKER_FUNDS'
  /** A stake's accept waits for its worker's bounty allowance approval to be mined. */
  | 'BOUNTY_ALLOWANCE'
  /** A redeem's accept waits for the redeemer's previous message to complete (ours or another facilitator's). */
  | 'PREVIOUS_MESSAGE'
  /** A step held back: the chain needs more per gas than its maxFeePerGas cap. */
  | 'FEE_CAP'
  /** A step to be tried again after a transient failure. */
  | 'RETRY'
  /** A step queued for its worker, not sent yet. */
  | 'QUEUED'
  /** A step sent (nonce n), not mined yet. */
  | 'MINED'
  /** A step mined, not deep enough yet. */
  | 'CONFIRMATIONS'
  /** The target chain's anchor to reach the source height of the declaration. */
  | 'ANCHOR'
  /** A step its service has not queued yet (it will, the facts allowing). */
  | 'STEP'
  /** The block of a declaration, or the outcome of a mined accept, to be recorded. */
  | 'DECLARATION';

export interface Wait {
  kind: WaitKind;
  /** One line: what it waits for, concretely (heights, hashes, nonces, balances). */
  reason: string;
  /** Since when it waits for this (ms since the epoch), when known. */
  since?: number;
}

/** A worker's balances on one chain: native coin (wei) and, on origin, the value token (OST). */
export interface WorkerBalance {
  address: string;
  balance: bigint;
  tokenBalance?: bigint;
}

/** The workers of the chains a record's steps go to, and what a step needs of them. */
export interface WorkerFunds {
  /** Workers of the source chain (accept, progressStake / progressRedeem). */
  source: WorkerBalance[];
  /** Workers of the target chain (proof, confirm, progressMint / progressUnstake). */
  target: WorkerBalance[];
  /** Native coin a worker needs to be given any step (wei). */
  minGasBalance: bigint;
  /** The bounty an accept locks: OST on origin (stake), base coin on top of the gas (redeem). */
  bounty?: bigint;
}

/** Where a mined step's block stands: the chain head and the depth the engine waits for. */
export interface Inclusion {
  block: bigint;
  head: bigint;
  confirmations: number;
}

/** What the status source knows around one request or message, read when asked (never stored). */
export interface WaitingFacts {
  /** The record's own outbox records (accept, confirm, progress), newest first. */
  steps: OutboxRecord[];
  /** Highest source height proven on the target chain. */
  provenHeight?: bigint;
  /** Highest source height the target chain's anchor holds. */
  anchoredHeight?: bigint;
  /** A proof of the source gateway queued or in flight. */
  proofInFlight?: OutboxRecord;
  now: number;
  /** When the record entered its current state (ms; from its history), if known. */
  stateSince?: number;
  /** Whether this instance sends: standby (the active one does), stopped (not running), else active. */
  instance?: 'active' | 'standby' | 'stopped';
  /** Per chain id: what the fee cap holds back there. */
  feeCapWaits?: ReadonlyMap<number, FeeCapWait>;
  /** Per transaction hash of a step sent and mined but not deep enough. */
  inclusions?: ReadonlyMap<string, Inclusion>;
  /** Worker balances, when the chains were read. */
  funds?: WorkerFunds;
  /** A stake's: its worker's bounty allowance approval, queued or in flight. */
  bountyApproval?: OutboxRecord;
  /** A redeem's: the redeemer's previous message still open (`state` undefined: not in our records). */
  previousMessage?: { nonce: bigint; messageHash?: string; state?: MessageState };
}

const NAMES = {
  STAKE: { source: 'origin', target: 'auxiliary', accept: 'acceptStakeRequest', prove: 'proveGateway', confirm: 'confirmStakeIntent', progress: ['progressStake', 'progressMint'] },
  REDEEM: { source: 'auxiliary', target: 'origin', accept: 'acceptRedeemRequest', prove: 'proveCoGateway', confirm: 'confirmRedeemIntent', progress: ['progressRedeem', 'progressUnstake'] },
} as const;
type Names = (typeof NAMES)[keyof typeof NAMES];

const FINAL_MESSAGE = new Set<string>(['COMPLETED', 'ABANDONED', 'ADMIN_ABANDONED', 'FAILED']);
/** A request in these states waits for nothing of its own (ACCEPTED: its message carries on). */
const FINAL_REQUEST = new Set<string>(['REVOKED', 'REJECTED', 'IGNORED', 'TAKEN', 'ORPHANED', 'FAILED']);
const FEE_CAP_ERROR = /^waiting: the chain needs (\d+) wei per gas, above the cap of (\d+)/;

/** Seconds as an operator reads them: 12 s, 3 min 5 s, 2 h 4 min, 3 d 2 h. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** A wait in one line, with how long it has lasted: "… — waiting 2 min 5 s (since 2026-11-27T10:01:03Z)". */
export function describeWait(wait: Wait | null, now: number): string | null {
  if (!wait) return null;
  if (wait.since === undefined) return wait.reason;
  return `${wait.reason} — waiting ${formatAge(now - wait.since)} (since ${new Date(wait.since).toISOString().replace(/\.\d{3}Z$/, 'Z')})`;
}

/** What one outbox record waits for: the fee cap, a retry, its turn, its block, or its confirmations. */
export function stepWait(record: OutboxRecord, facts: Pick<WaitingFacts, 'now' | 'feeCapWaits' | 'inclusions'>): Wait {
  const { now } = facts;
  if (record.status === 'queued') {
    const capped = record.lastError ? FEE_CAP_ERROR.exec(record.lastError) : null;
    if (capped) {
      const since = facts.feeCapWaits?.get(record.chainId)?.since ?? record.createdAt;
      return { kind: 'FEE_CAP', reason: `${record.purpose} held back by the fee cap: the chain needs ${capped[1]} wei per gas, the cap (maxFeePerGas) is ${capped[2]}`, since };
    }
    if (record.lastError) {
      const next = record.notBefore !== undefined && record.notBefore > now ? `, next try in ${Math.ceil((record.notBefore - now) / 1000)} s` : '';
      return { kind: 'RETRY', reason: `${record.purpose} to be tried again (attempt ${record.attempts + 1}${next}) after: ${record.lastError}`, since: record.createdAt };
    }
    return { kind: 'QUEUED', reason: `${record.purpose} queued for worker ${record.worker} on chain ${record.chainId}, not sent yet`, since: record.createdAt };
  }
  const inclusion = record.txHash ? facts.inclusions?.get(record.txHash) : undefined;
  if (inclusion) {
    const depth = inclusion.head - inclusion.block + 1n;
    const needed = BigInt(Math.max(1, inclusion.confirmations));
    const where = `${record.purpose} ${record.txHash} mined in block ${inclusion.block}`;
    if (depth >= needed) return { kind: 'CONFIRMATIONS', reason: `${where}: its outcome to be recorded`, since: record.sentAt };
    return { kind: 'CONFIRMATIONS', reason: `${where}: ${depth} of ${needed} confirmations`, since: record.sentAt };
  }
  return { kind: 'MINED', reason: `${record.purpose} ${record.txHash ?? ''} (nonce ${String(record.nonce)}, worker ${record.worker}) to be mined`.replace('  ', ' '), since: record.sentAt };
}

/** A step's record as an operator reads it (one line, with its age). */
export function describeStep(record: OutboxRecord, now: number): string {
  return describeWait(stepWait(record, { now }), now)!;
}

function pending(steps: OutboxRecord[], purpose: string): OutboxRecord | undefined {
  return steps.find((r) => r.purpose === purpose && (r.status === 'queued' || r.status === 'sent'));
}

/** Workers lacking funds on `side` for a step needing `gas` (and `tokens`): the wait, or undefined when one has enough. */
function fundsWait(facts: WaitingFacts, side: 'source' | 'target', chain: string, need: { gas: bigint; tokens?: bigint; token?: string }, step: string): Wait | undefined {
  const workers = facts.funds?.[side];
  if (!workers || workers.length === 0) return undefined;
  const enough = (w: WorkerBalance) => w.balance >= need.gas && (need.tokens === undefined || w.tokenBalance === undefined || w.tokenBalance >= need.tokens);
  if (workers.some(enough)) return undefined;
  const wanted = `${need.gas} wei${need.tokens !== undefined ? ` and ${need.tokens} ${need.token ?? ''}`.trimEnd() : ''}`;
  const held = workers.map((w) => `${w.address} ${w.balance} wei${w.tokenBalance !== undefined && need.tokens !== undefined ? ` ${w.tokenBalance} ${need.token ?? ''}`.trimEnd() : ''}`).join(', ');
  return { kind: 'WORKER_FUNDS', reason: `a worker on ${chain} with ${wanted} for ${step} (fund one: ${held})`, since: facts.stateSince };
}

/** A step not queued: a lack of worker funds on its chain, else its service to queue it. */
function toBeQueued(facts: WaitingFacts, side: 'source' | 'target', chain: string, step: string, detail = ''): Wait {
  const gas = facts.funds?.minGasBalance ?? 0n;
  return fundsWait(facts, side, chain, { gas }, step) ?? { kind: 'STEP', reason: `${step} to be queued${detail}`, since: facts.stateSince };
}

/** Standby or stopped: nothing moves until the active instance (or a started one) acts; the detail says on what. */
function instanceWait(facts: WaitingFacts, wait: Wait): Wait {
  if (facts.instance === 'standby') return { kind: 'ACTIVE_INSTANCE', reason: `the active facilitator (this instance stands by); it waits for: ${wait.reason}`, since: wait.since };
  if (facts.instance === 'stopped') return { kind: 'FACILITATOR_STOPPED', reason: `the facilitator to run (it is not running); then: ${wait.reason}`, since: wait.since };
  return wait;
}

/** What a message waits for, or null when it waits for nothing (a final state). */
export function messageWait(message: MessageRecord, facts: WaitingFacts): Wait | null {
  if (FINAL_MESSAGE.has(message.state)) return null;
  const names = NAMES[message.direction];
  let wait: Wait | null = null;
  switch (message.state) {
    case 'ACCEPTING':
      wait = acceptingWait(message, facts, names);
      break;
    case 'DECLARED':
      wait = declaredWait(message, facts, names);
      break;
    case 'CONFIRMING': {
      const confirm = pending(facts.steps, names.confirm);
      wait = confirm ? stepWait(confirm, facts) : toBeQueued(facts, 'target', names.target, names.confirm);
      break;
    }
    case 'CONFIRMED':
      wait = confirmedWait(message, facts, names);
      break;
  }
  return wait ? instanceWait(facts, wait) : null;
}

/** What a message waits for, in one line with its age, or null in a final state. */
export function waitingFor(message: MessageRecord, facts: WaitingFacts): string | null {
  return describeWait(messageWait(message, facts), facts.now);
}

function acceptingWait(message: MessageRecord, facts: WaitingFacts, names: Names): Wait {
  const accept = pending(facts.steps, names.accept);
  if (accept) return stepWait(accept, facts);
  const mined = facts.steps.find((r) => r.purpose === names.accept && r.status === 'mined');
  if (mined) return { kind: 'DECLARATION', reason: `${names.accept} ${mined.txHash ?? ''} mined in block ${String(mined.minedBlock)}: its declaration to be recorded`, since: facts.stateSince };
  if (facts.bountyApproval) {
    const approval = stepWait(facts.bountyApproval, facts);
    return { kind: 'BOUNTY_ALLOWANCE', reason: `the bounty allowance of worker ${message.worker}: ${approval.reason}`, since: approval.since ?? facts.stateSince };
  }
  const previous = facts.previousMessage;
  if (previous) {
    const which = previous.state ? `${previous.messageHash} (${previous.state})` : '(not in our records: another facilitator\u2019s)';
    return { kind: 'PREVIOUS_MESSAGE', reason: `the redeemer's previous message, nonce ${previous.nonce}, to complete: ${which}`, since: facts.stateSince };
  }
  const failed = facts.steps.find((r) => r.purpose === names.accept && r.status === 'failed');
  const after = failed ? ` again (the last one failed: ${failed.lastError ?? 'unknown'})` : '';
  return { kind: 'STEP', reason: `${names.accept} to be queued${after}`, since: facts.stateSince };
}

function declaredWait(message: MessageRecord, facts: WaitingFacts, names: Names): Wait {
  const height = message.declarationHeight;
  if (height === undefined) return { kind: 'DECLARATION', reason: 'the block of its declaration to be known', since: facts.stateSince };
  if (facts.provenHeight !== undefined && facts.provenHeight >= height) {
    const confirm = pending(facts.steps, names.confirm);
    if (confirm) return stepWait(confirm, facts);
    return toBeQueued(facts, 'target', names.target, names.confirm, ` (proven at ${names.source} height ${facts.provenHeight})`);
  }
  if (facts.proofInFlight) {
    const proof = stepWait(facts.proofInFlight, facts);
    return { ...proof, reason: `the proof: ${proof.reason}` };
  }
  if (facts.anchoredHeight === undefined || facts.anchoredHeight < height) {
    const left = facts.anchoredHeight === undefined ? 0n : height - facts.anchoredHeight;
    const anchored = facts.anchoredHeight === undefined ? 'unknown' : `${facts.anchoredHeight}, ${left} block${left === 1n ? '' : 's'} to go`;
    return { kind: 'ANCHOR', reason: `the ${names.target} chain's anchor to reach ${names.source} height ${height} (anchored: ${anchored})`, since: facts.stateSince };
  }
  return toBeQueued(facts, 'target', names.target, `${names.prove} at ${names.source} height ≥ ${height}`);
}

function confirmedWait(message: MessageRecord, facts: WaitingFacts, names: Names): Wait {
  const sides = [
    { purpose: names.progress[0], side: 'source' as const, chain: names.source, done: message.sourceStatus === MessageStatus.Progressed },
    { purpose: names.progress[1], side: 'target' as const, chain: names.target, done: message.targetStatus === MessageStatus.Progressed },
  ].filter((side) => !side.done);
  const waits = sides.map((side) => {
    const step = pending(facts.steps, side.purpose);
    return step ? stepWait(step, facts) : toBeQueued(facts, side.side, side.chain, side.purpose);
  });
  if (waits.length === 0) return { kind: 'DECLARATION', reason: 'its completion to be recorded', since: facts.stateSince };
  const since = waits.map((w) => w.since).filter((s): s is number => s !== undefined);
  return { kind: waits[0].kind, reason: waits.map((w) => w.reason).join('; '), since: since.length > 0 ? Math.min(...since) : undefined };
}

/**
 * What a request waits for: REQUESTED, a worker able to accept it (gas and bounty) or the accept to be
 * queued; ACCEPTING or ACCEPTED, what its message waits for; null once its own part is over.
 */
export function requestWait(request: StakeRequestRecord, message: MessageRecord | undefined, facts: WaitingFacts): Wait | null {
  if (FINAL_REQUEST.has(request.state)) return null;
  if (request.state !== 'REQUESTED') {
    const wait = message ? messageWait(message, facts) : null;
    return wait ? { ...wait, reason: `its message ${message!.messageHash} (${message!.state}): ${wait.reason}` } : null;
  }
  const names = NAMES[request.direction];
  const bounty = facts.funds?.bounty;
  const gas = facts.funds?.minGasBalance ?? 0n;
  // A stake's bounty is OST pulled from the worker; a redeem's is base coin sent with the accept.
  const need = request.direction === 'STAKE' ? { gas, tokens: bounty, token: 'OST (the bounty)' } : { gas: gas + (bounty ?? 0n) };
  const wait = fundsWait(facts, 'source', names.source, need, names.accept) ?? { kind: 'STEP' as const, reason: `${names.accept} to be prepared (a worker chosen, a hash lock made)`, since: facts.stateSince };
  return instanceWait(facts, wait);
}
