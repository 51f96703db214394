import type { RpcReceipt } from '../chain/chain-client';
import type { TransactionOutcome } from '../chain/tx-engine/transaction-engine';
import { scrub } from '../logging/safe-error';
import { MessageStatus } from '../mosaic/message-status';
import type { FacilitationContext } from './context';
import type { Direction } from './model';
import { routesOf, type Route } from './route';
import type { StakeEvent } from './stake/events';
import { decodeStep, type FacilitationStep, type StepKind } from './steps';

/** What a settled transaction means beyond the models: the services that wait on it are told. */
export interface OutcomeHooks {
  /** A proof transaction of this direction is final (mined or failed): the next proof may go. */
  onProofSettled(direction: Direction): void;
  /** An accept failed: the accept service decides between another attempt and giving up. */
  onAcceptFailed(direction: Direction, requestHash: string): void;
}

/**
 * Turns a mined (or failed) transaction into the facilitation events its receipt proves, so the next
 * step need not wait for the subgraph (which later reports the same facts; events are idempotent).
 */
export function applyOutcome(
  context: FacilitationContext,
  outcome: TransactionOutcome,
  hooks: OutcomeHooks,
  routes: Record<Direction, Route> = routesOf(context),
): Promise<void> {
  return applyOutcomes(context, [outcome], hooks, routes);
}

/**
 * applyOutcome for outcomes that arrived together (a block's transactions), in order: their events are
 * applied in one commit (FacilitationStore.applyAll) instead of one each.
 */
export async function applyOutcomes(
  context: FacilitationContext,
  outcomes: readonly TransactionOutcome[],
  hooks: OutcomeHooks,
  routes: Record<Direction, Route> = routesOf(context),
): Promise<void> {
  const events: StakeEvent[] = [];
  for (const outcome of outcomes) {
    const step = decodeStep(outcome);
    if (!step) continue;
    if (outcome.status !== 'mined') {
      context.logger.warn({ step: step.kind, subject: outcome.subject, txHash: outcome.txHash, error: outcome.lastError && scrub(outcome.lastError) }, 'step failed');
    }
    // The history shows the transaction (and its block) that made each change.
    const evidence = { txHash: outcome.txHash, blockNumber: outcome.receipt ? BigInt(outcome.receipt.blockNumber) : undefined };
    for (const event of await eventsOf(context, routes[STEP_DIRECTIONS[step.kind]], step, outcome, hooks)) events.push({ ...event, evidence });
  }
  if (events.length > 0) await context.store.applyAll(events);
}

/** Which direction each step serves (the bounty top-up is a stake's). */
const STEP_DIRECTIONS: Record<StepKind, Direction> = {
  accept: 'STAKE',
  approveBounty: 'STAKE',
  prove: 'STAKE',
  confirm: 'STAKE',
  progressStake: 'STAKE',
  progressMint: 'STAKE',
  acceptRedeem: 'REDEEM',
  proveCoGateway: 'REDEEM',
  confirmRedeem: 'REDEEM',
  progressRedeem: 'REDEEM',
  progressUnstake: 'REDEEM',
};

async function eventsOf(context: FacilitationContext, route: Route, step: FacilitationStep, outcome: TransactionOutcome, hooks: OutcomeHooks): Promise<StakeEvent[]> {
  const success = outcome.status === 'mined';
  switch (step.kind) {
    case 'accept':
    case 'acceptRedeem': {
      const requestHash = step.kind === 'accept' ? step.stakeRequestHash : step.redeemRequestHash;
      if (success) return acceptMined(context, route, requestHash, outcome);
      hooks.onAcceptFailed(route.direction, requestHash);
      return [];
    }
    case 'prove':
    case 'proveCoGateway':
      try {
        if (success) await context.store.recordGatewayProven(route.sourceGateway.address, route.targetGateway.address, step.height);
      } finally {
        hooks.onProofSettled(route.direction); // even when that write failed: the GatewayProven entity records it again
      }
      return [];
    case 'confirm':
    case 'confirmRedeem': {
      if (success) return [{ kind: 'targetStatusSeen', messageHash: step.messageHash, status: MessageStatus.Declared, confirmedHeight: step.height }];
      const inbox = await route.targetGateway.inboxStatus(step.messageHash);
      if (inbox === MessageStatus.Undeclared) return [{ kind: 'confirmFailed', messageHash: step.messageHash }]; // a later proof may do
      return [{ kind: 'targetStatusSeen', messageHash: step.messageHash, status: inbox }];
    }
    case 'progressStake':
    case 'progressRedeem': {
      const status = success ? MessageStatus.Progressed : await route.sourceGateway.outboxStatus(step.messageHash);
      return [{ kind: 'sourceStatusSeen', messageHash: step.messageHash, status }];
    }
    case 'progressMint':
    case 'progressUnstake': {
      const status = success ? MessageStatus.Progressed : await route.targetGateway.inboxStatus(step.messageHash);
      return [{ kind: 'targetStatusSeen', messageHash: step.messageHash, status }];
    }
    case 'approveBounty':
      return []; // its sender waits for it (BountyAllowance)
  }
}

/** A mined accept declares our message: its receipt holds the declaration event and its block. */
async function acceptMined(context: FacilitationContext, route: Route, requestHash: string, outcome: TransactionOutcome): Promise<StakeEvent[]> {
  const { store, logger } = context;
  const message = await store.messageForStakeRequest(requestHash);
  if (!message) return [];
  const receipt: RpcReceipt | null = outcome.receipt ?? (outcome.txHash ? await route.source.client.getReceipt(outcome.txHash) : null);
  if (!receipt || !route.declares(receipt.logs, message.messageHash)) {
    logger.error({ direction: route.direction, messageHash: message.messageHash, txHash: outcome.txHash }, `${route.names.accept} mined without the expected declaration`);
    return [{ kind: 'messageFailed', messageHash: message.messageHash, reason: 'accepted, but the declared message hash differs' }];
  }
  return [{ kind: 'sourceStatusSeen', messageHash: message.messageHash, status: MessageStatus.Declared, declarationHeight: BigInt(receipt.blockNumber) }];
}
