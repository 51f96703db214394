import 'reflect-metadata';
import { Type } from 'class-transformer';
import { Equals, IsArray, IsInt, IsObject, IsPositive, Min, ValidateNested } from 'class-validator';
import {
  MOSAIC_CONFIG_VERSION,
  type AuxiliaryChainAuxiliaryAddresses,
  type AuxiliaryChainConfig,
  type AuxiliaryChainOriginAddresses,
  type MosaicConfigShape,
  type OriginChainContractAddresses,
} from './mosaic-config';
import { ConfigError, IsAddress, isAddress, normalizeAddress, Problems, readJsonFile, validateInto } from './validation';

/*
 * The validated classes of mosaic-config (shape: ./mosaic-config.ts). Each `implements` its interface so
 * the two cannot drift apart. Unknown fields are allowed here: other Mosaic tools write this file too.
 */

export class OriginChainAddressesSchema implements OriginChainContractAddresses {
  @IsAddress() simpleTokenAddress!: string;
  @IsAddress() merklePatriciaLibAddress!: string;
  @IsAddress() gatewayLibAddress!: string;
  @IsAddress() messageBusAddress!: string;
}

export class OriginChainSchema {
  @IsInt({ message: 'must be a whole number (the origin chain id)' })
  @IsPositive({ message: 'must be a positive chain id' })
  chainId!: number;
  @ValidateNested()
  @Type(() => OriginChainAddressesSchema)
  @IsObject({ message: 'must be an object of contract addresses' })
  contractAddresses!: OriginChainAddressesSchema;
}

export class PairOriginAddressesSchema implements AuxiliaryChainOriginAddresses {
  @IsAddress() anchorOrganizationAddress!: string;
  @IsAddress() anchorAddress!: string;
  @IsAddress() ostGatewayOrganizationAddress!: string;
  @IsAddress() ostEIP20GatewayAddress!: string;
  @IsAddress() ostComposerOrganizationAddress!: string;
  @IsAddress() ostComposerAddress!: string;
}

export class PairAuxiliaryAddressesSchema implements AuxiliaryChainAuxiliaryAddresses {
  @IsAddress() ostPrimeAddress!: string;
  @IsAddress() anchorOrganizationAddress!: string;
  @IsAddress() anchorAddress!: string;
  @IsAddress() merklePatriciaLibAddress!: string;
  @IsAddress() gatewayLibAddress!: string;
  @IsAddress() messageBusAddress!: string;
  @IsAddress() ostCoGatewayOrganizationAddress!: string;
  @IsAddress() ostEIP20CogatewayAddress!: string;
  @IsAddress() redeemPoolOrganizationAddress!: string;
  @IsAddress() redeemPoolAddress!: string;
}

export class PairAddressesSchema {
  @ValidateNested()
  @Type(() => PairOriginAddressesSchema)
  @IsObject({ message: 'must be an object of the origin-side contract addresses' })
  origin!: PairOriginAddressesSchema;
  @ValidateNested()
  @Type(() => PairAuxiliaryAddressesSchema)
  @IsObject({ message: 'must be an object of the auxiliary-side contract addresses' })
  auxiliary!: PairAuxiliaryAddressesSchema;
}

export class StartBlocksSchema {
  @IsInt({ message: 'must be a block number' }) @Min(0, { message: 'must be a block number (≥ 0)' }) origin!: number;
  @IsInt({ message: 'must be a block number' }) @Min(0, { message: 'must be a block number (≥ 0)' }) auxiliary!: number;
}

export class AuxiliaryChainSchema implements AuxiliaryChainConfig {
  @IsInt({ message: 'must be a whole number (the auxiliary chain id)' })
  @IsPositive({ message: 'must be a positive chain id' })
  chainId!: number;
  @IsArray({ message: 'must be a list (of boot node enode URLs; may be empty)' }) bootNodes!: string[];
  @IsObject({ message: 'must be an object (the genesis; may be empty)' }) genesis!: Record<string, unknown>;
  @ValidateNested()
  @Type(() => PairAddressesSchema)
  @IsObject({ message: 'must be {"origin": {…}, "auxiliary": {…}}' })
  contractAddresses!: PairAddressesSchema;
  @ValidateNested()
  @Type(() => StartBlocksSchema)
  @IsObject({ message: 'must be {"origin": <block>, "auxiliary": <block>}' })
  startBlocks!: StartBlocksSchema;
}

/** The top level; `auxiliaryChains` is a map, each entry validated as an AuxiliaryChainSchema. */
export class MosaicConfigSchema {
  @Equals(MOSAIC_CONFIG_VERSION, { message: `must be ${MOSAIC_CONFIG_VERSION} (this facilitator reads mosaic-config version ${MOSAIC_CONFIG_VERSION})` })
  version!: number;
  @ValidateNested()
  @Type(() => OriginChainSchema)
  @IsObject({ message: 'must be {"chainId": …, "contractAddresses": {…}}' })
  originChain!: OriginChainSchema;
  @IsObject({ message: 'must be an object keyed by auxiliary chain id' }) auxiliaryChains!: Record<string, unknown>;
}

/** A copy with every 0x address lowercased (addresses are compared as lowercase everywhere). */
function normalizeAddresses<T>(value: T): T {
  if (isAddress(value)) return normalizeAddress(value) as T;
  if (Array.isArray(value)) return value.map(normalizeAddresses) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeAddresses(v)])) as T;
  }
  return value;
}

/**
 * Validates a parsed mosaic-config; `source` names it in errors (e.g. `mosaic-config /path/mosaic.json`).
 * Every problem is reported with its field path, e.g.
 * `auxiliaryChains.1405.contractAddresses.origin.ostComposerAddress: must be a 20-byte 0x-prefixed hex address`.
 * Returns a plain object of the shape, addresses lowercased.
 */
export function parseMosaicConfig(plain: unknown, source: string): MosaicConfigShape {
  const problems = new Problems();
  const top = validateInto(MosaicConfigSchema, plain, problems);
  const chains = top?.auxiliaryChains;
  if (chains && typeof chains === 'object' && !Array.isArray(chains)) {
    for (const [id, chain] of Object.entries(chains)) {
      const path = `auxiliaryChains.${id}`;
      if (!/^[1-9]\d*$/.test(id)) problems.add(path, 'keys of auxiliaryChains must be chain ids (decimal)');
      const section = validateInto(AuxiliaryChainSchema, chain, problems, { path });
      if (section && Number.isInteger(section.chainId) && String(section.chainId) !== id) {
        problems.add(`${path}.chainId`, `must equal its key ${id} (got ${section.chainId})`);
      }
    }
  }
  problems.throwIfAny(source);
  return normalizeAddresses(plain as MosaicConfigShape);
}

export function loadMosaicConfig(path: string): MosaicConfigShape {
  return parseMosaicConfig(readJsonFile(path, 'mosaic-config'), `mosaic-config ${path}`);
}

/** The pair of one auxiliary chain, or an error naming the chains the config has. */
export function auxiliaryChainOf(config: MosaicConfigShape, auxChainId: number, source: string): AuxiliaryChainConfig {
  const pair = config.auxiliaryChains[String(auxChainId)];
  if (!pair) {
    const known = Object.keys(config.auxiliaryChains);
    throw new ConfigError(
      `${source} has no auxiliary chain ${auxChainId} (auxiliaryChains.${auxChainId} is missing${known.length ? `; it has ${known.join(', ')}` : ''}): pass --aux-chain-id with one of them`,
    );
  }
  return pair;
}
