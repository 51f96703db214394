import { MessageStatus } from '../../mosaic/message-status';
import { mapConcurrently } from '../../util/map-concurrently';
import type { FacilitationContext } from '../context';
import type { MessageRecord } from '../model';
import type { ProgressCall, Route } from '../route';
import { Coalescer } from '../serial';
import type { StakeEvent } from '../stake/events';
import { submitStep, unsettledSteps } from '../step-outbox';
import type { WorkerPool } from '../worker-pool';
import { endOnDeterministicFailure } from './deterministic-failure';

/** One side of a confirmed message to progress with the unlock secret. */
interface ProgressSide extends ProgressCall {
  /** The side's message box status as recorded. */
  recorded(message: MessageRecord): MessageStatus;
  /** The side's message box status read on chain now. */
  read(messageHash: string): Promise<MessageStatus>;
  seen(messageHash: string, status: MessageStatus): StakeEvent;
  workers: WorkerPool;
}

/**
 * Messages progressed at once (each its two sides side by side): one after the other, 50 confirmed
 * messages waited for 100 status reads and 100 outbox writes in a row; side by side the reads overlap.
 */
const PROGRESS_CONCURRENCY = 16;

export interface ProgressWorkers {
  origin: WorkerPool;
  auxiliary: WorkerPool;
}

/**
 * CONFIRMED → COMPLETED: reveals the unlock secret on the source (progressStake / progressRedeem: the
 * accepting worker gets its bounty back) and on the target (progressMint / progressUnstake: the
 * beneficiary gets amount − reward, the caller the reward). Each side is re-read first and only sent
 * while still Declared.
 */
export class ProgressService {
  readonly trigger: Coalescer;
  private readonly sides: ProgressSide[];

  constructor(
    private readonly context: FacilitationContext,
    private readonly route: Route,
    workers: ProgressWorkers,
  ) {
    const { source, target } = route.progress;
    this.sides = [
      {
        ...source,
        recorded: (m) => m.sourceStatus,
        read: (hash) => route.sourceGateway.outboxStatus(hash),
        seen: (messageHash, status) => ({ kind: 'sourceStatusSeen', messageHash, status }),
        workers: workers[source.chain.name],
      },
      {
        ...target,
        recorded: (m) => m.targetStatus,
        read: (hash) => route.targetGateway.inboxStatus(hash),
        seen: (messageHash, status) => ({ kind: 'targetStatusSeen', messageHash, status }),
        workers: workers[target.chain.name],
      },
    ];
    this.trigger = new Coalescer(() => this.run());
  }

  private async run(): Promise<void> {
    const { store, origin } = this.context;
    const confirmed = (await store.messagesInState(['CONFIRMED'])).filter(
      (message) => message.direction === this.route.direction && message.gateway === origin.gateway.address,
    );
    if (confirmed.length === 0) return;
    const inFlight = await Promise.all(this.sides.map((side) => this.inFlight(side)));
    await mapConcurrently(confirmed, PROGRESS_CONCURRENCY, (message) =>
      Promise.all(
        this.sides
          .filter((side, index) => side.recorded(message) === MessageStatus.Declared && !inFlight[index].has(message.messageHash))
          .map((side) => endOnDeterministicFailure(this.context, { messageHash: message.messageHash }, () => this.progress(message, side))),
      ),
    );
  }

  /**
   * Messages whose step of this side is queued or sent: its outcome records the result, nothing to read or
   * queue again. Under load each run went over every CONFIRMED message again (a status read and an
   * outbox write per side), and the run came again with every message confirmed: quadratic in the batch.
   */
  private async inFlight(side: ProgressSide): Promise<Set<string>> {
    const steps = await unsettledSteps(side.chain.engine, side.step('').kind);
    return new Set(steps.flatMap(({ step }) => ('messageHash' in step ? [step.messageHash] : [])));
  }

  private async progress(message: MessageRecord, side: ProgressSide): Promise<void> {
    const { store, policy, logger } = this.context;
    const log = logger.child({ direction: this.route.direction, messageHash: message.messageHash });
    const status = await side.read(message.messageHash);
    if (status !== MessageStatus.Declared) {
      await store.apply(side.seen(message.messageHash, status));
      return;
    }
    const worker = await side.workers.prefer(message.worker, { minGasBalance: policy.minWorkerGasBalance });
    if (!worker) {
      log.warn({ step: side.name }, 'no worker has enough gas to progress; will retry');
      return;
    }
    const { created } = await submitStep(side.chain.engine, worker, side.step(message.messageHash), side.call(message));
    if (created) log.info({ worker }, `${side.name} queued`);
  }
}
