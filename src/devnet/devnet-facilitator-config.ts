import { encrypt } from 'web3-eth-accounts';
import { FACILITATOR_CONFIG_VERSION } from '../config/facilitator-config';
import type { KeystoreV3 } from '../config/facilitator-config';
import type { DevnetInfo } from './devnet-info';

export interface DevnetConfigOptions {
  databasePath: string;
  mosaicConfigPath: string;
  /** Password of every worker keystore (given to the facilitator as MOSAIC_ADDRESS_PASSW_<address>). */
  password: string;
  transport?: 'embedded' | { origin: string; auxiliary: string; mode: 'subscription' | 'polling' };
  statusPort?: number;
  pollIntervalMs?: number;
  /** scrypt cost of the keystores; the devnet's throwaway keys use a cheap one to start fast. */
  scryptN?: number;
}

/** A devnet mines a block every 100 ms: its configs poll faster than DEFAULTS.chain.pollIntervalMs (a real chain's). */
const DEVNET_POLL_INTERVAL_MS = 200;

/**
 * A facilitator-config for the devnet's worker accounts (their keys encrypted with `password`), so
 * `facilitator start` can run against `facilitator dev` exactly as against real chains.
 */
export async function devnetFacilitatorConfig(info: DevnetInfo, options: DevnetConfigOptions): Promise<Record<string, unknown>> {
  const workers = info.accounts.filter((a) => a.role === 'worker');
  const encryptedAccounts: Record<string, KeystoreV3> = {};
  for (const worker of workers) {
    encryptedAccounts[worker.address] = (await encrypt(worker.privateKey, options.password, {
      n: options.scryptN ?? 4096,
    })) as unknown as KeystoreV3;
  }
  const subgraph = (side: 'origin' | 'auxiliary') => {
    if (!options.transport || options.transport === 'embedded') return { mode: 'embedded' };
    const http = options.transport[side];
    return { mode: 'remote', http, ws: http.replace(/^http/, 'ws'), transport: options.transport.mode };
  };
  const chain = (side: 'origin' | 'auxiliary') => ({
    rpc: info[side].rpcUrl,
    subgraph: subgraph(side),
    workers: workers.map((w) => w.address),
    confirmations: 0,
    pollIntervalMs: options.pollIntervalMs ?? DEVNET_POLL_INTERVAL_MS,
    // Blocks come every 100 ms: a transaction not mined in 3 s (with blocks mined without it) is underpriced or lost.
    stuckAfterMs: 3000,
  });
  return {
    version: FACILITATOR_CONFIG_VERSION,
    mosaicConfig: options.mosaicConfigPath,
    originChainId: info.origin.chainId,
    auxChainId: info.auxChainId,
    database: { path: options.databasePath },
    chains: { [String(info.origin.chainId)]: chain('origin'), [String(info.auxiliary.chainId)]: chain('auxiliary') },
    encryptedAccounts,
    facilitation: { minGasPrice: '0', minGasLimit: '0' },
    status: { host: '127.0.0.1', port: options.statusPort ?? 0 },
  };
}
