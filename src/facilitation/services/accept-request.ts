import type { Logger } from '../../logging/logger';
import type { ContractCall } from '../../mosaic/contracts';
import { generateHashLock, messageHash } from '../../mosaic/hashes';
import { MessageStatus } from '../../mosaic/message-status';
import type { FacilitationContext } from '../context';
import type { Direction, MessageRecord, StakeRequestRecord } from '../model';
import type { Route } from '../route';
import { checkProfitability, describeVerdict } from '../profitability';
import { KeyedQueue } from '../serial';
import { submitStep } from '../step-outbox';
import { MAX_ACCEPT_ATTEMPTS, nextAcceptAttempt } from './accept-attempts';
import { endOnDeterministicFailure } from './deterministic-failure';
import { orphanedRequestReason, transactionPlacement } from './transaction-placement';

/**
 * Requests prepared at once (each reads a few values on-chain before its accept is queued). 50 requests
 * of one block went through 8 at a time in ~7 rounds of chain reads; 32 overlap those reads, and a
 * worker's accepts still leave in one signed batch (the engine's sendBatch).
 */
const ACCEPT_CONCURRENCY = 32;

/** What accepting a request takes in one direction (stake: the composer; redeem: the redeem pool). */
export interface Acceptor {
  route: Route;
  /** Why the request is not ours to take (policy, or a request its contracts can never accept), if so. */
  refusal(request: StakeRequestRecord): string | undefined;
  /** The bounty the accept locks (OST on origin; base coin on the auxiliary chain). */
  bounty(): Promise<bigint>;
  /** A worker able to pay the gas and the bounty, if any. */
  chooseWorker(bounty: bigint): Promise<string | undefined>;
  /** The message a fresh hash lock makes of the request (its secret inside). */
  newMessage(request: StakeRequestRecord, worker: string): MessageRecord;
  /** Why the accept must wait before it is sent (e.g. the sender's previous message is still open), if so. */
  mustWait(request: StakeRequestRecord, message: MessageRecord, bounty: bigint): Promise<string | undefined>;
  /** Done before each accept is queued (e.g. the bounty allowance topped up). */
  beforeSend(worker: string, bounty: bigint): Promise<void>;
  call(request: StakeRequestRecord, message: MessageRecord, bounty: bigint): ContractCall;
}

/**
 * REQUESTED → ACCEPTING, in either direction: checks the request is ours to take, persists a fresh
 * unlock secret and its message BEFORE anything is sent, then queues the accept. Each request is taken
 * one trigger at a time so two triggers never make two secrets.
 */
export class AcceptService {
  /** One task per request at a time (never two secrets for one request); different requests side by side. */
  private readonly queue = new KeyedQueue(ACCEPT_CONCURRENCY);

  constructor(
    protected readonly context: FacilitationContext,
    private readonly acceptor: Acceptor,
  ) {}

  handle(requestHash: string): Promise<void> {
    return this.queue.run(requestHash, () => endOnDeterministicFailure(this.context, { stakeRequestHash: requestHash }, () => this.accept(requestHash)));
  }

  /** After a failed accept: another attempt, or the request is closed (see accept). */
  retry(requestHash: string): Promise<void> {
    return this.handle(requestHash);
  }

  /** Resolves once the accepts under way have finished. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async accept(requestHash: string): Promise<void> {
    const { store, logger } = this.context;
    const { route } = this.acceptor;
    const request = await store.getStakeRequest(requestHash);
    if (!request || request.direction !== route.direction || (request.state !== 'REQUESTED' && request.state !== 'ACCEPTING')) return;
    const log = logger.child({ direction: route.direction, stakeRequestHash: requestHash, requester: request.staker });

    let decision: string | undefined;
    if (request.state === 'REQUESTED') {
      const judged = await this.judge(request);
      if (judged.refusal) {
        log.warn({ gateway: request.gateway, reason: judged.refusal }, `${route.names.request} ignored`);
        await store.apply({ kind: 'requestIgnored', stakeRequestHash: requestHash, reason: judged.refusal });
        return;
      }
      decision = judged.decision;
    }
    // The chain reads go out with the database reads (one round trip of waiting, not four): almost
    // every request gets here once, to be accepted, and needs them.
    const open = route.requestOpen(request);
    const bounty = this.acceptor.bounty();
    for (const read of [open, bounty]) read.catch(() => undefined); // awaited below when needed, where a failure counts
    const [existing, attempt] = await Promise.all([store.messageForStakeRequest(requestHash), nextAcceptAttempt(route, requestHash)]);
    if (attempt.next === undefined) {
      // An attempt is queued, in flight or mined: its outcome decides. Only when the engine had to replace
      // it (no block took it) is the request checked: a reorg may have taken the request itself away, and
      // then no outcome of that accept can help.
      if (attempt.replaced && !(await open)) await this.noLongerPending(request, existing, log);
      return;
    }
    if (!(await open)) {
      await this.noLongerPending(request, existing, log);
      return;
    }
    if (attempt.next >= MAX_ACCEPT_ATTEMPTS) {
      const reason = `${route.names.accept} failed ${MAX_ACCEPT_ATTEMPTS} times; last error: ${attempt.lastError ?? 'unknown'}`;
      log.error({ messageHash: existing?.messageHash, reason }, `${route.names.request} given up`);
      await store.apply({ kind: 'acceptGivenUp', stakeRequestHash: requestHash, reason });
      return;
    }
    await this.send(request, existing, { attempt: attempt.next, lastError: attempt.lastError, decision, bounty }, log);
  }

  /**
   * Why the request is not ours to take (the acceptor's policy, then — when enabled — profitability at
   * today's fees), or the profitability numbers it was taken on, for its history.
   */
  private async judge(request: StakeRequestRecord): Promise<{ refusal?: string; decision?: string }> {
    const refusal = this.acceptor.refusal(request);
    if (refusal) return { refusal };
    const verdict = await checkProfitability(this.context, request);
    if (!verdict) return {};
    this.context.logger.debug({ stakeRequestHash: request.stakeRequestHash, profitable: verdict.profitable }, 'profitability judged');
    return verdict.profitable ? { decision: describeVerdict(verdict) } : { refusal: describeVerdict(verdict) };
  }

  /**
   * `decision`: why the request is taken, recorded with the accept's preparation (the profitability
   * numbers); `bounty`: the acceptor's bounty, being read.
   */
  private async send(
    request: StakeRequestRecord,
    existing: MessageRecord | undefined,
    how: { attempt: number; lastError?: string; decision?: string; bounty: Promise<bigint> },
    log: Logger,
  ): Promise<void> {
    const { attempt, lastError, decision } = how;
    const { acceptor } = this;
    const bounty = await how.bounty;
    let message = existing;
    if (!message) {
      const worker = await acceptor.chooseWorker(bounty);
      if (!worker) {
        log.warn({ bounty: bounty.toString(), chain: acceptor.route.source.name }, 'no worker has enough gas and bounty; will retry');
        return;
      }
      const evidence = decision ? { note: decision } : undefined;
      message = (await this.context.store.apply({ kind: 'acceptancePrepared', message: acceptor.newMessage(request, worker), evidence })).next.message;
      if (!message) return; // closed meanwhile (revoked, rejected): nothing to accept
      log.info({ messageHash: message.messageHash, worker }, 'hash lock created, unlock secret stored');
    } else if (attempt > 0) {
      log.warn({ messageHash: message.messageHash, attempt: attempt + 1, lastError }, `${acceptor.route.names.accept} failed; trying again`);
    }
    const wait = await acceptor.mustWait(request, message, bounty);
    if (wait) {
      log.info({ messageHash: message.messageHash, reason: wait }, `${acceptor.route.names.accept} waits`);
      return;
    }
    await acceptor.beforeSend(message.worker, bounty);
    const step = acceptor.route.acceptStep(request.stakeRequestHash, attempt);
    const { created } = await submitStep(acceptor.route.source.engine, message.worker, step, acceptor.call(request, message, bounty));
    if (created) log.info({ messageHash: message.messageHash }, `${acceptor.route.names.accept} queued`);
  }

  /**
   * The request is no longer open: our own accept was mined, another facilitator took it, it was
   * revoked, or its request transaction was reorganised away (ORPHANED; waited for while a node holds
   * its transaction pending again).
   */
  private async noLongerPending(request: StakeRequestRecord, message: MessageRecord | undefined, log: Logger): Promise<void> {
    const { store } = this.context;
    const { route } = this.acceptor;
    if (message) {
      const outbox = await route.sourceGateway.outboxStatus(message.messageHash);
      if (outbox !== MessageStatus.Undeclared) {
        log.info({ messageHash: message.messageHash, status: outbox }, 'our intent is declared on chain');
        await store.apply({ kind: 'sourceStatusSeen', messageHash: message.messageHash, status: outbox });
        return;
      }
    }
    // Taken or revoked, or was the request reorganised away? The node says where its transaction is.
    const placement = await transactionPlacement(route.source.client, request.transactionHash);
    if (placement === 'pending') {
      log.info({ transactionHash: request.transactionHash }, `the ${route.names.request} is pending again after a reorg; waiting for it`);
      return;
    }
    if (placement === 'gone') {
      const reason = orphanedRequestReason(request.transactionHash);
      log.warn({ messageHash: message?.messageHash, reason }, `the ${route.names.request} was reorganised away`);
      await store.apply({ kind: 'requestLost', stakeRequestHash: request.stakeRequestHash, state: 'ORPHANED', reason });
      return;
    }
    log.info(`${route.names.request} no longer open (accepted by another facilitator, or revoked)`);
    await store.apply({ kind: 'requestTaken', stakeRequestHash: request.stakeRequestHash });
  }
}

/** The refusals both directions share: a gateway this facilitator does not serve, rewards below its minimums. */
export function policyRefusal(context: FacilitationContext, request: StakeRequestRecord, pairGateway: string): string | undefined {
  const { policy } = context;
  if (!policy.supportedGateways.has(request.gateway)) {
    return `gateway ${request.gateway} is not supported by this facilitator (supported: ${[...policy.supportedGateways].join(', ')})`;
  }
  if (request.gateway !== pairGateway) return `gateway ${request.gateway} is not this pair's gateway`;
  if (request.gasPrice < policy.minGasPrice) return `gas price ${request.gasPrice} below the minimum ${policy.minGasPrice}`;
  if (request.gasLimit < policy.minGasLimit) return `gas limit ${request.gasLimit} below the minimum ${policy.minGasLimit}`;
  return undefined;
}

/**
 * The message a fresh hash lock makes of a request, its unlock secret inside: the same fields in both
 * directions (`intentHash`: the stake or redeem intent; gateway and coGateway: the pair's, origin first).
 */
export function messageForRequest(
  request: StakeRequestRecord,
  worker: string,
  pair: { direction: Direction; gateway: string; coGateway: string; intentHash: string },
): MessageRecord {
  const { unlockSecret, hashLock } = generateHashLock();
  const hash = messageHash({
    intentHash: pair.intentHash,
    nonce: request.nonce,
    gasPrice: request.gasPrice,
    gasLimit: request.gasLimit,
    sender: request.stakerProxy,
    hashLock,
  });
  return {
    direction: pair.direction,
    messageHash: hash,
    stakeRequestHash: request.stakeRequestHash,
    gateway: pair.gateway,
    coGateway: pair.coGateway,
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
