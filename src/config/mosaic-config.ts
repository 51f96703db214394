/**
 * mosaic-config: where the Mosaic contracts live on the origin chain and on each auxiliary chain.
 *
 * Schema version 1. The shape follows the original facilitator's mosaic.json, with camelCase
 * keys throughout, the composer's Organization and the RedeemPool added, and the block heights
 * at which the contracts were deployed (`startBlocks`, used as subgraph start blocks).
 *
 * Example: see README.md ("mosaic-config").
 */
export const MOSAIC_CONFIG_VERSION = 1;

export interface OriginChainContractAddresses {
  /** Value token and bounty token (OST). */
  simpleTokenAddress: string;
  merklePatriciaLibAddress: string;
  gatewayLibAddress: string;
  messageBusAddress: string;
}

/** Contracts on the origin chain that serve one auxiliary chain. */
export interface AuxiliaryChainOriginAddresses {
  anchorOrganizationAddress: string;
  anchorAddress: string;
  ostGatewayOrganizationAddress: string;
  ostEIP20GatewayAddress: string;
  ostComposerOrganizationAddress: string;
  ostComposerAddress: string;
}

/** Contracts on the auxiliary chain. */
export interface AuxiliaryChainAuxiliaryAddresses {
  ostPrimeAddress: string;
  anchorOrganizationAddress: string;
  anchorAddress: string;
  merklePatriciaLibAddress: string;
  gatewayLibAddress: string;
  messageBusAddress: string;
  ostCoGatewayOrganizationAddress: string;
  ostEIP20CogatewayAddress: string;
  redeemPoolOrganizationAddress: string;
  redeemPoolAddress: string;
}

export interface AuxiliaryChainConfig {
  chainId: number;
  bootNodes: string[];
  genesis: Record<string, unknown>;
  contractAddresses: {
    origin: AuxiliaryChainOriginAddresses;
    auxiliary: AuxiliaryChainAuxiliaryAddresses;
  };
  /** Block heights at which this chain pair's contracts were deployed. */
  startBlocks: { origin: number; auxiliary: number };
}

export interface MosaicConfigShape {
  version: number;
  originChain: {
    chainId: number;
    contractAddresses: OriginChainContractAddresses;
  };
  /** Keyed by the auxiliary chain id as a decimal string. */
  auxiliaryChains: Record<string, AuxiliaryChainConfig>;
}
