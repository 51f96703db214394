import { MOSAIC_CONFIG_VERSION, type AuxiliaryChainConfig, type MosaicConfigShape } from '../config/mosaic-config';
import { SUBGRAPH_DATA_SOURCES, SUBGRAPH_SIDES, type SubgraphSide } from './sides';

/**
 * graph-cli's networks.json for each subgraph of one chain pair, from a mosaic-config: the address of
 * every data source and the side's start block. `graph build --network <name> --network-file <file>`
 * writes them into subgraph.yaml, which keeps placeholders in git.
 */

export type SubgraphNetworkNames = Record<SubgraphSide, string>;

/** graph-cli's networks.json: network -> data source name -> address and start block. */
export type NetworksFile = Record<string, Record<string, { address: string; startBlock: number }>>;

export interface SideNetwork {
  network: string;
  networks: NetworksFile;
}

export function defaultNetworkNames(auxChainId: number): SubgraphNetworkNames {
  return { origin: 'mosaic-origin', auxiliary: `mosaic-aux-${auxChainId}` };
}

type AddressOf = (chain: AuxiliaryChainConfig) => string;

/** Where each data source's address lives in the mosaic-config, with its key for error messages. */
const DATA_SOURCE_ADDRESSES: Record<SubgraphSide, Record<string, [string, AddressOf]>> = {
  origin: {
    OSTComposer: ['origin.ostComposerAddress', (c) => c.contractAddresses.origin.ostComposerAddress],
    EIP20Gateway: ['origin.ostEIP20GatewayAddress', (c) => c.contractAddresses.origin.ostEIP20GatewayAddress],
    Anchor: ['origin.anchorAddress', (c) => c.contractAddresses.origin.anchorAddress],
  },
  auxiliary: {
    EIP20CoGateway: ['auxiliary.ostEIP20CogatewayAddress', (c) => c.contractAddresses.auxiliary.ostEIP20CogatewayAddress],
    Anchor: ['auxiliary.anchorAddress', (c) => c.contractAddresses.auxiliary.anchorAddress],
    RedeemPool: ['auxiliary.redeemPoolAddress', (c) => c.contractAddresses.auxiliary.redeemPoolAddress],
  },
};

function auxiliaryChain(config: MosaicConfigShape, auxChainId: number): AuxiliaryChainConfig {
  if (config.version !== MOSAIC_CONFIG_VERSION) {
    throw new Error(`mosaic-config version ${String(config.version)} is not supported (expected ${MOSAIC_CONFIG_VERSION})`);
  }
  const chain = config.auxiliaryChains?.[String(auxChainId)];
  if (!chain) {
    const known = Object.keys(config.auxiliaryChains ?? {}).join(', ') || 'none';
    throw new Error(`mosaic-config has no auxiliary chain ${auxChainId} (it has: ${known})`);
  }
  return chain;
}

function startBlock(chain: AuxiliaryChainConfig, side: SubgraphSide, auxChainId: number): number {
  const value = chain.startBlocks?.[side];
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`mosaic-config auxiliaryChains.${auxChainId}.startBlocks.${side} must be a block number, got ${String(value)}`);
  }
  return value;
}

function address(chain: AuxiliaryChainConfig, side: SubgraphSide, dataSource: string, auxChainId: number): string {
  const entry = DATA_SOURCE_ADDRESSES[side][dataSource];
  if (!entry) throw new Error(`no mosaic-config address is known for the ${side} data source ${dataSource}`);
  const [key, read] = entry;
  let value: unknown;
  try {
    value = read(chain);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
    throw new Error(`mosaic-config auxiliaryChains.${auxChainId}.contractAddresses.${key} must be an address, got ${String(value)}`);
  }
  return value.toLowerCase();
}

/** The networks.json of one side for the chain pair of auxChainId. */
export function sideNetwork(config: MosaicConfigShape, auxChainId: number, side: SubgraphSide, network: string): SideNetwork {
  const chain = auxiliaryChain(config, auxChainId);
  const block = startBlock(chain, side, auxChainId);
  const dataSources: NetworksFile[string] = {};
  for (const { name } of SUBGRAPH_DATA_SOURCES[side]) {
    dataSources[name] = { address: address(chain, side, name, auxChainId), startBlock: block };
  }
  return { network, networks: { [network]: dataSources } };
}

/** networks.json of both sides; network names default to `mosaic-origin` and `mosaic-aux-<auxChainId>`. */
export function subgraphNetworks(
  config: MosaicConfigShape,
  auxChainId: number,
  names: SubgraphNetworkNames = defaultNetworkNames(auxChainId),
): Record<SubgraphSide, SideNetwork> {
  const [origin, auxiliary] = SUBGRAPH_SIDES.map((side) => sideNetwork(config, auxChainId, side, names[side]));
  return { origin, auxiliary };
}
