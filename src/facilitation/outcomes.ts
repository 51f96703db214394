import type { RpcReceipt } from '../chain/chain-client';
import type { TransactionOutcome } from '../chain/tx-engine/transaction-engine';
import { scrub } from '../logging/safe-error';
import { contractInterface } from '../mosaic/contracts';
import { MessageStatus } from '../mosaic/message-status';
import type { FacilitationContext } from './context';
import type { StakeEvent } from './stake/events';
import { decodeStep, type FacilitationStep } from './steps';

/** What a settled transaction means beyond the models: the services that wait on it are told. */
export interface OutcomeHooks {
  /** A proof transaction is final (mined or failed): the next proof may go. */
  onProofSettled(): void;
  /** An accept failed: the accept service decides between another attempt and giving up. */
  onAcceptFailed(stakeRequestHash: string): void;
}

/**
 * Turns a mined (or failed) transaction into the facilitation events its receipt proves, so the next
 * step need not wait for the subgraph (which later reports the same facts; events are idempotent).
 */
export async function applyOutcome(context: FacilitationContext, outcome: TransactionOutcome, hooks: OutcomeHooks): Promise<void> {
  const step = decodeStep(outcome);
  if (!step) return;
  if (outcome.status !== 'mined') {
    context.logger.warn({ step: step.kind, subject: outcome.subject, txHash: outcome.txHash, error: outcome.lastError && scrub(outcome.lastError) }, 'step failed');
  }
  for (const event of await eventsOf(context, step, outcome, hooks)) await context.store.apply(event);
}

async function eventsOf(context: FacilitationContext, step: FacilitationStep, outcome: TransactionOutcome, hooks: OutcomeHooks): Promise<StakeEvent[]> {
  const { origin, auxiliary } = context;
  const success = outcome.status === 'mined';
  switch (step.kind) {
    case 'accept':
      if (success) return acceptMined(context, step.stakeRequestHash, outcome);
      hooks.onAcceptFailed(step.stakeRequestHash);
      return [];
    case 'prove':
      try {
        if (success) await context.store.recordGatewayProven(origin.gateway.address, auxiliary.coGateway.address, step.height);
      } finally {
        hooks.onProofSettled(); // even when that write failed: the GatewayProven entity records it again
      }
      return [];
    case 'confirm': {
      if (success) return [{ kind: 'targetStatusSeen', messageHash: step.messageHash, status: MessageStatus.Declared, confirmedHeight: step.height }];
      const inbox = await auxiliary.coGateway.inboxStatus(step.messageHash);
      if (inbox === MessageStatus.Undeclared) return [{ kind: 'confirmFailed', messageHash: step.messageHash }]; // a later proof may do
      return [{ kind: 'targetStatusSeen', messageHash: step.messageHash, status: inbox }];
    }
    case 'progressStake': {
      const status = success ? MessageStatus.Progressed : await origin.gateway.outboxStatus(step.messageHash);
      return [{ kind: 'sourceStatusSeen', messageHash: step.messageHash, status }];
    }
    case 'progressMint': {
      const status = success ? MessageStatus.Progressed : await auxiliary.coGateway.inboxStatus(step.messageHash);
      return [{ kind: 'targetStatusSeen', messageHash: step.messageHash, status }];
    }
    case 'approveBounty':
      return []; // its sender waits for it (BountyAllowance)
  }
}

/** A mined accept declares our message: its receipt holds the StakeIntentDeclared and its block. */
async function acceptMined(context: FacilitationContext, stakeRequestHash: string, outcome: TransactionOutcome): Promise<StakeEvent[]> {
  const { store, origin, logger } = context;
  const message = await store.messageForStakeRequest(stakeRequestHash);
  if (!message) return [];
  const receipt: RpcReceipt | null = outcome.receipt ?? (outcome.txHash ? await origin.client.getReceipt(outcome.txHash) : null);
  const declared = receipt
    ? contractInterface('EIP20Gateway')
        .decodeLogs(receipt.logs, origin.gateway.address)
        .some((e) => e.name === 'StakeIntentDeclared' && String(e.args._messageHash).toLowerCase() === message.messageHash)
    : false;
  if (!receipt || !declared) {
    logger.error({ messageHash: message.messageHash, txHash: outcome.txHash }, 'acceptStakeRequest mined without the expected StakeIntentDeclared');
    return [{ kind: 'messageFailed', messageHash: message.messageHash, reason: 'accepted, but the declared message hash differs' }];
  }
  return [{ kind: 'sourceStatusSeen', messageHash: message.messageHash, status: MessageStatus.Declared, declarationHeight: BigInt(receipt.blockNumber) }];
}
