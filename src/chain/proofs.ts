import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, hexToBytes } from 'web3-utils';
import type { BlockTag, ChainClient } from './chain-client';

export interface StorageProof {
  slot: string;
  /** The proven storage value (uint256). */
  value: bigint;
  /** RLP list of the proof's nodes, as the Mosaic contracts verify it. */
  rlpParentNodes: string;
}

export interface AccountProof {
  address: string;
  blockNumber: bigint;
  storageHash: string;
  /** RLP([nonce, balance, storageHash, codeHash]): the leaf value of the account. */
  rlpAccount: string;
  rlpAccountParentNodes: string;
  storage: StorageProof[];
}

/** RLP.encode(nodes.map(RLP.decode)): the proof as one RLP list of decoded nodes. */
export function encodeParentNodes(nodes: readonly string[]): string {
  const decoded = nodes.map((node) => RLP.decode(hexToBytes(node)));
  return bytesToHex(RLP.encode(decoded));
}

/** The account's RLP value: the last item of the last (leaf) node of the account proof. */
export function accountLeafValue(accountProof: readonly string[]): string {
  if (accountProof.length === 0) throw new Error('empty account proof: the account does not exist at that height');
  const leaf = RLP.decode(hexToBytes(accountProof[accountProof.length - 1]));
  if (!Array.isArray(leaf) || leaf.length !== 2) throw new Error('account proof does not end in a leaf node');
  const value = leaf[1];
  if (!(value instanceof Uint8Array)) throw new Error('account leaf value is not a byte string');
  return bytesToHex(value);
}

/**
 * Proves an account and several of its storage slots at one height with a single eth_getProof,
 * in the encoding the Mosaic contracts verify (proveGateway, confirmStakeIntent, ...).
 */
export async function proveAccount(
  client: ChainClient,
  address: string,
  slots: readonly string[],
  block: BlockTag,
): Promise<AccountProof> {
  const proof = await client.getProof(address, [...slots], block);
  const blockNumber = typeof block === 'bigint' ? block : await client.blockNumber();
  return {
    address: address.toLowerCase(),
    blockNumber,
    storageHash: proof.storageHash,
    rlpAccount: accountLeafValue(proof.accountProof),
    rlpAccountParentNodes: encodeParentNodes(proof.accountProof),
    storage: proof.storageProof.map((item, index) => ({
      slot: slots[index],
      value: BigInt(item.value),
      rlpParentNodes: encodeParentNodes(item.proof),
    })),
  };
}
