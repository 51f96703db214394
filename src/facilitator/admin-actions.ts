import type { OutboxRecord } from '../chain/tx-engine/outbox-port';
import type { NonceResync, TransactionEngine } from '../chain/tx-engine/transaction-engine';
import { UserInputError } from '../errors/user-errors';
import type { Direction, MessageRecord } from '../facilitation/model';
import { STEP_PURPOSES } from '../facilitation/steps';
import type { FacilitationStore } from '../facilitation/store-port';
import type { Logger } from '../logging/logger';
import { MessageStatus } from '../mosaic/message-status';
import type { AdminActions, AdminMessageResult } from '../status/status-source';

/** The admin actions of a running facilitator (one or several pairs) over its stores. */
export function facilitatorAdminActions(
  stores: { facilitation: AdminActionsOptions['store']; outbox: { list(filter: { subjectLike: string[] }): Promise<OutboxRecord[]> } },
  current: () => ReadonlyArray<{ engines: { origin: TransactionEngine; auxiliary: TransactionEngine } }>,
  logger: Logger,
): FacilitatorAdminActions {
  return new FacilitatorAdminActions({
    store: stores.facilitation,
    records: (subjects) => stores.outbox.list({ subjectLike: subjects }),
    engines: () => [...new Set(current().flatMap((f) => [f.engines.origin, f.engines.auxiliary]))],
    logger,
  });
}

/** The steps an operator may queue again, per direction: the accept, then each side's progress. */
const RETRYABLE: Record<Direction, { accept: string; source: string; target: string; confirm: string }> = {
  STAKE: { accept: STEP_PURPOSES.accept, source: STEP_PURPOSES.progressStake, target: STEP_PURPOSES.progressMint, confirm: STEP_PURPOSES.confirm },
  REDEEM: { accept: STEP_PURPOSES.acceptRedeem, source: STEP_PURPOSES.progressRedeem, target: STEP_PURPOSES.progressUnstake, confirm: STEP_PURPOSES.confirmRedeem },
};

/** What the admin actions ask of a chain's transaction engine. */
export type AdminEngine = Pick<TransactionEngine, 'chainId' | 'requeue' | 'cancelQueued' | 'resyncNonce'>;

/** What the admin actions read and change: the facilitation store, the outbox's records, the running engines. */
export interface AdminActionsOptions {
  store: Pick<FacilitationStore, 'apply' | 'getMessage' | 'getStakeRequest'>;
  /** Outbox records by subject (a message's steps and its request's accepts), newest first. */
  records(subjects: string[]): Promise<OutboxRecord[]>;
  /** The engines of this instance's chains; none while it stands by. */
  engines(): readonly AdminEngine[];
  logger: Logger;
}

/**
 * The admin actions over a running facilitator. State changes go through the store's events (adminRetry,
 * adminAbandon: the transition decides, the history records who asked); outbox changes through the
 * engine of the record's chain (requeue, cancel, nonce resync).
 */
export class FacilitatorAdminActions implements AdminActions {
  constructor(private readonly options: AdminActionsOptions) {}

  async retryMessage(messageHash: string, step: string | undefined, actor: string): Promise<AdminMessageResult> {
    this.activeEngines();
    const message = await this.messageToChange(messageHash, 'retry');
    const failed = await this.failedSteps(message, step);
    if (message.state !== 'FAILED' && failed.length === 0) {
      throw new UserInputError(`message ${messageHash} is ${message.state} and has no failed ${step ?? 'step'} to queue again: nothing to retry`);
    }
    const requeued: OutboxRecord[] = [];
    for (const record of failed) {
      if (await this.engineOf(record.chainId).requeue(record.id, `queued again by ${actor}`)) requeued.push(record);
    }
    const done = [
      message.state === 'FAILED' ? 'taken up again from its message boxes' : undefined,
      requeued.length > 0 ? `${requeued.map((r) => r.purpose).join(', ')} queued again` : undefined,
    ].filter((part) => part !== undefined);
    const note = `retried by ${actor}: ${done.join('; ')}`;
    // After the requeue: a request taken up again finds its accept queued, instead of giving up at once.
    await this.options.store.apply({ kind: 'adminRetry', messageHash, note, evidence: { txHash: requeued[0]?.txHash } });
    this.options.logger.warn({ action: 'retryMessage', messageHash, step, actor, requeued: requeued.map((r) => r.purpose) }, 'admin action: message retried');
    return { message: (await this.options.store.getMessage(messageHash))!, summary: note };
  }

  async abandonMessage(messageHash: string, reason: string, actor: string): Promise<AdminMessageResult> {
    this.activeEngines();
    const message = await this.messageToChange(messageHash, 'abandon');
    // First the state (the services stop taking steps for it), then what is still queued.
    await this.options.store.apply({ kind: 'adminAbandon', messageHash, reason: `abandoned by ${actor}: ${reason}` });
    const records = await this.recordsOf(message);
    let cancelled = 0;
    for (const record of records.filter((r) => r.status === 'queued')) {
      if (await this.engineOf(record.chainId).cancelQueued(record.id, `cancelled: message abandoned by ${actor}`)) cancelled += 1;
    }
    const inFlight = (await this.recordsOf(message)).filter((r) => r.status === 'sent');
    const summary = [
      `ADMIN_ABANDONED (was ${message.state}); the unlock secret stays in the database`,
      `${cancelled} queued step(s) cancelled`,
      inFlight.length > 0 ? `${inFlight.map((r) => `${r.purpose} ${r.txHash ?? ''}`.trim()).join(', ')} sent and not final: it settles on chain and is recorded` : undefined,
    ].filter((part) => part !== undefined);
    this.options.logger.warn({ action: 'abandonMessage', messageHash, actor, reason, was: message.state, cancelled, inFlight: inFlight.length }, 'admin action: message abandoned');
    return { message: (await this.options.store.getMessage(messageHash))!, summary: summary.join('; ') };
  }

  async resyncWorkerNonce(chainId: number, address: string, actor: string): Promise<NonceResync> {
    const engines = this.activeEngines();
    const engine = engines.find((e) => e.chainId === chainId);
    if (!engine) throw new UserInputError(`chain ${chainId} is not one of this facilitator's: ${[...new Set(engines.map((e) => e.chainId))].join(', ')}`);
    const done = await engine.resyncNonce(address);
    this.options.logger.warn(
      { action: 'resyncWorkerNonce', chainId, worker: done.worker, actor, previous: done.previous?.toString(), next: done.next.toString(), mined: done.mined.toString() },
      'admin action: worker nonce resynced from the chain',
    );
    return done;
  }

  /** The engines, or a refusal while this instance stands by (the active one acts). */
  private activeEngines(): readonly AdminEngine[] {
    const engines = this.options.engines();
    if (engines.length === 0) throw new UserInputError('this facilitator is standing by (role STANDBY): send admin actions to the active one');
    return engines;
  }

  private engineOf(chainId: number): AdminEngine {
    const engine = this.options.engines().find((e) => e.chainId === chainId);
    if (!engine) throw new UserInputError(`no engine of chain ${chainId} runs in this facilitator`);
    return engine;
  }

  private async messageToChange(messageHash: string, action: 'retry' | 'abandon'): Promise<MessageRecord> {
    if (!/^0x[0-9a-f]{64}$/.test(messageHash)) throw new UserInputError(`message hash ${JSON.stringify(messageHash.slice(0, 80))} is not a hash (0x and 64 hex digits)`);
    const message = await this.options.store.getMessage(messageHash);
    if (!message) throw new UserInputError(`no message ${messageHash} in this facilitator's database`);
    if (message.state === 'COMPLETED' || message.state === 'ADMIN_ABANDONED') throw new UserInputError(`message ${messageHash} is ${message.state}: nothing to ${action}`);
    return message;
  }

  private recordsOf(message: MessageRecord): Promise<OutboxRecord[]> {
    return this.options.records([message.messageHash, `${message.messageHash}@%`, message.stakeRequestHash, `${message.stakeRequestHash}#%`]);
  }

  /**
   * The failed steps an operator's retry queues again (newest record of each step): the last accept of a
   * request given up (FAILED), and a progress whose side is still Declared once the target holds the message.
   */
  private async failedSteps(message: MessageRecord, step: string | undefined): Promise<OutboxRecord[]> {
    const purposes = RETRYABLE[message.direction];
    if (step === purposes.confirm) throw new UserInputError(`${step} is not queued again by hand: the facilitator confirms again with each new proof`);
    const allowed = [purposes.accept, purposes.source, purposes.target];
    if (step !== undefined && !allowed.includes(step)) throw new UserInputError(`step ${JSON.stringify(step.slice(0, 60))} is not a step of a ${message.direction} message that can be retried: use ${allowed.join(', ')}`);
    const request = await this.options.store.getStakeRequest(message.stakeRequestHash);
    const confirmed = message.targetStatus !== MessageStatus.Undeclared;
    const needed: Record<string, boolean> = {
      [purposes.accept]: request?.state === 'FAILED' && message.sourceStatus === MessageStatus.Undeclared,
      [purposes.source]: confirmed && message.sourceStatus === MessageStatus.Declared,
      [purposes.target]: message.targetStatus === MessageStatus.Declared,
    };
    const records = await this.recordsOf(message);
    const newest = (purpose: string) => records.find((r) => r.purpose === purpose);
    return allowed
      .filter((purpose) => (step === undefined || step === purpose) && needed[purpose])
      .map(newest)
      .filter((record): record is OutboxRecord => record?.status === 'failed');
  }
}
