import { readFileSync } from 'node:fs';
import type { AbiFragment } from 'web3-types';

/** The contracts of @openst/mosaic-contracts 0.12 that the facilitator deploys or talks to. */
export type MosaicContractName =
  | 'Anchor'
  | 'EIP20CoGateway'
  | 'EIP20Gateway'
  | 'EIP20Token'
  | 'GatewayLib'
  | 'MerklePatriciaProof'
  | 'MessageBus'
  | 'OSTComposer'
  | 'OSTPrime'
  | 'Organization'
  | 'RedeemPool'
  | 'StakerProxy';

export type Abi = readonly AbiFragment[];

interface Artifact {
  abi: Abi;
  bin: string;
}

let cache: Record<string, Artifact> | undefined;

function artifacts(): Record<string, Artifact> {
  if (!cache) {
    const path = require.resolve('@openst/mosaic-contracts/dist/contract_build/contracts.json');
    cache = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Artifact>;
  }
  return cache;
}

export function abiOf(name: MosaicContractName): Abi {
  return artifacts()[name].abi;
}

/** Old-style solc library placeholder: `__Name` padded with `_` to 38 characters, then `__` (40 in all). */
export function libraryPlaceholder(libraryName: string): string {
  return `__${libraryName}`.padEnd(38, '_') + '__';
}

/**
 * Deployable bytecode with every library placeholder replaced by its address.
 * Throws when a placeholder is left unlinked, naming the missing library.
 */
export function linkedBytecode(name: MosaicContractName, libraries: Record<string, string> = {}): string {
  let bin = artifacts()[name].bin.replace(/^0x/, '');
  for (const [library, address] of Object.entries(libraries)) {
    bin = bin.split(libraryPlaceholder(library)).join(address.toLowerCase().replace(/^0x/, ''));
  }
  const unlinked = bin.match(/__([A-Za-z0-9]+)_*__/);
  if (unlinked) {
    throw new Error(`bytecode of ${name} still needs library ${unlinked[1]}: pass its address to linkedBytecode`);
  }
  return `0x${bin}`;
}
