import type { ChainClient } from '../chain/chain-client';
import type { AccountProof } from '../chain/proofs';
import type { RawLog } from '../mosaic/contract';
import { contractInterface, type Anchor, type ContractCall } from '../mosaic/contracts';
import type { MessageStatus } from '../mosaic/message-status';
import { confirmRedeemIntentCall, proveCoGatewayCall } from '../mosaic/redeem-proofs';
import { confirmStakeIntentCall, proveGatewayCall } from '../mosaic/stake-proofs';
import type { ChainEngine, FacilitationContext } from './context';
import type { Direction, MessageRecord, StakeRequestRecord } from './model';
import type { FacilitationStep } from './steps';

/** A chain as a route uses it. */
export interface RouteChain {
  name: 'origin' | 'auxiliary';
  client: ChainClient;
  engine: ChainEngine;
}

/**
 * One direction of the gateway pair, as the services that move a declared message need it: where the
 * message is declared (source), where it is proven, confirmed and minted or unstaked (target), and the
 * calls and steps of each. Stake & mint and redeem & unstake differ only here.
 */
export interface Route {
  direction: Direction;
  source: RouteChain;
  target: RouteChain;
  /** The gateway whose outbox declares messages (the key of its proven heights). */
  sourceGateway: { address: string; outboxStatus(messageHash: string): Promise<MessageStatus> };
  /** Its counterpart, whose inbox takes them. */
  targetGateway: { address: string; inboxStatus(messageHash: string): Promise<MessageStatus> };
  /** The anchor on the target chain holding source state roots. */
  targetAnchor: Anchor;
  /** One eth_getProof of the source gateway at `height` with these messages' outbox slots. */
  proveOutbox(messageHashes: readonly string[], height: bigint): Promise<AccountProof>;
  proveStep(height: bigint): FacilitationStep;
  proveCall(proof: AccountProof): ContractCall;
  confirmStep(messageHash: string, height: bigint): FacilitationStep;
  confirmCall(message: MessageRecord, proof: AccountProof, storageIndex: number): ContractCall;
  /** Reveals the secret on the source (bounty back to the accepting worker) and on the target. */
  progress: { source: ProgressCall; target: ProgressCall };
  /** The `attempt`-th accept of a request, as its outbox step. */
  acceptStep(requestHash: string, attempt: number): FacilitationStep;
  /** Whether the request is still open where it was made (not yet accepted, revoked or rejected). */
  requestOpen(request: StakeRequestRecord): Promise<boolean>;
  /** Whether the logs of our accept's receipt hold the declaration of this message. */
  declares(logs: readonly RawLog[], messageHash: string): boolean;
  /** Names for logs: the request, its accept step, the proof and the intent's confirm. */
  names: { request: 'stake request' | 'redeem request'; accept: string; prove: string; confirm: string };
}

export interface ProgressCall {
  name: 'progressStake' | 'progressMint' | 'progressRedeem' | 'progressUnstake';
  chain: RouteChain;
  step(messageHash: string): FacilitationStep;
  call(message: MessageRecord): ContractCall;
}

function declaresWith(contract: 'EIP20Gateway' | 'EIP20CoGateway', address: string, event: string): Route['declares'] {
  const abi = contractInterface(contract);
  return (logs, messageHash) =>
    abi.decodeLogs(logs, address).some((e) => e.name === event && String(e.args._messageHash).toLowerCase() === messageHash);
}

/** Stake & mint: declared in the origin gateway, proven, confirmed and minted on the auxiliary chain. */
export function stakeRoute(context: FacilitationContext): Route {
  const { origin, auxiliary } = context;
  const originChain: RouteChain = { name: 'origin', client: origin.client, engine: origin.engine };
  const auxChain: RouteChain = { name: 'auxiliary', client: auxiliary.client, engine: auxiliary.engine };
  return {
    direction: 'STAKE',
    source: originChain,
    target: auxChain,
    sourceGateway: { address: origin.gateway.address, outboxStatus: (hash) => origin.gateway.outboxStatus(hash) },
    targetGateway: { address: auxiliary.coGateway.address, inboxStatus: (hash) => auxiliary.coGateway.inboxStatus(hash) },
    targetAnchor: auxiliary.anchor,
    proveOutbox: (hashes, height) => context.proofs.gatewayOutbox(hashes, height),
    proveStep: (height) => ({ kind: 'prove', gateway: origin.gateway.address, height }),
    proveCall: (proof) => proveGatewayCall(auxiliary.coGateway, proof),
    confirmStep: (messageHash, height) => ({ kind: 'confirm', messageHash, height }),
    confirmCall: (message, proof, index) => confirmStakeIntentCall(auxiliary.coGateway, { ...message, stakerProxy: message.sender }, proof, index),
    progress: {
      source: {
        name: 'progressStake',
        chain: originChain,
        step: (messageHash) => ({ kind: 'progressStake', messageHash }),
        call: (m) => origin.gateway.progressStake(m.messageHash, m.unlockSecret),
      },
      target: {
        name: 'progressMint',
        chain: auxChain,
        step: (messageHash) => ({ kind: 'progressMint', messageHash }),
        call: (m) => auxiliary.coGateway.progressMint(m.messageHash, m.unlockSecret),
      },
    },
    acceptStep: (stakeRequestHash, attempt) => ({ kind: 'accept', stakeRequestHash, attempt }),
    requestOpen: (request) => origin.composer.stakeRequestExists(request.stakeRequestHash),
    declares: declaresWith('EIP20Gateway', origin.gateway.address, 'StakeIntentDeclared'),
    names: { request: 'stake request', accept: 'acceptStakeRequest', prove: 'proveGateway', confirm: 'confirmStakeIntent' },
  };
}

/** Redeem & unstake: declared in the auxiliary cogateway, proven, confirmed and unstaked on origin. */
export function redeemRoute(context: FacilitationContext): Route {
  const { origin, auxiliary } = context;
  const originChain: RouteChain = { name: 'origin', client: origin.client, engine: origin.engine };
  const auxChain: RouteChain = { name: 'auxiliary', client: auxiliary.client, engine: auxiliary.engine };
  return {
    direction: 'REDEEM',
    source: auxChain,
    target: originChain,
    sourceGateway: { address: auxiliary.coGateway.address, outboxStatus: (hash) => auxiliary.coGateway.outboxStatus(hash) },
    targetGateway: { address: origin.gateway.address, inboxStatus: (hash) => origin.gateway.inboxStatus(hash) },
    targetAnchor: origin.anchor,
    proveOutbox: (hashes, height) => context.proofs.coGatewayOutbox(hashes, height),
    proveStep: (height) => ({ kind: 'proveCoGateway', coGateway: auxiliary.coGateway.address, height }),
    proveCall: (proof) => proveCoGatewayCall(origin.gateway, proof),
    confirmStep: (messageHash, height) => ({ kind: 'confirmRedeem', messageHash, height }),
    confirmCall: (message, proof, index) => confirmRedeemIntentCall(origin.gateway, { ...message, redeemerProxy: message.sender }, proof, index),
    progress: {
      source: {
        name: 'progressRedeem',
        chain: auxChain,
        step: (messageHash) => ({ kind: 'progressRedeem', messageHash }),
        call: (m) => auxiliary.coGateway.progressRedeem(m.messageHash, m.unlockSecret),
      },
      target: {
        name: 'progressUnstake',
        chain: originChain,
        step: (messageHash) => ({ kind: 'progressUnstake', messageHash }),
        call: (m) => origin.gateway.progressUnstake(m.messageHash, m.unlockSecret),
      },
    },
    acceptStep: (redeemRequestHash, attempt) => ({ kind: 'acceptRedeem', redeemRequestHash, attempt }),
    requestOpen: (request) => auxiliary.redeemPool.redeemRequestExists(request.stakeRequestHash, request.staker, request.gateway),
    declares: declaresWith('EIP20CoGateway', auxiliary.coGateway.address, 'RedeemIntentDeclared'),
    names: { request: 'redeem request', accept: 'acceptRedeemRequest', prove: 'proveGateway (cogateway on origin)', confirm: 'confirmRedeemIntent' },
  };
}

/** Both routes of a context, by direction. */
export function routesOf(context: FacilitationContext): Record<Direction, Route> {
  return { STAKE: stakeRoute(context), REDEEM: redeemRoute(context) };
}
