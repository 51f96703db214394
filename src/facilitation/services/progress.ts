import { MessageStatus } from '../../mosaic/message-status';
import type { ContractCall } from '../../mosaic/contracts';
import type { FacilitationContext } from '../context';
import type { MessageRecord } from '../model';
import { Coalescer } from '../serial';
import type { StakeEvent } from '../stake/events';
import type { StepEngine } from '../step-outbox';
import { submitStep } from '../step-outbox';
import type { FacilitationStep } from '../steps';
import type { WorkerPool } from '../worker-pool';
import { endOnDeterministicFailure } from './deterministic-failure';

/** One side of a confirmed message to progress with the unlock secret. */
interface ProgressSide {
  name: 'progressStake' | 'progressMint';
  /** The side's message box status as recorded. */
  recorded(message: MessageRecord): MessageStatus;
  /** The side's message box status read on chain now. */
  read(messageHash: string): Promise<MessageStatus>;
  seen(messageHash: string, status: MessageStatus): StakeEvent;
  call(message: MessageRecord): ContractCall;
  engine: StepEngine;
  workers: WorkerPool;
}

/**
 * CONFIRMED → COMPLETED: reveals the unlock secret with progressStake on origin (the accepting worker
 * gets its bounty back) and progressMint on the auxiliary chain (the beneficiary gets amount − reward,
 * the caller the reward). Each side is re-read first and only sent while still Declared.
 */
export class ProgressService {
  readonly trigger: Coalescer;
  private readonly sides: ProgressSide[];

  constructor(
    private readonly context: FacilitationContext,
    originWorkers: WorkerPool,
    auxiliaryWorkers: WorkerPool,
  ) {
    const { origin, auxiliary } = context;
    this.sides = [
      {
        name: 'progressStake',
        recorded: (m) => m.sourceStatus,
        read: (hash) => origin.gateway.outboxStatus(hash),
        seen: (messageHash, status) => ({ kind: 'sourceStatusSeen', messageHash, status }),
        call: (m) => origin.gateway.progressStake(m.messageHash, m.unlockSecret),
        engine: origin.engine,
        workers: originWorkers,
      },
      {
        name: 'progressMint',
        recorded: (m) => m.targetStatus,
        read: (hash) => auxiliary.coGateway.inboxStatus(hash),
        seen: (messageHash, status) => ({ kind: 'targetStatusSeen', messageHash, status }),
        call: (m) => auxiliary.coGateway.progressMint(m.messageHash, m.unlockSecret),
        engine: auxiliary.engine,
        workers: auxiliaryWorkers,
      },
    ];
    this.trigger = new Coalescer(() => this.run());
  }

  private async run(): Promise<void> {
    const { store, origin } = this.context;
    for (const message of await store.messagesInState(['CONFIRMED'])) {
      if (message.gateway !== origin.gateway.address) continue;
      for (const side of this.sides) {
        if (side.recorded(message) !== MessageStatus.Declared) continue;
        await endOnDeterministicFailure(this.context, { messageHash: message.messageHash }, () => this.progress(message, side));
      }
    }
  }

  private async progress(message: MessageRecord, side: ProgressSide): Promise<void> {
    const { store, policy, logger } = this.context;
    const log = logger.child({ messageHash: message.messageHash });
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
    const step: FacilitationStep = { kind: side.name, messageHash: message.messageHash };
    const { created } = await submitStep(side.engine, worker, step, side.call(message));
    if (created) log.info({ worker }, `${side.name} queued`);
  }
}
