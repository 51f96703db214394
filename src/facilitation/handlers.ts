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
  /** The redeem pool it watches (auxiliary). */
  redeemPool: string;
  /** The auxiliary Anchor holding origin state roots, and its chain id. */
  auxiliaryAnchor: string;
  auxiliaryChainId: number;
  /** The origin Anchor holding auxiliary state roots, and its chain id. */
  originAnchor: string;
  originChainId: number;
  /** The gateway pair (lowercase). */
  gateway: string;
  coGateway: string;
}

/**
 * Applies one batch of entities to the models. Every event is idempotent and monotonic, so replaying a
 * batch after a restart (the cursor is saved only after this returns) changes nothing. The batch's
 * events are applied in one commit: under load 20 requests of one block, each a commit of its own
 * queued behind the work the earlier ones had started, held the stream (and every later request) for
 * seconds.
 */
export async function handleEntityBatch(context: HandlerContext, batch: EntityBatch): Promise<void> {
  const side = sideOfStream(batch.stream);
  const seen: Array<{ typed: TypedEntity; event: StakeEvent }> = [];
  for (const raw of batch.entities) {
    const typed = typedEntity(batch.entityType, raw);
    if (typed.entity.contractAddress !== emitterOf(context, side, typed)) continue; // another deployment's event
    const event = stakeEventOf(typed);
    // A stream carries one entity type: its batch is all events, or all facts.
    if (event) seen.push({ typed, event: { ...event, evidence: { blockNumber: typed.entity.blockNumber, txHash: typed.entity.transactionHash } } });
    else await recordFact(context, side, typed);
  }
  if (seen.length === 0) return;
  const transitions = await context.store.applyAll(seen.map(({ event }) => event));
  // Events of messages we did not make (declared through another facilitator) change nothing.
  for (const [index, { typed }] of seen.entries()) {
    const { changed } = transitions[index];
    if (changed.request || changed.message) context.logger.child({ stream: batch.stream, entity: typed.entity.id }).info(logFieldsOf(typed), typed.type);
  }
}

type Side = 'origin' | 'auxiliary';

/** Streams are named `<side>.<EntityType>`: proofs and anchors are entities of both sides. */
function sideOfStream(stream: string): Side {
  return stream.startsWith('origin.') ? 'origin' : 'auxiliary';
}

/** The contract whose events of this type, on this side, the facilitator follows. */
function emitterOf(context: HandlerContext, side: Side, typed: TypedEntity): string {
  switch (typed.type) {
    case 'StakeRequested':
    case 'StakeRevoked':
    case 'StakeRejected':
      return context.composer;
    case 'RedeemRequested':
    case 'RedeemRevoked':
    case 'RedeemRejected':
      return context.redeemPool;
    case 'StakeIntentDeclared':
    case 'StakeProgressed':
    case 'RedeemIntentConfirmed':
    case 'UnstakeProgressed':
      return context.gateway;
    case 'StakeIntentConfirmed':
    case 'MintProgressed':
    case 'RedeemIntentDeclared':
    case 'RedeemProgressed':
      return context.coGateway;
    case 'GatewayProven':
      return side === 'auxiliary' ? context.coGateway : context.gateway;
    case 'StateRootAvailable':
      return side === 'auxiliary' ? context.auxiliaryAnchor : context.originAnchor;
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
    case 'RedeemRequested':
      return { kind: 'requestSeen', request: redeemRequestOf(typed.entity) };
    case 'RedeemRevoked':
      return { kind: 'requestClosed', stakeRequestHash: typed.entity.redeemRequestHash, by: 'REVOKED' };
    case 'RedeemRejected':
      return { kind: 'requestClosed', stakeRequestHash: typed.entity.redeemRequestHash, by: 'REJECTED' };
    case 'RedeemIntentDeclared':
      return { kind: 'sourceStatusSeen', messageHash: typed.entity.messageHash, status: MessageStatus.Declared, declarationHeight: typed.entity.blockNumber };
    case 'RedeemProgressed':
      return { kind: 'sourceStatusSeen', messageHash: typed.entity.messageHash, status: MessageStatus.Progressed };
    case 'RedeemIntentConfirmed':
      return { kind: 'targetStatusSeen', messageHash: typed.entity.messageHash, status: MessageStatus.Declared, confirmedHeight: typed.entity.blockHeight };
    case 'UnstakeProgressed':
      return { kind: 'targetStatusSeen', messageHash: typed.entity.messageHash, status: MessageStatus.Progressed };
    case 'GatewayProven':
    case 'StateRootAvailable':
      return undefined;
  }
}

/** Proofs and anchors: on the auxiliary side they serve stakes, on origin redeems. */
async function recordFact(context: HandlerContext, side: Side, typed: TypedEntity): Promise<void> {
  const onAuxiliary = side === 'auxiliary';
  if (typed.type === 'GatewayProven') {
    // The auxiliary cogateway proves the origin gateway, and the other way round.
    const [proven, by] = onAuxiliary ? [context.gateway, context.coGateway] : [context.coGateway, context.gateway];
    context.logger.info({ side, gateway: proven, height: typed.entity.blockHeight.toString() }, 'GatewayProven');
    await context.store.recordGatewayProven(proven, by, typed.entity.blockHeight);
  } else if (typed.type === 'StateRootAvailable') {
    const [anchor, chainId] = onAuxiliary ? [context.auxiliaryAnchor, context.auxiliaryChainId] : [context.originAnchor, context.originChainId];
    await context.store.recordAnchoredHeight(anchor, chainId, typed.entity.blockHeight, typed.entity.stateRoot);
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

/** A RedeemRequested in the shared request record (see Direction in model.ts for the field mapping). */
function redeemRequestOf(entity: EntityOf<'RedeemRequested'>): StakeRequestRecord {
  return {
    direction: 'REDEEM',
    stakeRequestHash: entity.redeemRequestHash,
    composer: entity.contractAddress,
    gateway: entity.cogateway,
    staker: entity.redeemer,
    stakerProxy: entity.redeemerProxy,
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
    case 'RedeemRequested':
      return { redeemRequestHash: typed.entity.redeemRequestHash, redeemer: typed.entity.redeemer, cogateway: typed.entity.cogateway, amount: typed.entity.amount.toString() };
    case 'RedeemRevoked':
    case 'RedeemRejected':
      return { redeemRequestHash: typed.entity.redeemRequestHash };
    default:
      return 'messageHash' in typed.entity ? { messageHash: typed.entity.messageHash, block: typed.entity.blockNumber.toString() } : {};
  }
}
