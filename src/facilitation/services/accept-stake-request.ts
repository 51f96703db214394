import { generateHashLock, messageHash, stakeIntentHash } from '../../mosaic/hashes';
import { MessageStatus } from '../../mosaic/message-status';
import type { FacilitationContext } from '../context';
import type { MessageRecord, StakeRequestRecord } from '../model';
import { SerialQueue } from '../serial';
import type { WorkerPool } from '../worker-pool';

export const ACCEPT_PURPOSE = 'acceptStakeRequest';
export const APPROVE_BOUNTY_PURPOSE = 'approveBounty';

/**
 * REQUESTED → ACCEPTING: checks the request is ours to take, persists a fresh unlock secret and its
 * message BEFORE anything is sent, makes sure the worker's bounty allowance covers it, then queues
 * acceptStakeRequest. Requests are taken one at a time so two triggers never make two secrets.
 */
export class AcceptStakeRequestService {
  private readonly queue = new SerialQueue();

  constructor(
    private readonly context: FacilitationContext,
    private readonly workers: WorkerPool,
  ) {}

  handle(request: StakeRequestRecord): Promise<void> {
    return this.queue.run(() => this.accept(request.stakeRequestHash));
  }

  private async accept(stakeRequestHash: string): Promise<void> {
    const { store, policy, logger, origin } = this.context;
    const request = await store.getStakeRequest(stakeRequestHash);
    if (!request || (request.state !== 'REQUESTED' && request.state !== 'ACCEPTING')) return;
    const log = logger.child({ stakeRequestHash, staker: request.staker });

    if (request.state === 'REQUESTED') {
      const refusal = this.refusal(request);
      if (refusal) {
        log.warn({ gateway: request.gateway, reason: refusal }, 'stake request ignored');
        await store.setStakeRequestState(stakeRequestHash, 'IGNORED', { reason: refusal });
        return;
      }
    }
    const existing = await store.messageForStakeRequest(stakeRequestHash);
    if (!existing && !(await origin.composer.stakeRequestExists(stakeRequestHash))) {
      log.info('stake request no longer pending in the composer (accepted by another facilitator or revoked)');
      await store.setStakeRequestState(stakeRequestHash, 'TAKEN', { reason: 'no longer pending in the composer' });
      return;
    }

    const bounty = await origin.gateway.bounty();
    let message = existing;
    if (!message) {
      const worker = await this.workers.choose({ minGasBalance: policy.minWorkerGasBalance, minTokenBalance: bounty });
      if (!worker) {
        log.warn({ bounty: bounty.toString() }, 'no origin worker has enough gas and bounty; will retry');
        return;
      }
      message = await store.recordAcceptance(this.newMessage(request, worker));
      log.info({ messageHash: message.messageHash, worker }, 'state ACCEPTING: hash lock created, unlock secret stored');
    }
    await this.ensureBountyAllowance(message.worker, bounty);
    const call = origin.composer.acceptStakeRequest({ ...request, staker: request.staker, hashLock: message.hashLock });
    const { created } = await origin.engine.submit({
      worker: message.worker,
      purpose: ACCEPT_PURPOSE,
      subject: stakeRequestHash,
      to: call.to,
      data: call.data,
      value: 0n,
      gas: call.gas,
    });
    if (created) log.info({ messageHash: message.messageHash }, 'acceptStakeRequest queued');
  }

  private refusal(request: StakeRequestRecord): string | undefined {
    const { policy, origin } = this.context;
    if (!policy.supportedGateways.has(request.gateway)) {
      return `gateway ${request.gateway} is not supported by this facilitator (supported: ${[...policy.supportedGateways].join(', ')})`;
    }
    if (request.gateway !== origin.gateway.address) return `gateway ${request.gateway} is not this pair's gateway`;
    if (request.gasPrice < policy.minGasPrice) return `gas price ${request.gasPrice} below the minimum ${policy.minGasPrice}`;
    if (request.gasLimit < policy.minGasLimit) return `gas limit ${request.gasLimit} below the minimum ${policy.minGasLimit}`;
    return undefined;
  }

  private newMessage(request: StakeRequestRecord, worker: string): MessageRecord {
    const { origin, auxiliary } = this.context;
    const { unlockSecret, hashLock } = generateHashLock();
    const hash = messageHash({
      intentHash: stakeIntentHash(request.amount, request.beneficiary, request.gateway),
      nonce: request.nonce,
      gasPrice: request.gasPrice,
      gasLimit: request.gasLimit,
      sender: request.stakerProxy,
      hashLock,
    });
    return {
      messageHash: hash,
      stakeRequestHash: request.stakeRequestHash,
      gateway: origin.gateway.address,
      coGateway: auxiliary.coGateway.address,
      sender: request.stakerProxy,
      staker: request.staker,
      nonce: request.nonce,
      amount: request.amount,
      beneficiary: request.beneficiary,
      gasPrice: request.gasPrice,
      gasLimit: request.gasLimit,
      hashLock,
      unlockSecret,
      worker,
      sourceStatus: MessageStatus.Undeclared,
      targetStatus: MessageStatus.Undeclared,
      state: 'ACCEPTING',
    };
  }

  /**
   * acceptStakeRequest pulls the bounty with transferFrom. Approve a batch of bounties at once when the
   * allowance runs low, and wait until that approval is mined so the accept's simulation sees it.
   */
  private async ensureBountyAllowance(worker: string, bounty: bigint): Promise<void> {
    const { origin, policy, logger } = this.context;
    const allowance = await origin.valueToken.allowance(worker, origin.composer.address);
    if (allowance >= bounty) return;
    const amount = bounty * policy.bountyAllowanceBatch;
    const call = origin.valueToken.approve(origin.composer.address, amount);
    const { record } = await origin.engine.submit({
      worker,
      purpose: APPROVE_BOUNTY_PURPOSE,
      subject: `${worker}@${allowance.toString()}:${Date.now()}`,
      to: call.to,
      data: call.data,
      value: 0n,
      gas: call.gas,
    });
    logger.info({ worker, amount: amount.toString() }, 'bounty allowance approval queued');
    const outcome = await origin.engine.waitFor(record.id);
    if (outcome.status !== 'mined' || outcome.lastError) {
      throw new Error(`bounty approval for ${worker} failed: ${outcome.lastError ?? 'unknown reason'}`);
    }
  }
}
