import type { Logger } from '../logging/logger';
import { MessageStatus } from '../mosaic/message-status';
import type { EntityBatch, StreamedEntity } from '../streams/entity-stream';
import type { StakeRequestRecord } from './model';
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

const str = (entity: StreamedEntity, field: string): string => String(entity[field]).toLowerCase();
const big = (entity: StreamedEntity, field: string): bigint => BigInt(String(entity[field]));

function stakeRequestOf(entity: StreamedEntity): StakeRequestRecord {
  return {
    stakeRequestHash: str(entity, 'stakeRequestHash'),
    composer: str(entity, 'contractAddress'),
    gateway: str(entity, 'gateway'),
    staker: str(entity, 'staker'),
    stakerProxy: str(entity, 'stakerProxy'),
    amount: big(entity, 'amount'),
    beneficiary: str(entity, 'beneficiary'),
    gasPrice: big(entity, 'gasPrice'),
    gasLimit: big(entity, 'gasLimit'),
    nonce: big(entity, 'nonce'),
    blockNumber: big(entity, 'blockNumber'),
    transactionHash: str(entity, 'transactionHash'),
    state: 'REQUESTED',
  };
}

/**
 * Applies one batch of entities to the models. Every write is idempotent and monotonic, so replaying a
 * batch after a restart (the cursor is saved only after this returns) changes nothing.
 */
export async function handleEntityBatch(context: HandlerContext, batch: EntityBatch): Promise<void> {
  const { store, logger } = context;
  for (const entity of batch.entities) {
    const log = logger.child({ stream: batch.stream, entity: entity.id });
    switch (batch.entityType) {
      case 'StakeRequested': {
        if (str(entity, 'contractAddress') !== context.composer) break;
        const request = stakeRequestOf(entity);
        log.info(
          { stakeRequestHash: request.stakeRequestHash, staker: request.staker, gateway: request.gateway, amount: request.amount.toString() },
          'StakeRequested',
        );
        await store.recordStakeRequest(request);
        break;
      }
      case 'StakeRevoked':
      case 'StakeRejected': {
        if (str(entity, 'contractAddress') !== context.composer) break;
        const hash = str(entity, 'stakeRequestHash');
        log.info({ stakeRequestHash: hash }, batch.entityType);
        await store.recordClosure(hash, batch.entityType === 'StakeRevoked' ? 'REVOKED' : 'REJECTED');
        break;
      }
      case 'StakeIntentDeclared': {
        if (str(entity, 'contractAddress') !== context.gateway) break;
        const hash = str(entity, 'messageHash');
        if (!(await store.getMessage(hash))) break; // declared through another facilitator: not ours
        log.info({ messageHash: hash, block: Number(entity.blockNumber) }, 'StakeIntentDeclared');
        await store.updateSourceStatus(hash, MessageStatus.Declared, big(entity, 'blockNumber'));
        break;
      }
      case 'StakeProgressed': {
        if (str(entity, 'contractAddress') !== context.gateway) break;
        const hash = str(entity, 'messageHash');
        if (!(await store.getMessage(hash))) break;
        log.info({ messageHash: hash }, 'StakeProgressed');
        await store.updateSourceStatus(hash, MessageStatus.Progressed);
        break;
      }
      case 'StakeIntentConfirmed': {
        if (str(entity, 'contractAddress') !== context.coGateway) break;
        const hash = str(entity, 'messageHash');
        if (!(await store.getMessage(hash))) break;
        log.info({ messageHash: hash, height: String(entity.blockHeight) }, 'StakeIntentConfirmed');
        await store.updateTargetStatus(hash, MessageStatus.Declared, big(entity, 'blockHeight'));
        break;
      }
      case 'MintProgressed': {
        if (str(entity, 'contractAddress') !== context.coGateway) break;
        const hash = str(entity, 'messageHash');
        if (!(await store.getMessage(hash))) break;
        log.info({ messageHash: hash }, 'MintProgressed');
        await store.updateTargetStatus(hash, MessageStatus.Progressed);
        break;
      }
      case 'GatewayProven': {
        if (str(entity, 'contractAddress') !== context.coGateway) break;
        log.info({ height: String(entity.blockHeight) }, 'GatewayProven');
        await store.recordGatewayProven(context.gateway, context.coGateway, big(entity, 'blockHeight'));
        break;
      }
      case 'StateRootAvailable': {
        if (str(entity, 'contractAddress') !== context.auxiliaryAnchor) break;
        await store.recordAnchoredHeight(
          context.auxiliaryAnchor,
          context.auxiliaryChainId,
          big(entity, 'blockHeight'),
          str(entity, 'stateRoot'),
        );
        break;
      }
    }
  }
}
