import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DirectSender } from '../chain/direct-sender';
import { LocalSigner } from '../chain/local-signer';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { Anchor } from '../mosaic/contracts';
import { startAnchorRelay, type AnchorRelay } from './anchor-relay';
import { deployMosaic } from './deploy-mosaic';
import type { DevAccount, DevnetInfo } from './devnet-info';
import { startDevChain, type DevChain } from './anvil-chain';
import { seedTokenBalances } from './ost-seed';

export interface DevnetOptions {
  originChainId?: number;
  auxChainId?: number;
  /** 0 picks free ports. */
  originPort?: number;
  auxiliaryPort?: number;
  host?: string;
  workers?: number;
  stakers?: number;
  /** Anchor each chain's latest state root into the other's Anchor this often; 0 disables the timer. */
  anchorIntervalMs?: number;
  bounty?: bigint;
  /** OST seeded on origin for each worker and each staker. */
  ostPerAccount?: bigint;
  /** Folder for mosaic.json and devnet.json; nothing is written when undefined. */
  dir?: string;
  onRelayError?: (error: unknown) => void;
  /** Block interval; 0 = one block per transaction at once (see DevChainOptions.blockTimeMs). */
  blockTimeMs?: number;
}

export interface Devnet {
  info: DevnetInfo;
  mosaicConfig: MosaicConfigShape;
  origin: DevChain;
  auxiliary: DevChain;
  relay: AnchorRelay;
  /** Senders for the devnet's own accounts on each chain (keyed by lowercase address). */
  originSender(address: string): DirectSender;
  auxiliarySender(address: string): DirectSender;
  close(): Promise<void>;
}

export const DEVNET_DEFAULTS = {
  originChainId: 1337,
  auxChainId: 1405,
  originPort: 8545,
  auxiliaryPort: 8546,
  workers: 2,
  stakers: 10,
  anchorIntervalMs: 1000,
  blockTimeMs: 100,
  bounty: 100n * 10n ** 18n,
  ostPerAccount: 1_000_000n * 10n ** 18n,
} as const;

function assignRoles(chain: DevChain, workers: number): DevAccount[] {
  return chain.accounts.map((account, index) => ({
    ...account,
    role: index === 0 ? 'owner' : index === 1 ? 'admin' : index < 2 + workers ? 'worker' : 'staker',
  }));
}

/** Starts two anvil chains, deploys Mosaic 0.12 on them, seeds OST and starts the anchor relay. */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const workers = options.workers ?? DEVNET_DEFAULTS.workers;
  const stakers = options.stakers ?? DEVNET_DEFAULTS.stakers;
  const totalAccounts = 2 + workers + stakers;
  const originChainId = options.originChainId ?? DEVNET_DEFAULTS.originChainId;
  const auxChainId = options.auxChainId ?? DEVNET_DEFAULTS.auxChainId;
  if (originChainId === auxChainId) throw new Error('origin and auxiliary chain ids must differ');
  const bounty = options.bounty ?? DEVNET_DEFAULTS.bounty;
  const ostPerAccount = options.ostPerAccount ?? DEVNET_DEFAULTS.ostPerAccount;

  const origin = await startDevChain({
    chainId: originChainId,
    port: options.originPort ?? DEVNET_DEFAULTS.originPort,
    host: options.host,
    totalAccounts,
    blockTimeMs: options.blockTimeMs ?? DEVNET_DEFAULTS.blockTimeMs,
  });
  let auxiliary: DevChain;
  try {
    auxiliary = await startDevChain({
      chainId: auxChainId,
      port: options.auxiliaryPort ?? DEVNET_DEFAULTS.auxiliaryPort,
      host: options.host,
      totalAccounts,
      blockTimeMs: options.blockTimeMs ?? DEVNET_DEFAULTS.blockTimeMs,
    });
  } catch (error) {
    await origin.close();
    throw error;
  }

  try {
    // Same deterministic keys on both chains: one address per role on each chain.
    const accounts = assignRoles(origin, workers);
    const owner = accounts[0];
    const admin = accounts[1];
    const originSenders = new Map<string, DirectSender>();
    const auxSenders = new Map<string, DirectSender>();
    const senderFor = (chain: DevChain, cache: Map<string, DirectSender>) => (address: string) => {
      const key = address.toLowerCase();
      let sender = cache.get(key);
      if (!sender) {
        const account = accounts.find((a) => a.address === key);
        if (!account) throw new Error(`${address} is not a devnet account`);
        sender = new DirectSender(chain.client, new LocalSigner(account.privateKey));
        cache.set(key, sender);
      }
      return sender;
    };
    const originSender = senderFor(origin, originSenders);
    const auxiliarySender = senderFor(auxiliary, auxSenders);
    const funded = accounts.filter((a) => a.role === 'worker' || a.role === 'staker' || a.role === 'owner');

    const mosaicConfig = await deployMosaic({
      origin: { client: origin.client, owner: originSender(owner.address), admin: admin.address },
      auxiliary: { client: auxiliary.client, owner: auxiliarySender(owner.address), admin: admin.address },
      workers: accounts.filter((a) => a.role === 'worker').map((a) => a.address),
      bounty,
      onValueToken: (token) =>
        seedTokenBalances(
          origin.client,
          token,
          funded.map((a) => ({ owner: a.address, amount: ostPerAccount })),
          origin.nextBlock,
        ),
    });
    const pair = mosaicConfig.auxiliaryChains[String(auxChainId)].contractAddresses;
    const anchorIntervalMs = options.anchorIntervalMs ?? DEVNET_DEFAULTS.anchorIntervalMs;
    const relay = startAnchorRelay(
      [
        {
          source: origin.client,
          targetAnchor: new Anchor(auxiliary.client, pair.auxiliary.anchorAddress),
          sender: auxiliarySender(admin.address),
        },
        {
          source: auxiliary.client,
          targetAnchor: new Anchor(origin.client, pair.origin.anchorAddress),
          sender: originSender(admin.address),
        },
      ],
      anchorIntervalMs,
      options.onRelayError,
    );

    const dir = options.dir ? resolve(options.dir) : undefined;
    const info: DevnetInfo = {
      version: 1,
      origin: { chainId: originChainId, rpcUrl: origin.rpcUrl, wsUrl: origin.wsUrl },
      auxiliary: { chainId: auxChainId, rpcUrl: auxiliary.rpcUrl, wsUrl: auxiliary.wsUrl },
      auxChainId,
      mosaicConfig: dir ? join(dir, 'mosaic.json') : 'mosaic.json',
      bounty: bounty.toString(),
      anchorIntervalMs,
      blockTimeMs: options.blockTimeMs ?? DEVNET_DEFAULTS.blockTimeMs,
      accounts,
    };
    if (dir) writeDevnetFiles(dir, info, mosaicConfig);

    return {
      info,
      mosaicConfig,
      origin,
      auxiliary,
      relay,
      originSender,
      auxiliarySender,
      close: async () => {
        await relay.stop();
        await Promise.allSettled([origin.close(), auxiliary.close()]);
      },
    };
  } catch (error) {
    await Promise.allSettled([origin.close(), auxiliary.close()]);
    throw error;
  }
}

function writeDevnetFiles(dir: string, info: DevnetInfo, mosaicConfig: MosaicConfigShape): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'mosaic.json'), `${JSON.stringify(mosaicConfig, null, 2)}\n`);
  // devnet.json holds dev keys: readable by the owner only.
  writeFileSync(join(dir, 'devnet.json'), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}
