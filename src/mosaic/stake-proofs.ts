import type { ChainClient } from '../chain/chain-client';
import type { AccountProof } from '../chain/proofs';
import { Eip20CoGateway, Eip20Gateway, type ContractCall } from './contracts';
import { declaredSlot, proveOutboxSlots } from './outbox-proofs';

export interface StakeMessage {
  messageHash: string;
  /** The message sender: the staker's StakerProxy when staking through the composer. */
  stakerProxy: string;
  nonce: bigint;
  beneficiary: string;
  amount: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
  hashLock: string;
}

/**
 * One eth_getProof of the origin gateway at `height` covering the outbox slots of several messages:
 * the account part feeds proveGateway, each storage part a confirmStakeIntent. Checked against the block's
 * state root (a mismatch is retryable: the service proves again on its next run).
 */
export async function proveGatewayOutbox(
  originClient: ChainClient,
  gateway: Eip20Gateway,
  messageHashes: readonly string[],
  height: bigint,
): Promise<AccountProof> {
  return proveOutboxSlots(originClient, gateway, messageHashes, height);
}

export function proveGatewayCall(coGateway: Eip20CoGateway, proof: AccountProof): ContractCall {
  return coGateway.proveGateway(proof.blockNumber, proof.rlpAccount, proof.rlpAccountParentNodes);
}

/** confirmStakeIntent for one message, from the storage proof of its outbox slot in `proof`. */
export function confirmStakeIntentCall(
  coGateway: Eip20CoGateway,
  message: StakeMessage,
  proof: AccountProof,
  storageIndex: number,
): ContractCall {
  const storage = declaredSlot(proof, storageIndex, message.messageHash, 'gateway');
  return coGateway.confirmStakeIntent({
    staker: message.stakerProxy,
    stakerNonce: message.nonce,
    beneficiary: message.beneficiary,
    amount: message.amount,
    gasPrice: message.gasPrice,
    gasLimit: message.gasLimit,
    hashLock: message.hashLock,
    blockHeight: proof.blockNumber,
    rlpParentNodes: storage.rlpParentNodes,
  });
}
