import type { ChainClient } from '../chain/chain-client';
import type { AccountProof } from '../chain/proofs';
export { ProofRootMismatchError } from '../chain/proofs';
import { Eip20CoGateway, Eip20Gateway, type ContractCall } from './contracts';
import { declaredSlot, proveOutboxSlots } from './outbox-proofs';

/** A redeem message as gateway.confirmRedeemIntent needs it. */
export interface RedeemMessage {
  messageHash: string;
  /** The message sender: the redeemer's RedeemerProxy when redeeming through the RedeemPool. */
  redeemerProxy: string;
  nonce: bigint;
  /** Receiver of the unstaked OST on origin. */
  beneficiary: string;
  amount: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
  hashLock: string;
}

/**
 * One eth_getProof of the auxiliary cogateway at `height` covering the outbox slots of several redeem
 * messages: the account part feeds gateway.proveGateway on origin, each storage part a confirmRedeemIntent.
 * The proof is checked against block(height).stateRoot, the root the relay anchors on origin: anvil has
 * answered eth_getProof at its head for a state that is not the head header's.
 */
export async function proveCoGatewayOutbox(
  auxClient: ChainClient,
  coGateway: Eip20CoGateway,
  messageHashes: readonly string[],
  height: bigint,
): Promise<AccountProof> {
  return proveOutboxSlots(auxClient, coGateway, messageHashes, height);
}

/** gateway.proveGateway on origin with the cogateway's account proof. */
export function proveCoGatewayCall(gateway: Eip20Gateway, proof: AccountProof): ContractCall {
  return gateway.proveGateway(proof.blockNumber, proof.rlpAccount, proof.rlpAccountParentNodes);
}

/** gateway.confirmRedeemIntent for one message, from the storage proof of its outbox slot in `proof`. */
export function confirmRedeemIntentCall(
  gateway: Eip20Gateway,
  message: RedeemMessage,
  proof: AccountProof,
  storageIndex: number,
): ContractCall {
  const storage = declaredSlot(proof, storageIndex, message.messageHash, 'cogateway');
  return gateway.confirmRedeemIntent({
    redeemer: message.redeemerProxy,
    redeemerNonce: message.nonce,
    beneficiary: message.beneficiary,
    amount: message.amount,
    gasPrice: message.gasPrice,
    gasLimit: message.gasLimit,
    blockHeight: proof.blockNumber,
    hashLock: message.hashLock,
    rlpParentNodes: storage.rlpParentNodes,
  });
}
