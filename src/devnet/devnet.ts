import { mkdirSync, writeFileSync } from 'node:fs';
import { writeSecretFile } from '../config/secret-file';
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

/** The options with every default filled in. */
interface DevnetSettings {
  workers: number;
  originChainId: number;
  auxChainId: number;
  /** Owner, admin, workers and stakers: the accounts each chain is started with. */
  totalAccounts: number;
  bounty: bigint;
  ostPerAccount: bigint;
  anchorIntervalMs: number;
  blockTimeMs: number;
}

function devnetSettings(options: DevnetOptions): DevnetSettings {
  const workers = options.workers ?? DEVNET_DEFAULTS.workers;
  const stakers = options.stakers ?? DEVNET_DEFAULTS.stakers;
  const originChainId = options.originChainId ?? DEVNET_DEFAULTS.originChainId;
  const auxChainId = options.auxChainId ?? DEVNET_DEFAULTS.auxChainId;
  if (originChainId === auxChainId) throw new Error('origin and auxiliary chain ids must differ');
  return {
    workers,
    originChainId,
    auxChainId,
    totalAccounts: 2 + workers + stakers,
    bounty: options.bounty ?? DEVNET_DEFAULTS.bounty,
    ostPerAccount: options.ostPerAccount ?? DEVNET_DEFAULTS.ostPerAccount,
    anchorIntervalMs: options.anchorIntervalMs ?? DEVNET_DEFAULTS.anchorIntervalMs,
    blockTimeMs: options.blockTimeMs ?? DEVNET_DEFAULTS.blockTimeMs,
  };
}

/** Starts origin then auxiliary; origin is closed again if the auxiliary chain fails to start. */
async function startChainPair(options: DevnetOptions, settings: DevnetSettings): Promise<{ origin: DevChain; auxiliary: DevChain }> {
  const { totalAccounts, blockTimeMs } = settings;
  const origin = await startDevChain({
    chainId: settings.originChainId,
    port: options.originPort ?? DEVNET_DEFAULTS.originPort,
    host: options.host,
    totalAccounts,
    blockTimeMs,
  });
  try {
    const auxiliary = await startDevChain({
      chainId: settings.auxChainId,
      port: options.auxiliaryPort ?? DEVNET_DEFAULTS.auxiliaryPort,
      host: options.host,
      totalAccounts,
      blockTimeMs,
    });
    return { origin, auxiliary };
  } catch (error) {
    await origin.close();
    throw error;
  }
}

/** A sender per devnet account on `chain`, created on first use and reused after (keyed by lowercase address). */
function accountSenders(chain: DevChain, accounts: DevAccount[]): (address: string) => DirectSender {
  const cache = new Map<string, DirectSender>();
  return (address: string) => {
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
}

interface DevnetParties {
  origin: DevChain;
  auxiliary: DevChain;
  accounts: DevAccount[];
  owner: DevAccount;
  admin: DevAccount;
  originSender: (address: string) => DirectSender;
  auxiliarySender: (address: string) => DirectSender;
}

/** Deploys Mosaic with the owner's keys, seeding OST for the owner, workers and stakers as soon as the token exists. */
function deployDevnetMosaic(parties: DevnetParties, settings: DevnetSettings): Promise<MosaicConfigShape> {
  const { origin, auxiliary, accounts, owner, admin } = parties;
  const funded = accounts.filter((a) => a.role === 'worker' || a.role === 'staker' || a.role === 'owner');
  return deployMosaic({
    origin: { client: origin.client, owner: parties.originSender(owner.address), admin: admin.address },
    auxiliary: { client: auxiliary.client, owner: parties.auxiliarySender(owner.address), admin: admin.address },
    workers: accounts.filter((a) => a.role === 'worker').map((a) => a.address),
    bounty: settings.bounty,
    onValueToken: (token) =>
      seedTokenBalances(
        origin.client,
        token,
        funded.map((a) => ({ owner: a.address, amount: settings.ostPerAccount })),
        origin.nextBlock,
      ),
  });
}

/** Anchors each chain's state roots into the other chain's Anchor, signed by the admin. */
function startDevnetAnchorRelay(
  parties: DevnetParties,
  mosaicConfig: MosaicConfigShape,
  settings: DevnetSettings,
  onRelayError: DevnetOptions['onRelayError'],
): AnchorRelay {
  const { origin, auxiliary, admin } = parties;
  const pair = mosaicConfig.auxiliaryChains[String(settings.auxChainId)].contractAddresses;
  return startAnchorRelay(
    [
      {
        source: origin.client,
        targetAnchor: new Anchor(auxiliary.client, pair.auxiliary.anchorAddress),
        sender: parties.auxiliarySender(admin.address),
      },
      {
        source: auxiliary.client,
        targetAnchor: new Anchor(origin.client, pair.origin.anchorAddress),
        sender: parties.originSender(admin.address),
      },
    ],
    settings.anchorIntervalMs,
    onRelayError,
  );
}

/** devnet.json's content; mosaicConfig is the path mosaic.json is (or would be) written to. */
function devnetInfoOf(parties: DevnetParties, settings: DevnetSettings, dir: string | undefined): DevnetInfo {
  const { origin, auxiliary, accounts } = parties;
  return {
    version: 1,
    origin: { chainId: settings.originChainId, rpcUrl: origin.rpcUrl, wsUrl: origin.wsUrl },
    auxiliary: { chainId: settings.auxChainId, rpcUrl: auxiliary.rpcUrl, wsUrl: auxiliary.wsUrl },
    auxChainId: settings.auxChainId,
    mosaicConfig: dir ? join(dir, 'mosaic.json') : 'mosaic.json',
    bounty: settings.bounty.toString(),
    anchorIntervalMs: settings.anchorIntervalMs,
    blockTimeMs: settings.blockTimeMs,
    accounts,
  };
}

/** Starts two anvil chains, deploys Mosaic 0.12 on them, seeds OST and starts the anchor relay. */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const settings = devnetSettings(options);
  const { origin, auxiliary } = await startChainPair(options, settings);
  try {
    // Same deterministic keys on both chains: one address per role on each chain.
    const accounts = assignRoles(origin, settings.workers);
    const parties: DevnetParties = {
      origin,
      auxiliary,
      accounts,
      owner: accounts[0],
      admin: accounts[1],
      originSender: accountSenders(origin, accounts),
      auxiliarySender: accountSenders(auxiliary, accounts),
    };
    const mosaicConfig = await deployDevnetMosaic(parties, settings);
    const relay = startDevnetAnchorRelay(parties, mosaicConfig, settings, options.onRelayError);
    const dir = options.dir ? resolve(options.dir) : undefined;
    const info = devnetInfoOf(parties, settings, dir);
    if (dir) writeDevnetFiles(dir, info, mosaicConfig);
    return {
      info,
      mosaicConfig,
      origin,
      auxiliary,
      relay,
      originSender: parties.originSender,
      auxiliarySender: parties.auxiliarySender,
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
  writeSecretFile(join(dir, 'devnet.json'), `${JSON.stringify(info, null, 2)}\n`);
}
