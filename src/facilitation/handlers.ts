import type { Logger } from '../logging/logger';
import { MessageStatus } from '../mosaic/message-status';
import type { EntityOf, TypedEntity } from '../streams/entities';
import { typedEntity } from '../streams/entities';
import type { EntityBatch } from '../streams/entity-stream';
import type { StakeRequestRecord } from './model';
import type { StakeEvent } from './stake/events';
import type { FacilitationStore } from './store-port';

/** Where each streamed entity type lands in the facilitator's models. */
export interface HandlerContext {
  store: FacilitationStore;
  logger: Logger;
  /** The composer this facilitator watches (lowercase). */
  composer: string;
  /** The auxiliary Anchor holding origin state roots, and the auxiliary chain id. */
  auxiliaryAnchor: string;
  auxiliaryChainId: number;
  /** The gateway pair (lowercase). */
  gateway: string;
  coGateway: string;
}

/**
 * Applies one batch of entities to the models. Every event is idempotent and monotonic, so replaying a
 * batch after a restart (the cursor is saved only after this returns) changes nothing.
 */
export async function handleEntityBatch(context: HandlerContext, batch: EntityBatch): Promise<void> {
  for (const raw of batch.entities) {
    const typed = typedEntity(batch.entityType, raw);
    if (typed.entity.contractAddress !== emitterOf(context, typed)) continue; // another deployment's event
    const log = context.logger.child({ stream: batch.stream, entity: raw.id });
    const event = stakeEventOf(typed);
    if (event) {
      // Events of messages we did not make (declared through another facilitator) change nothing.
      const { changed } = await context.store.apply(event);
      if (changed.request || changed.message) log.info(logFieldsOf(typed), typed.type);
    } else {
      await recordFact(context, typed);
    }
  }
}

/** The contract whose events of this type the facilitator follows. */
function emitterOf(context: HandlerContext, typed: TypedEntity): string {
  switch (typed.type) {
    case 'StakeRequested':
    case 'StakeRevoked':
    case 'StakeRejected':
      return context.composer;
    case 'StakeIntentDeclared':
    case 'StakeProgressed':
      return context.gateway;
    case 'StakeIntentConfirmed':
    case 'MintProgressed':
    case 'GatewayProven':
      return context.coGateway;
    case 'StateRootAvailable':
      return context.auxiliaryAnchor;
  }
}

/** The facilitation event an entity is, or undefined for chain-wide facts (proofs, anchored roots). */
export function stakeEventOf(typed: TypedEntity): StakeEvent | undefined {
  switch (typed.type) {
    case 'StakeRequested':
      return { kind: 'requestSeen', request: stakeRequestOf(typed.entity) };
    case 'StakeRevoked':
      return { kind: 'requestClosed', stakeRequestHash: typed.entity.stakeRequestHash, by: 'REVOKED' };
    case 'StakeRejected':
      return { kind: 'requestClosed', stakeRequestHash: typed.entity.stakeRequestHash, by: 'REJECTED' };
    case 'StakeIntentDeclared':
      return { kind: 'sourceStatusSeen', messageHash: typed.entity.messageHash, status: MessageStatus.Declared, declarationHeight: typed.entity.blockNumber };
    case 'StakeProgressed':
      return { kind: 'sourceStatusSeen', messageHash: typed.entity.messageHash, status: MessageStatus.Progressed };
    case 'StakeIntentConfirmed':
      return { kind: 'targetStatusSeen', messageHash: typed.entity.messageHash, status: MessageStatus.Declared, confirmedHeight: typed.entity.blockHeight };
    case 'MintProgressed':
      return { kind: 'targetStatusSeen', messageHash: typed.entity.messageHash, status: MessageStatus.Progressed };
    case 'GatewayProven':
    case 'StateRootAvailable':
      return undefined;
  }
}

async function recordFact(context: HandlerContext, typed: TypedEntity): Promise<void> {
  if (typed.type === 'GatewayProven') {
    context.logger.info({ height: typed.entity.blockHeight.toString() }, 'GatewayProven');
    await context.store.recordGatewayProven(context.gateway, context.coGateway, typed.entity.blockHeight);
  } else if (typed.type === 'StateRootAvailable') {
    await context.store.recordAnchoredHeight(context.auxiliaryAnchor, context.auxiliaryChainId, typed.entity.blockHeight, typed.entity.stateRoot);
  }
}

function stakeRequestOf(entity: EntityOf<'StakeRequested'>): StakeRequestRecord {
  return {
    direction: 'STAKE',
    stakeRequestHash: entity.stakeRequestHash,
    composer: entity.contractAddress,
    gateway: entity.gateway,
    staker: entity.staker,
    stakerProxy: entity.stakerProxy,
    amount: entity.amount,
    beneficiary: entity.beneficiary,
    gasPrice: entity.gasPrice,
    gasLimit: entity.gasLimit,
    nonce: entity.nonce,
    blockNumber: entity.blockNumber,
    transactionHash: entity.transactionHash,
    state: 'REQUESTED',
  };
}

function logFieldsOf(typed: TypedEntity): Record<string, string> {
  switch (typed.type) {
    case 'StakeRequested':
      return { stakeRequestHash: typed.entity.stakeRequestHash, staker: typed.entity.staker, gateway: typed.entity.gateway, amount: typed.entity.amount.toString() };
    case 'StakeRevoked':
    case 'StakeRejected':
      return { stakeRequestHash: typed.entity.stakeRequestHash };
    default:
      return 'messageHash' in typed.entity ? { messageHash: typed.entity.messageHash, block: typed.entity.blockNumber.toString() } : {};
  }
}
