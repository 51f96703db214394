import { generateHashLock, messageHash, stakeIntentHash } from '../../mosaic/hashes';
import { MessageStatus } from '../../mosaic/message-status';
import type { Logger } from '../../logging/logger';
import type { FacilitationContext } from '../context';
import type { MessageRecord, StakeRequestRecord } from '../model';
import { KeyedQueue } from '../serial';
import { findStep, submitStep } from '../step-outbox';
import type { WorkerPool } from '../worker-pool';
import { BountyAllowance } from './bounty-allowance';
import { endOnDeterministicFailure } from './deterministic-failure';
import { orphanedRequestReason, transactionPlacement } from './transaction-placement';

/** A reverted or cancelled accept is tried again (the request still pending) at most this many times in all. */
export const MAX_ACCEPT_ATTEMPTS = 3;
/** Stake requests prepared at once (each reads a few values on-chain before its accept is queued). */
const ACCEPT_CONCURRENCY = 8;

/**
 * REQUESTED → ACCEPTING: checks the request is ours to take, persists a fresh unlock secret and its
 * message BEFORE anything is sent, makes sure the worker's bounty allowance covers it, then queues
 * acceptStakeRequest. Each request is taken one trigger at a time so two triggers never make two secrets.
 */
export class AcceptStakeRequestService {
  /** One task per request at a time (never two secrets for one request); different requests side by side. */
  private readonly queue = new KeyedQueue(ACCEPT_CONCURRENCY);
  private readonly allowance: BountyAllowance;

  constructor(
    private readonly context: FacilitationContext,
    private readonly workers: WorkerPool,
  ) {
    this.allowance = new BountyAllowance(context);
  }

  handle(stakeRequestHash: string): Promise<void> {
    return this.queue.run(stakeRequestHash, () => endOnDeterministicFailure(this.context, { stakeRequestHash }, () => this.accept(stakeRequestHash)));
  }

  /** After a failed accept: another attempt, or the request is closed (see accept). */
  retry(stakeRequestHash: string): Promise<void> {
    return this.handle(stakeRequestHash);
  }

  /** Resolves once the accepts under way have finished. */
  idle(): Promise<void> {
    return this.queue.idle();
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
        await store.apply({ kind: 'requestIgnored', stakeRequestHash, reason: refusal });
        return;
      }
    }
    const existing = await store.messageForStakeRequest(stakeRequestHash);
    const attempt = await this.nextAttempt(stakeRequestHash);
    if (attempt.next === undefined) {
      // An attempt is queued, in flight or mined: its outcome decides. Only when the engine had to replace
      // it (no block took it) is the request checked: a reorg may have taken the request itself away, and
      // then no outcome of that accept can help.
      if (attempt.replaced && !(await origin.composer.stakeRequestExists(stakeRequestHash))) {
        await this.noLongerPending(request, existing, log);
      }
      return;
    }
    if (!(await origin.composer.stakeRequestExists(stakeRequestHash))) {
      await this.noLongerPending(request, existing, log);
      return;
    }
    if (attempt.next >= MAX_ACCEPT_ATTEMPTS) {
      const reason = `acceptStakeRequest failed ${MAX_ACCEPT_ATTEMPTS} times; last error: ${attempt.lastError ?? 'unknown'}`;
      log.error({ messageHash: existing?.messageHash, reason }, 'stake request given up');
      await store.apply({ kind: 'acceptGivenUp', stakeRequestHash, reason });
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
      message = (await store.apply({ kind: 'acceptancePrepared', message: this.newMessage(request, worker) })).next.message;
      if (!message) return; // closed meanwhile (revoked, rejected): nothing to accept
      log.info({ messageHash: message.messageHash, worker }, 'hash lock created, unlock secret stored');
    } else if (attempt.next > 0) {
      log.warn({ messageHash: message.messageHash, attempt: attempt.next + 1, lastError: attempt.lastError }, 'acceptStakeRequest failed; trying again');
    }
    await this.allowance.cover(message.worker, bounty);
    const call = origin.composer.acceptStakeRequest({ ...request, staker: request.staker, hashLock: message.hashLock });
    const { created } = await submitStep(origin.engine, message.worker, { kind: 'accept', stakeRequestHash, attempt: attempt.next }, call);
    if (created) log.info({ messageHash: message.messageHash }, 'acceptStakeRequest queued');
  }

  /**
   * The attempt to send next, or `next: undefined` while one is queued, in flight or mined (`replaced`:
   * the one in flight had to be replaced). A failed (reverted or cancelled) accept changed nothing on
   * chain, nor did a mined one whose block was reorganised away: the next attempt gets its own outbox row.
   */
  private async nextAttempt(stakeRequestHash: string): Promise<{ next: number | undefined; lastError: string | undefined; replaced: boolean }> {
    let lastError: string | undefined;
    for (let attempt = 0; attempt < MAX_ACCEPT_ATTEMPTS; attempt++) {
      const record = await findStep(this.context.origin.engine, { kind: 'accept', stakeRequestHash, attempt });
      if (!record) return { next: attempt, lastError, replaced: false };
      if (record.status === 'mined' && record.txHash && !(await this.context.origin.client.getReceipt(record.txHash))) {
        lastError = `acceptStakeRequest ${record.txHash} was reorganised away`;
        continue;
      }
      if (record.status !== 'failed') return { next: undefined, lastError, replaced: record.txHashes.length > 1 };
      lastError = record.lastError;
    }
    return { next: MAX_ACCEPT_ATTEMPTS, lastError, replaced: false };
  }

  /**
   * The composer no longer holds the request: our own accept was mined, another facilitator took it, it
   * was revoked, or its StakeRequested was reorganised away (ORPHANED; waited for while a node holds its
   * transaction pending again).
   */
  private async noLongerPending(request: StakeRequestRecord, message: MessageRecord | undefined, log: Logger): Promise<void> {
    const { store, origin } = this.context;
    if (message) {
      const outbox = await origin.gateway.outboxStatus(message.messageHash);
      if (outbox !== MessageStatus.Undeclared) {
        log.info({ messageHash: message.messageHash, status: outbox }, 'our stake intent is declared on chain');
        await store.apply({ kind: 'sourceStatusSeen', messageHash: message.messageHash, status: outbox });
        return;
      }
    }
    // Taken or revoked, or was its StakeRequested reorganised away? The node says where its transaction is.
    const placement = await transactionPlacement(origin.client, request.transactionHash);
    if (placement === 'pending') {
      log.info({ transactionHash: request.transactionHash }, 'the stake request is pending again after a reorg; waiting for it');
      return;
    }
    if (placement === 'gone') {
      const reason = orphanedRequestReason(request.transactionHash);
      log.warn({ messageHash: message?.messageHash, reason }, 'the stake request was reorganised away');
      await store.apply({ kind: 'requestLost', stakeRequestHash: request.stakeRequestHash, state: 'ORPHANED', reason });
      return;
    }
    log.info('stake request no longer pending in the composer (accepted by another facilitator or revoked)');
    await store.apply({ kind: 'requestTaken', stakeRequestHash: request.stakeRequestHash });
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
      direction: 'STAKE',
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
}
