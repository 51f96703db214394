import { MessageStatus, messageStatusName } from '../../mosaic/message-status';
import { confirmStakeIntentCall, proveGatewayOutbox } from '../../mosaic/stake-proofs';
import type { FacilitationContext } from '../context';
import type { MessageRecord } from '../model';
import { Coalescer } from '../serial';
import type { WorkerPool } from '../worker-pool';
import { recordLostDeclaration } from './lost-declaration';

export const CONFIRM_PURPOSE = 'confirmStakeIntent';

/**
 * DECLARED → CONFIRMING for every message whose declaration height is covered by the gateway's last
 * proven height: one eth_getProof for all of them (a storage slot each), then confirmStakeIntent each.
 */
export class ConfirmStakeIntentService {
  readonly trigger: Coalescer;

  constructor(
    private readonly context: FacilitationContext,
    private readonly workers: WorkerPool,
  ) {
    this.trigger = new Coalescer(() => this.run());
  }

  private async run(): Promise<void> {
    const { store, origin, auxiliary, policy, logger } = this.context;
    const gateway = await store.getGateway(origin.gateway.address);
    if (!gateway) return;
    const height = gateway.lastProvenHeight;
    const ready: MessageRecord[] = [];
    for (const message of await store.messagesInState(['DECLARED'])) {
      if (message.gateway !== origin.gateway.address || message.declarationHeight === undefined) continue;
      if (message.declarationHeight > height) continue;
      // Re-read the inbox: someone (or an earlier run of ours) may have confirmed it already.
      const inbox = await auxiliary.coGateway.inboxStatus(message.messageHash);
      if (inbox !== MessageStatus.Undeclared) {
        await store.updateTargetStatus(message.messageHash, inbox);
        continue;
      }
      ready.push(message);
    }
    if (ready.length === 0) return;

    const proof = await proveGatewayOutbox(origin.client, origin.gateway, ready.map((m) => m.messageHash), height);
    for (const [index, message] of ready.entries()) {
      const log = logger.child({ messageHash: message.messageHash });
      const proven = proof.storage[index].value;
      if (proven === BigInt(MessageStatus.Undeclared)) {
        await recordLostDeclaration(this.context, message, log); // a reorg took the declaration away
        continue;
      }
      if (proven !== BigInt(MessageStatus.Declared)) {
        log.warn(
          { height: height.toString(), outbox: messageStatusName(Number(proven)) },
          'message not Declared in the outbox at the proven height; waiting for another proof',
        );
        continue;
      }
      const worker = await this.workers.choose({ minGasBalance: policy.minWorkerGasBalance });
      if (!worker) {
        log.warn('no auxiliary worker has enough gas to confirm; will retry');
        return;
      }
      const call = confirmStakeIntentCall(auxiliary.coGateway, { ...message, stakerProxy: message.sender }, proof, index);
      await store.setMessageState(message.messageHash, 'CONFIRMING');
      const { created } = await auxiliary.engine.submit({
        worker,
        purpose: CONFIRM_PURPOSE,
        subject: `${message.messageHash}@${height}`,
        to: call.to,
        data: call.data,
        value: 0n,
        gas: call.gas,
      });
      if (created) log.info({ height: height.toString(), worker }, 'state CONFIRMING: confirmStakeIntent queued');
    }
  }
}
