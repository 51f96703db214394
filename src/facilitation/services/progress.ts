import { MessageStatus } from '../../mosaic/message-status';
import type { FacilitationContext } from '../context';
import { Coalescer } from '../serial';
import type { WorkerPool } from '../worker-pool';

export const PROGRESS_STAKE_PURPOSE = 'progressStake';
export const PROGRESS_MINT_PURPOSE = 'progressMint';

/**
 * CONFIRMED → COMPLETED: reveals the unlock secret with progressStake on origin (the accepting worker
 * gets its bounty back) and progressMint on the auxiliary chain (the beneficiary gets amount − reward,
 * the caller the reward). Each side is re-read first and only sent while still Declared.
 */
export class ProgressService {
  readonly trigger: Coalescer;

  constructor(
    private readonly context: FacilitationContext,
    private readonly originWorkers: WorkerPool,
    private readonly auxiliaryWorkers: WorkerPool,
  ) {
    this.trigger = new Coalescer(() => this.run());
  }

  private async run(): Promise<void> {
    const { store, origin, auxiliary, policy, logger } = this.context;
    for (const message of await store.messagesInState(['CONFIRMED'])) {
      if (message.gateway !== origin.gateway.address) continue;
      const log = logger.child({ messageHash: message.messageHash });

      if (message.sourceStatus === MessageStatus.Declared) {
        const outbox = await origin.gateway.outboxStatus(message.messageHash);
        if (outbox !== MessageStatus.Declared) {
          await store.updateSourceStatus(message.messageHash, outbox);
        } else {
          const worker = await this.originWorkers.prefer(message.worker, { minGasBalance: policy.minWorkerGasBalance });
          if (worker) {
            const call = origin.gateway.progressStake(message.messageHash, message.unlockSecret);
            const { created } = await origin.engine.submit({
              worker,
              purpose: PROGRESS_STAKE_PURPOSE,
              subject: message.messageHash,
              to: call.to,
              data: call.data,
              value: 0n,
              gas: call.gas,
            });
            if (created) log.info({ worker }, 'progressStake queued');
          } else {
            log.warn('no origin worker has enough gas to progress the stake; will retry');
          }
        }
      }

      if (message.targetStatus === MessageStatus.Declared) {
        const inbox = await auxiliary.coGateway.inboxStatus(message.messageHash);
        if (inbox !== MessageStatus.Declared) {
          await store.updateTargetStatus(message.messageHash, inbox);
        } else {
          const worker = await this.auxiliaryWorkers.prefer(message.worker, { minGasBalance: policy.minWorkerGasBalance });
          if (worker) {
            const call = auxiliary.coGateway.progressMint(message.messageHash, message.unlockSecret);
            const { created } = await auxiliary.engine.submit({
              worker,
              purpose: PROGRESS_MINT_PURPOSE,
              subject: message.messageHash,
              to: call.to,
              data: call.data,
              value: 0n,
              gas: call.gas,
            });
            if (created) log.info({ worker }, 'progressMint queued');
          } else {
            log.warn('no auxiliary worker has enough gas to progress the mint; will retry');
          }
        }
      }
    }
  }
}
