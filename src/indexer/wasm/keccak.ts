import { keccak_256 } from '@noble/hashes/sha3';

/**
 * keccak256 as lowercase 0x-hex; a string is hashed as its UTF-8 text (event signatures). @noble/hashes
 * directly: a mapping worker (src/indexer/mapping-pool) starts without loading web3-utils, whose load was
 * most of a worker's start-up.
 */
export function keccak256(data: Uint8Array | string): string {
  return `0x${Buffer.from(keccak_256(data)).toString('hex')}`;
}
