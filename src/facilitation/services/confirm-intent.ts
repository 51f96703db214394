import type { AccountProof } from '../../chain/proofs';
import { isRetryable } from '../../errors';
import { MessageStatus, messageStatusName } from '../../mosaic/message-status';
import { mapConcurrently } from '../../util/map-concurrently';
import type { FacilitationContext } from '../context';
import type { MessageRecord } from '../model';
import type { Route } from '../route';
import { Coalescer } from '../serial';
import type { StakeEvent } from '../stake/events';
import { submitStep, unsettledSteps } from '../step-outbox';
import type { WorkerPool } from '../worker-pool';
import { endOnDeterministicFailure } from './deterministic-failure';
import { recordLostDeclaration } from './lost-declaration';

/**
 * Messages looked at or confirmed at once. Under load one proof covers tens of messages: one after the
 * other, each waited for its inbox read, then its state write and its step write, while the database and
 * the node sat idle in between (50 messages took seconds); side by side, the reads overlap and the writes
 * queue back to back on the connection.
 */
const CONFIRM_CONCURRENCY = 16;

/** A message to confirm now: the index of its slot in the proof, and the worker that sends it. */
interface Due {
  message: MessageRecord;
  index: number;
  worker: string;
}

/**
 * DECLARED → CONFIRMING for every message of the route whose declaration height is covered by the
 * source gateway's last proven height: one eth_getProof for all of them (a storage slot each), then
 * confirmStakeIntent (auxiliary) or confirmRedeemIntent (origin) each.
 */
export class ConfirmIntentService {
  readonly trigger: Coalescer;

  constructor(
    private readonly context: FacilitationContext,
    private readonly route: Route,
    private readonly workers: WorkerPool,
  ) {
    this.trigger = new Coalescer(() => this.run());
  }

  private async run(): Promise<void> {
    await this.recoverStranded();
    const gateway = await this.context.store.getGateway(this.route.sourceGateway.address);
    if (!gateway) return;
    const height = gateway.lastProvenHeight;
    const ready = await this.readyAt(height);
    if (ready.length === 0) return;
    const proof = await this.route.proveOutbox(ready.map((m) => m.messageHash), height);
    const due: Due[] = [];
    for (const [index, message] of ready.entries()) {
      const worker = await endOnDeterministicFailure(this.context, { messageHash: message.messageHash }, () => this.workerFor(message, proof, index));
      if (worker === 'no worker') break; // no worker can pay: the rest waits for the next run too
      if (worker !== 'waiting' && worker !== undefined) due.push({ message, index, worker });
    }
    // CONFIRMING is recorded before the steps are queued (a stop in between is recovered by
    // recoverStranded), for all of them in one commit instead of one each.
    const recorded = await this.recordConfirming(due);
    await mapConcurrently(recorded, CONFIRM_CONCURRENCY, (item) =>
      endOnDeterministicFailure(this.context, { messageHash: item.message.messageHash }, () => this.queue(item, proof)),
    );
  }

  /**
   * CONFIRMING messages whose confirm is in no outbox row: the process stopped between recording the
   * state and queuing the step (a crash, a SIGKILL, a lost lease). The inbox says what happened: declared
   * there (another confirm did it) moves them on; still empty sends them back to DECLARED, confirmed again.
   */
  private async recoverStranded(): Promise<void> {
    const { store, origin, logger } = this.context;
    const confirming = (await store.messagesInState(['CONFIRMING'])).filter(
      (m) => m.direction === this.route.direction && m.gateway === origin.gateway.address,
    );
    if (confirming.length === 0) return;
    const kind = this.route.confirmStep('', 0n).kind;
    const inFlight = new Set((await unsettledSteps(this.route.target.engine, kind)).map(({ step }) => ('messageHash' in step ? step.messageHash : undefined)));
    for (const message of confirming) {
      if (inFlight.has(message.messageHash)) continue;
      const inbox = await this.route.targetGateway.inboxStatus(message.messageHash);
      if (inbox !== MessageStatus.Undeclared) {
        await store.apply({ kind: 'targetStatusSeen', messageHash: message.messageHash, status: inbox });
        continue;
      }
      logger.warn({ direction: this.route.direction, messageHash: message.messageHash }, `${this.route.names.confirm} was never queued (the process stopped in between): confirming again`);
      await store.apply({ kind: 'confirmFailed', messageHash: message.messageHash });
    }
  }

  /** DECLARED messages at or below the proven height whose inbox is still empty (the others are recorded as they are). */
  private async readyAt(height: bigint): Promise<MessageRecord[]> {
    const { store, origin } = this.context;
    const covered = (await store.messagesInState(['DECLARED'])).filter(
      (m) => m.direction === this.route.direction && m.gateway === origin.gateway.address && m.declarationHeight !== undefined && m.declarationHeight <= height,
    );
    const ready = await mapConcurrently(covered, CONFIRM_CONCURRENCY, async (message) => {
      // Re-read the inbox: someone (or an earlier run of ours) may have confirmed it already.
      const inbox = await this.route.targetGateway.inboxStatus(message.messageHash);
      if (inbox === MessageStatus.Undeclared) return message;
      await store.apply({ kind: 'targetStatusSeen', messageHash: message.messageHash, status: inbox });
      return undefined;
    });
    return ready.filter((message): message is MessageRecord => message !== undefined);
  }

  /** The worker to confirm `message` with the proof's `index`-th slot, or why not now (a lost declaration is recorded). */
  private async workerFor(message: MessageRecord, proof: AccountProof, index: number): Promise<string | 'waiting' | 'no worker'> {
    const { policy, logger } = this.context;
    const { route } = this;
    const log = logger.child({ direction: route.direction, messageHash: message.messageHash });
    const proven = proof.storage[index].value;
    if (proven === BigInt(MessageStatus.Undeclared)) {
      await recordLostDeclaration(this.context, route, message, log); // a reorg took the declaration away
      return 'waiting';
    }
    if (proven !== BigInt(MessageStatus.Declared)) {
      log.warn({ height: proof.blockNumber.toString(), outbox: messageStatusName(Number(proven)) }, 'message not Declared in the outbox at the proven height; waiting for another proof');
      return 'waiting';
    }
    const worker = await this.workers.choose({ minGasBalance: policy.minWorkerGasBalance });
    if (worker) return worker;
    log.warn({ chain: route.target.name }, `no worker has enough gas to ${route.names.confirm}; will retry`);
    return 'no worker';
  }

  /**
   * confirmQueued for every due message in one commit. A failure no retry cures falls back to one each,
   * so that only the message it is about ends FAILED. The messages recorded CONFIRMING.
   */
  private async recordConfirming(due: Due[]): Promise<Due[]> {
    const { store } = this.context;
    const event = (item: Due): StakeEvent => ({ kind: 'confirmQueued', messageHash: item.message.messageHash });
    if (due.length === 0) return [];
    try {
      await store.applyAll(due.map(event));
      return due;
    } catch (error) {
      if (isRetryable(error)) throw error;
    }
    const recorded: Due[] = [];
    for (const item of due) {
      const applied = await endOnDeterministicFailure(this.context, { messageHash: item.message.messageHash }, () => store.apply(event(item)));
      if (applied) recorded.push(item);
    }
    return recorded;
  }

  private async queue({ message, index, worker }: Due, proof: AccountProof): Promise<void> {
    const { route } = this;
    const height = proof.blockNumber;
    const { created } = await submitStep(route.target.engine, worker, route.confirmStep(message.messageHash, height), route.confirmCall(message, proof, index));
    if (created) this.context.logger.info({ direction: route.direction, messageHash: message.messageHash, height: height.toString(), worker }, `${route.names.confirm} queued`);
  }
}
