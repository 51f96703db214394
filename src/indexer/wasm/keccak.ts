import type * as Web3Utils from 'web3-utils';

let utils: typeof Web3Utils | undefined;

/**
 * keccak256 as lowercase 0x-hex. web3-utils is loaded on first use, not on import: a mapping worker
 * (src/indexer/mapping-pool) starts without it unless a mapping hashes (its load is most of a
 * worker's start-up otherwise).
 */
export function keccak256(data: Uint8Array | string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
  utils ??= require('web3-utils') as typeof Web3Utils;
  return utils.keccak256(data);
}
