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
  /** Id of the first auxiliary chain; the next ones count up from it. */
  auxChainId?: number;
  /** How many auxiliary chains (each with its own gateway pair); default 1. */
  auxChains?: number;
  /** 0 picks free ports; auxiliary chains after the first take the next ports up (or free ones for 0). */
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

/**
 * A running devnet, seen through one gateway pair: `auxiliary` and `info` are the first auxiliary
 * chain's; `pairs` holds the same view for every auxiliary chain (the first is this one).
 */
export interface Devnet {
  info: DevnetInfo;
  /** Every pair of the devnet. */
  mosaicConfig: MosaicConfigShape;
  origin: DevChain;
  auxiliary: DevChain;
  relay: AnchorRelay;
  /** Senders for the devnet's own accounts on each chain (keyed by lowercase address). */
  originSender(address: string): DirectSender;
  auxiliarySender(address: string): DirectSender;
  /** One view per auxiliary chain, in chain id order; `pairs[0]` is this view. */
  pairs: Devnet[];
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
  /** The auxiliary chains' ids, in order. */
  auxChainIds: number[];
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
  const auxChainIds = Array.from({ length: options.auxChains ?? 1 }, (_, index) => auxChainId + index);
  if (auxChainIds.length === 0) throw new Error('a devnet needs at least one auxiliary chain');
  if (auxChainIds.includes(originChainId)) throw new Error('origin and auxiliary chain ids must differ');
  return {
    workers,
    originChainId,
    auxChainIds,
    totalAccounts: 2 + workers + stakers,
    bounty: options.bounty ?? DEVNET_DEFAULTS.bounty,
    ostPerAccount: options.ostPerAccount ?? DEVNET_DEFAULTS.ostPerAccount,
    anchorIntervalMs: options.anchorIntervalMs ?? DEVNET_DEFAULTS.anchorIntervalMs,
    blockTimeMs: options.blockTimeMs ?? DEVNET_DEFAULTS.blockTimeMs,
  };
}

/** Starts origin then the auxiliary chains; those started are closed again if one fails to start. */
async function startChains(options: DevnetOptions, settings: DevnetSettings): Promise<{ origin: DevChain; auxiliaries: DevChain[] }> {
  const { totalAccounts, blockTimeMs } = settings;
  const origin = await startDevChain({
    chainId: settings.originChainId,
    port: options.originPort ?? DEVNET_DEFAULTS.originPort,
    host: options.host,
    totalAccounts,
    blockTimeMs,
  });
  const auxiliaries: DevChain[] = [];
  const firstPort = options.auxiliaryPort ?? DEVNET_DEFAULTS.auxiliaryPort;
  try {
    for (const [index, chainId] of settings.auxChainIds.entries()) {
      const port = firstPort === 0 ? 0 : firstPort + index;
      auxiliaries.push(await startDevChain({ chainId, port, host: options.host, totalAccounts, blockTimeMs }));
    }
    return { origin, auxiliaries };
  } catch (error) {
    await Promise.allSettled([origin, ...auxiliaries].map((chain) => chain.close()));
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
  auxiliaries: DevChain[];
  accounts: DevAccount[];
  owner: DevAccount;
  admin: DevAccount;
  originSender: (address: string) => DirectSender;
  /** Per auxiliary chain, in the order of `auxiliaries`. */
  auxiliarySenders: Array<(address: string) => DirectSender>;
}

/** Deploys Mosaic with the owner's keys, seeding OST for the owner, workers and stakers as soon as the token exists. */
function deployDevnetMosaic(parties: DevnetParties, settings: DevnetSettings): Promise<MosaicConfigShape> {
  const { origin, auxiliaries, accounts, owner, admin } = parties;
  const funded = accounts.filter((a) => a.role === 'worker' || a.role === 'staker' || a.role === 'owner');
  return deployMosaic({
    origin: { client: origin.client, owner: parties.originSender(owner.address), admin: admin.address },
    auxiliaries: auxiliaries.map((auxiliary, index) => ({
      client: auxiliary.client,
      owner: parties.auxiliarySenders[index](owner.address),
      admin: admin.address,
    })),
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

/** Anchors each pair's state roots into the other chain's Anchor, both ways, signed by the admin. */
function startDevnetAnchorRelay(
  parties: DevnetParties,
  mosaicConfig: MosaicConfigShape,
  settings: DevnetSettings,
  onRelayError: DevnetOptions['onRelayError'],
): AnchorRelay {
  const { origin, auxiliaries, admin } = parties;
  const directions = auxiliaries.flatMap((auxiliary, index) => {
    const pair = mosaicConfig.auxiliaryChains[String(auxiliary.chainId)].contractAddresses;
    return [
      {
        source: origin.client,
        targetAnchor: new Anchor(auxiliary.client, pair.auxiliary.anchorAddress),
        sender: parties.auxiliarySenders[index](admin.address),
      },
      {
        source: auxiliary.client,
        targetAnchor: new Anchor(origin.client, pair.origin.anchorAddress),
        sender: parties.originSender(admin.address),
      },
    ];
  });
  return startAnchorRelay(directions, settings.anchorIntervalMs, onRelayError);
}

/** One pair's devnet.json content; mosaicConfig is the path mosaic.json is (or would be) written to. */
function devnetInfoOf(parties: DevnetParties, auxiliary: DevChain, settings: DevnetSettings, dir: string | undefined): DevnetInfo {
  const { origin, accounts } = parties;
  return {
    version: 1,
    origin: { chainId: settings.originChainId, rpcUrl: origin.rpcUrl, wsUrl: origin.wsUrl },
    auxiliary: { chainId: auxiliary.chainId, rpcUrl: auxiliary.rpcUrl, wsUrl: auxiliary.wsUrl },
    auxChainId: auxiliary.chainId,
    mosaicConfig: dir ? join(dir, 'mosaic.json') : 'mosaic.json',
    bounty: settings.bounty.toString(),
    anchorIntervalMs: settings.anchorIntervalMs,
    blockTimeMs: settings.blockTimeMs,
    accounts,
  };
}

/** Starts origin and N auxiliary anvil chains, deploys Mosaic 0.12 for each pair, seeds OST and starts the anchor relay. */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const settings = devnetSettings(options);
  const { origin, auxiliaries } = await startChains(options, settings);
  const closeChains = () => Promise.allSettled([origin, ...auxiliaries].map((chain) => chain.close()));
  try {
    // Same deterministic keys on every chain: one address per role on each chain.
    const accounts = assignRoles(origin, settings.workers);
    const parties: DevnetParties = {
      origin,
      auxiliaries,
      accounts,
      owner: accounts[0],
      admin: accounts[1],
      originSender: accountSenders(origin, accounts),
      auxiliarySenders: auxiliaries.map((auxiliary) => accountSenders(auxiliary, accounts)),
    };
    const mosaicConfig = await deployDevnetMosaic(parties, settings);
    const relay = startDevnetAnchorRelay(parties, mosaicConfig, settings, options.onRelayError);
    const dir = options.dir ? resolve(options.dir) : undefined;
    const close = async () => {
      await relay.stop();
      await closeChains();
    };
    const pairs: Devnet[] = [];
    for (const [index, auxiliary] of auxiliaries.entries()) {
      const info = devnetInfoOf(parties, auxiliary, settings, dir);
      const auxiliarySender = parties.auxiliarySenders[index];
      pairs.push({ info, mosaicConfig, origin, auxiliary, relay, originSender: parties.originSender, auxiliarySender, pairs, close });
    }
    if (dir) writeDevnetFiles(dir, pairs);
    return pairs[0];
  } catch (error) {
    await closeChains();
    throw error;
  }
}

/** The devnet.json of one auxiliary chain: `devnet.json` for a single one, `devnet-<aux chain id>.json` for each of several. */
export function devnetInfoFileName(auxChainId: number, auxChains: number): string {
  return auxChains > 1 ? `devnet-${auxChainId}.json` : 'devnet.json';
}

/** mosaic.json (every pair) and the devnet.json of each pair; with several, devnet.json is the first pair's too. */
function writeDevnetFiles(dir: string, pairs: Devnet[]): void {
  // The folder will hold dev keys and `facilitator dev`'s database: owner-only when made here.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'mosaic.json'), `${JSON.stringify(pairs[0].mosaicConfig, null, 2)}\n`);
  // devnet.json holds dev keys: readable by the owner only.
  writeSecretFile(join(dir, 'devnet.json'), `${JSON.stringify(pairs[0].info, null, 2)}\n`);
  if (pairs.length === 1) return;
  for (const pair of pairs) {
    writeSecretFile(join(dir, devnetInfoFileName(pair.info.auxChainId, pairs.length)), `${JSON.stringify(pair.info, null, 2)}\n`);
  }
}
