import type { ChainClient } from '../chain/chain-client';
import { proveAccount, type AccountProof } from '../chain/proofs';
import { Eip20CoGateway, Eip20Gateway, type ContractCall } from './contracts';
import { messageBoxSlot } from './hashes';
import { MessageStatus, messageStatusName } from './message-status';

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
 * the account part feeds proveGateway, each storage part a confirmStakeIntent.
 */
export async function proveGatewayOutbox(
  originClient: ChainClient,
  gateway: Eip20Gateway,
  messageHashes: readonly string[],
  height: bigint,
): Promise<AccountProof> {
  const offset = await gateway.getMessageBoxOffset();
  const slots = messageHashes.map((hash) => messageBoxSlot(hash, offset).outbox);
  return proveAccount(originClient, gateway.address, slots, height);
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
  const storage = proof.storage[storageIndex];
  if (!storage) throw new Error(`no storage proof at index ${storageIndex} for message ${message.messageHash}`);
  if (storage.value !== BigInt(MessageStatus.Declared)) {
    throw new Error(
      `message ${message.messageHash} is ${messageStatusName(Number(storage.value))} in the gateway's outbox at height ${proof.blockNumber}, not Declared: it cannot be confirmed with this proof`,
    );
  }
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
