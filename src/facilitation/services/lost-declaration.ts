import type { Logger } from '../../logging/logger';
import { MessageStatus } from '../../mosaic/message-status';
import type { FacilitationContext } from '../context';
import type { MessageRecord } from '../model';
import type { Route } from '../route';
import { findStep } from '../step-outbox';
import { MAX_ACCEPT_ATTEMPTS } from './accept-attempts';
import { orphanedRequestReason, transactionPlacement } from './transaction-placement';

/**
 * A message recorded as declared is Undeclared in its source gateway's outbox at a height at or above
 * its declaration height: the block that declared it was reorganised away (the outbox never goes back to
 * Undeclared otherwise). Records what the chain holds now, so that nothing is proven or confirmed for a
 * declaration that is not there and the message does not wait for a proof forever:
 * - declared again at another height (our accept mined again): the declaration height moves there;
 * - the request still open (composer or redeem pool): accept again, with the same hash lock (ACCEPTING);
 * - the request gone: ORPHANED when its own transaction is gone too, TAKEN when it is mined (taken by
 *   someone else or revoked on the new branch); the message ABANDONED. While a node holds the request's
 *   transaction pending again, nothing is decided.
 */
export async function recordLostDeclaration(context: FacilitationContext, route: Route, message: MessageRecord, log: Logger): Promise<void> {
  const { store } = context;
  const outbox = await route.sourceGateway.outboxStatus(message.messageHash);
  if (outbox !== MessageStatus.Undeclared) {
    const height = await declarationHeightOnChain(route, message);
    if (height !== undefined && height !== message.declarationHeight) {
      log.warn({ from: String(message.declarationHeight), to: String(height) }, 'declaration moved by a reorg: proving it at its new height');
      await store.apply({ kind: 'declarationMoved', messageHash: message.messageHash, declarationHeight: height });
    }
    return;
  }
  const request = await store.getStakeRequest(message.stakeRequestHash);
  if (!request) return;
  if (await acceptPending(route, message)) {
    log.info('our acceptance is pending again after a reorg; waiting for it');
    return;
  }
  if (await route.requestOpen(request)) {
    const reason = `our acceptance (declared at block ${String(message.declarationHeight)}) was reorganised away; accepting again with the same hash lock`;
    log.warn({ reason }, 'state ACCEPTING again: the declaration was reorganised away');
    await store.apply({ kind: 'acceptanceReorganised', stakeRequestHash: request.stakeRequestHash, reason });
    return;
  }
  const placement = await transactionPlacement(route.source.client, request.transactionHash);
  if (placement === 'pending') {
    log.info({ transactionHash: request.transactionHash }, 'the request is pending again after a reorg; waiting for it');
    return;
  }
  const [state, reason] =
    placement === 'gone'
      ? (['ORPHANED', orphanedRequestReason(request.transactionHash)] as const)
      : (['TAKEN', `our acceptance (declared at block ${String(message.declarationHeight)}) was reorganised away and the request is no longer open`] as const);
  log.warn({ reason }, `state ${state}: the declaration was reorganised away`);
  await store.apply({ kind: 'requestLost', stakeRequestHash: request.stakeRequestHash, state, reason });
}

/** Whether a node holds one of our accepts of the message pending (put back in its pool after a reorg, as geth does). */
async function acceptPending(route: Route, message: MessageRecord): Promise<boolean> {
  for (const hash of await acceptHashes(route, message)) {
    if ((await transactionPlacement(route.source.client, hash)) === 'pending') return true;
  }
  return false;
}

/** Every transaction hash broadcast for an accept of the message, all attempts. */
async function acceptHashes(route: Route, message: MessageRecord): Promise<string[]> {
  const hashes: string[] = [];
  for (let attempt = 0; attempt < MAX_ACCEPT_ATTEMPTS; attempt++) {
    const record = await findStep(route.source.engine, route.acceptStep(message.stakeRequestHash, attempt));
    if (!record) break;
    hashes.push(...record.txHashes);
  }
  return hashes;
}

/** The block of our declaration of the message, from the receipts of our accepts (any attempt). */
async function declarationHeightOnChain(route: Route, message: MessageRecord): Promise<bigint | undefined> {
  for (const hash of await acceptHashes(route, message)) {
    const receipt = await route.source.client.getReceipt(hash);
    if (receipt && route.declares(receipt.logs, message.messageHash)) return BigInt(receipt.blockNumber);
  }
  return undefined;
}
