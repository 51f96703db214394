import { readFileSync } from 'node:fs';

/** Roles of the devnet's funded accounts. */
export type DevAccountRole = 'owner' | 'admin' | 'worker' | 'staker';

export interface DevAccount {
  role: DevAccountRole;
  address: string;
  /** Dev-only keys of throwaway devnet accounts, written so other programs can drive the devnet. */
  privateKey: string;
}

export interface DevChainInfo {
  chainId: number;
  rpcUrl: string;
  wsUrl: string;
}

/** devnet.json, schema version 1. */
export interface DevnetInfo {
  version: 1;
  origin: DevChainInfo;
  auxiliary: DevChainInfo;
  auxChainId: number;
  /** Path of the mosaic-config written next to this file. */
  mosaicConfig: string;
  bounty: string;
  anchorIntervalMs: number;
  /** Block interval of both chains (0 = a block per transaction). */
  blockTimeMs: number;
  accounts: DevAccount[];
}

export function readDevnetInfo(path: string): DevnetInfo {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`cannot read ${path}: start the devnet first with \`facilitator dev\` (or pass --dir)`);
  }
  let info: DevnetInfo;
  try {
    info = JSON.parse(text) as DevnetInfo;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (info.version !== 1) throw new Error(`${path}: unsupported devnet.json version ${String(info.version)}, expected 1`);
  return info;
}

export function accountsWithRole(info: DevnetInfo, role: DevAccountRole): DevAccount[] {
  return info.accounts.filter((account) => account.role === role);
}
