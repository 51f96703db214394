import type { ChainClient } from '../chain/chain-client';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { auxiliaryChainOf } from '../config/mosaic-config-schema';
import { ConfigError } from '../config/validation';
import { Anchor, Eip20CoGateway, Eip20Gateway, OstComposer } from './contracts';

/*
 * Before `start` facilitates anything, the mosaic-config's contracts are checked on chain: a wrong
 * address (another deployment, a contract of another kind, a typo) would otherwise show up hours
 * later as reverted transactions and lost bounties. Each mismatch is one line naming the contract
 * and the config key to fix.
 */

export interface DeploymentClients {
  origin: ChainClient;
  auxiliary: ChainClient;
}

interface Entry {
  /** Config key under the mosaic-config, e.g. auxiliaryChains.1405.contractAddresses.origin.anchorAddress. */
  key: string;
  address: string;
  contract: string;
  side: 'origin' | 'auxiliary';
}

/** Checks the deployment of `auxChainId`'s pair; throws a ConfigError (one line, naming `source`) at the first mismatch. */
export async function verifyDeployment(mosaic: MosaicConfigShape, auxChainId: number, clients: DeploymentClients, source: string): Promise<void> {
  const pair = auxiliaryChainOf(mosaic, auxChainId, source);
  const prefix = `auxiliaryChains.${auxChainId}.contractAddresses`;
  const { origin, auxiliary } = pair.contractAddresses;
  const entries = {
    token: { key: 'originChain.contractAddresses.simpleTokenAddress', address: mosaic.originChain.contractAddresses.simpleTokenAddress, contract: 'value token (OST)', side: 'origin' },
    composer: { key: `${prefix}.origin.ostComposerAddress`, address: origin.ostComposerAddress, contract: 'OSTComposer', side: 'origin' },
    gateway: { key: `${prefix}.origin.ostEIP20GatewayAddress`, address: origin.ostEIP20GatewayAddress, contract: 'EIP20Gateway', side: 'origin' },
    originAnchor: { key: `${prefix}.origin.anchorAddress`, address: origin.anchorAddress, contract: 'Anchor (origin)', side: 'origin' },
    coGateway: { key: `${prefix}.auxiliary.ostEIP20CogatewayAddress`, address: auxiliary.ostEIP20CogatewayAddress, contract: 'EIP20CoGateway', side: 'auxiliary' },
    auxiliaryAnchor: { key: `${prefix}.auxiliary.anchorAddress`, address: auxiliary.anchorAddress, contract: 'Anchor (auxiliary)', side: 'auxiliary' },
    ostPrime: { key: `${prefix}.auxiliary.ostPrimeAddress`, address: auxiliary.ostPrimeAddress, contract: 'OSTPrime', side: 'auxiliary' },
  } satisfies Record<string, Entry>;
  const chainOf = (entry: Entry) => (entry.side === 'origin' ? mosaic.originChain.chainId : auxChainId);
  const fail = (message: string): never => {
    throw new ConfigError(`${source}: ${message}`);
  };

  for (const entry of Object.values(entries)) {
    const code = await clients[entry.side].getCode(entry.address);
    if (!code || code === '0x') fail(`${entry.key} (${entry.contract}) ${entry.address} has no code on chain ${chainOf(entry)}: is it this deployment's address?`);
  }

  /** A getter of `entry`'s contract; a revert means the address holds another kind of contract. */
  const read = async <T>(entry: Entry, getter: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch {
      return fail(`${entry.key} ${entry.address} does not answer ${getter}(): it is not an ${entry.contract} of Mosaic 0.12`);
    }
  };
  const expectSame = (entry: Entry, getter: string, actual: string, expected: Entry) => {
    if (actual.toLowerCase() !== expected.address.toLowerCase()) {
      fail(`${entry.contract} ${entry.address} (${entry.key}) has ${getter}() ${actual}, but ${expected.key} is ${expected.address}: the two are not of one deployment`);
    }
  };

  const gateway = new Eip20Gateway(clients.origin, entries.gateway.address);
  const coGateway = new Eip20CoGateway(clients.auxiliary, entries.coGateway.address);
  expectSame(entries.gateway, 'remoteGateway', await read(entries.gateway, 'remoteGateway', () => gateway.remoteGateway()), entries.coGateway);
  expectSame(entries.coGateway, 'remoteGateway', await read(entries.coGateway, 'remoteGateway', () => coGateway.remoteGateway()), entries.gateway);
  expectSame(entries.gateway, 'stateRootProvider', await read(entries.gateway, 'stateRootProvider', () => gateway.stateRootProvider()), entries.originAnchor);
  expectSame(entries.coGateway, 'stateRootProvider', await read(entries.coGateway, 'stateRootProvider', () => coGateway.stateRootProvider()), entries.auxiliaryAnchor);
  expectSame(entries.gateway, 'valueToken', await read(entries.gateway, 'valueToken', () => gateway.valueToken()), entries.token);
  expectSame(entries.coGateway, 'utilityToken', await read(entries.coGateway, 'utilityToken', () => coGateway.utilityToken()), entries.ostPrime);

  const anchors: Array<[Entry, number]> = [
    [entries.originAnchor, auxChainId],
    [entries.auxiliaryAnchor, mosaic.originChain.chainId],
  ];
  for (const [entry, expected] of anchors) {
    const anchor = new Anchor(clients[entry.side], entry.address);
    const remote = await read(entry, 'getRemoteChainId', () => anchor.remoteChainId());
    if (remote !== BigInt(expected)) {
      fail(`${entry.contract} ${entry.address} (${entry.key}) anchors chain ${remote}, not chain ${expected}: is it the anchor of this chain pair?`);
    }
  }

  // The composer has no getter naming the gateway; its organization() answering tells it is a composer.
  const composer = new OstComposer(clients.origin, entries.composer.address);
  await read(entries.composer, 'organization', () => composer.organization());
}
