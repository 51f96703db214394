import type { ChainClient } from '../chain/chain-client';
import { proveAccountAtStateRoot, type AccountProof, type StorageProof } from '../chain/proofs';
import { messageBoxSlot } from './hashes';
import { MessageStatus, messageStatusName } from './message-status';

/** A gateway or cogateway: where its message box sits in storage. */
export interface MessageBoxHolder {
  readonly address: string;
  getMessageBoxOffset(): Promise<bigint>;
}

/**
 * One eth_getProof of a (co)gateway at `height` covering the outbox slots of several messages: the
 * account part proves the (co)gateway on the other chain, each storage part confirms one message intent.
 * Checked against block(height).stateRoot (a mismatch is retryable: prove again on the next run).
 */
export async function proveOutboxSlots(client: ChainClient, holder: MessageBoxHolder, messageHashes: readonly string[], height: bigint): Promise<AccountProof> {
  const offset = await holder.getMessageBoxOffset();
  const slots = messageHashes.map((hash) => messageBoxSlot(hash, offset).outbox);
  return proveAccountAtStateRoot(client, holder.address, slots, height);
}

/** The storage proof of one message's outbox slot, refused unless the message is Declared there. */
export function declaredSlot(proof: AccountProof, storageIndex: number, messageHash: string, box: string): StorageProof {
  const storage = proof.storage[storageIndex];
  if (!storage) throw new Error(`no storage proof at index ${storageIndex} for message ${messageHash}`);
  if (storage.value !== BigInt(MessageStatus.Declared)) {
    throw new Error(
      `message ${messageHash} is ${messageStatusName(Number(storage.value))} in the ${box}'s outbox at height ${proof.blockNumber}, not Declared: it cannot be confirmed with this proof`,
    );
  }
  return storage;
}
