import type { TransactionOutcome } from '../chain/tx-engine/transaction-engine';
import { contractInterface } from '../mosaic/contracts';
import { MessageStatus } from '../mosaic/message-status';
import type { FacilitationContext } from './context';
import { ACCEPT_PURPOSE, stakeRequestOfAcceptSubject } from './services/accept-stake-request';
import { CONFIRM_PURPOSE } from './services/confirm-stake-intent';
import { PROGRESS_MINT_PURPOSE, PROGRESS_STAKE_PURPOSE } from './services/progress';
import { PROVE_PURPOSE } from './services/prove-gateway';

/**
 * Applies what a mined (or failed) transaction proves to the models, straight from its receipt, so the
 * next step need not wait for the subgraph. The subgraph later reports the same facts; both writes are
 * idempotent.
 */
export interface OutcomeHooks {
  /** A proof transaction at this height is final (mined or failed). */
  onProofSettled(height: bigint): void;
  /** An accept failed: the accept service decides between another attempt and giving up. */
  onAcceptFailed(stakeRequestHash: string): void;
}

export async function applyOutcome(context: FacilitationContext, outcome: TransactionOutcome, hooks: OutcomeHooks): Promise<void> {
  const { store, origin, auxiliary, logger } = context;
  const success = outcome.status === 'mined';
  const log = logger.child({ purpose: outcome.purpose, subject: outcome.subject, txHash: outcome.txHash });
  if (!success) log.warn({ error: outcome.lastError }, 'step failed');

  switch (outcome.purpose) {
    case ACCEPT_PURPOSE: {
      const stakeRequestHash = stakeRequestOfAcceptSubject(outcome.subject);
      const message = await store.messageForStakeRequest(stakeRequestHash);
      if (!message) return;
      if (success) {
        const receipt = outcome.txHash ? await origin.client.getReceipt(outcome.txHash) : null;
        const declared = receipt
          ? contractInterface('EIP20Gateway')
              .decodeLogs(receipt.logs, origin.gateway.address)
              .find((e) => e.name === 'StakeIntentDeclared' && String(e.args._messageHash).toLowerCase() === message.messageHash)
          : undefined;
        if (!declared) {
          log.error({ messageHash: message.messageHash }, 'acceptStakeRequest mined without the expected StakeIntentDeclared');
          await store.setMessageState(message.messageHash, 'FAILED', 'accepted, but the declared message hash differs');
          return;
        }
        log.info({ messageHash: message.messageHash, block: Number(receipt!.blockNumber) }, 'state DECLARED');
        await store.updateSourceStatus(message.messageHash, MessageStatus.Declared, BigInt(receipt!.blockNumber));
        return;
      }
      hooks.onAcceptFailed(stakeRequestHash);
      return;
    }
    case PROVE_PURPOSE: {
      const height = BigInt(outcome.subject.split('@')[1]);
      if (success) {
        await store.recordGatewayProven(origin.gateway.address, auxiliary.coGateway.address, height);
        log.info({ height: height.toString() }, 'gateway proven');
      }
      hooks.onProofSettled(height);
      return;
    }
    case CONFIRM_PURPOSE: {
      const [messageHash, height] = outcome.subject.split('@');
      if (success) {
        log.info({ messageHash }, 'state CONFIRMED');
        await store.updateTargetStatus(messageHash, MessageStatus.Declared, BigInt(height));
        return;
      }
      const inbox = await auxiliary.coGateway.inboxStatus(messageHash);
      if (inbox !== MessageStatus.Undeclared) await store.updateTargetStatus(messageHash, inbox);
      else await store.setMessageState(messageHash, 'DECLARED'); // try again with a later proof
      return;
    }
    case PROGRESS_STAKE_PURPOSE: {
      const status = success ? MessageStatus.Progressed : await origin.gateway.outboxStatus(outcome.subject);
      await store.updateSourceStatus(outcome.subject, status);
      if (success) log.info({ messageHash: outcome.subject }, 'stake progressed');
      return;
    }
    case PROGRESS_MINT_PURPOSE: {
      const status = success ? MessageStatus.Progressed : await auxiliary.coGateway.inboxStatus(outcome.subject);
      await store.updateTargetStatus(outcome.subject, status);
      if (success) log.info({ messageHash: outcome.subject }, 'mint progressed');
      return;
    }
  }
}
