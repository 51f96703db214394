import 'reflect-metadata';
import { Type } from 'class-transformer';
import { Equals, IsArray, IsInt, IsObject, IsPositive, Matches, Min, ValidateNested } from 'class-validator';
import { MOSAIC_CONFIG_VERSION, type MosaicConfigShape } from './mosaic-config';
import { ADDRESS_MESSAGE, ADDRESS_PATTERN, ConfigError, readJsonFile, validated } from './validation';

const Address = () => Matches(ADDRESS_PATTERN, { message: ADDRESS_MESSAGE });

class OriginChainAddresses {
  @Address() simpleTokenAddress!: string;
  @Address() merklePatriciaLibAddress!: string;
  @Address() gatewayLibAddress!: string;
  @Address() messageBusAddress!: string;
}

class OriginChainSection {
  @IsInt({ message: 'must be a whole number (the origin chain id)' }) @IsPositive() chainId!: number;
  @ValidateNested() @Type(() => OriginChainAddresses) @IsObject({ message: 'must be an object of contract addresses' })
  contractAddresses!: OriginChainAddresses;
}

class PairOriginAddresses {
  @Address() anchorOrganizationAddress!: string;
  @Address() anchorAddress!: string;
  @Address() ostGatewayOrganizationAddress!: string;
  @Address() ostEIP20GatewayAddress!: string;
  @Address() ostComposerOrganizationAddress!: string;
  @Address() ostComposerAddress!: string;
}

class PairAuxiliaryAddresses {
  @Address() ostPrimeAddress!: string;
  @Address() anchorOrganizationAddress!: string;
  @Address() anchorAddress!: string;
  @Address() merklePatriciaLibAddress!: string;
  @Address() gatewayLibAddress!: string;
  @Address() messageBusAddress!: string;
  @Address() ostCoGatewayOrganizationAddress!: string;
  @Address() ostEIP20CogatewayAddress!: string;
  @Address() redeemPoolOrganizationAddress!: string;
  @Address() redeemPoolAddress!: string;
}

class PairAddresses {
  @ValidateNested() @Type(() => PairOriginAddresses) @IsObject() origin!: PairOriginAddresses;
  @ValidateNested() @Type(() => PairAuxiliaryAddresses) @IsObject() auxiliary!: PairAuxiliaryAddresses;
}

class StartBlocks {
  @IsInt({ message: 'must be a block number' }) @Min(0) origin!: number;
  @IsInt({ message: 'must be a block number' }) @Min(0) auxiliary!: number;
}

class AuxiliaryChainSection {
  @IsInt({ message: 'must be a whole number (the auxiliary chain id)' }) @IsPositive() chainId!: number;
  @IsArray() bootNodes!: string[];
  @IsObject() genesis!: Record<string, unknown>;
  @ValidateNested() @Type(() => PairAddresses) @IsObject() contractAddresses!: PairAddresses;
  @ValidateNested() @Type(() => StartBlocks) @IsObject({ message: 'must be {"origin": <block>, "auxiliary": <block>}' })
  startBlocks!: StartBlocks;
}

class MosaicConfigFile {
  @Equals(MOSAIC_CONFIG_VERSION, { message: `must be ${MOSAIC_CONFIG_VERSION} (this facilitator reads mosaic-config version ${MOSAIC_CONFIG_VERSION})` })
  version!: number;
  @ValidateNested() @Type(() => OriginChainSection) @IsObject() originChain!: OriginChainSection;
  @IsObject({ message: 'must be an object keyed by auxiliary chain id' }) auxiliaryChains!: Record<string, unknown>;
}

/** Lowercases every 0x address in a parsed config (addresses are compared as lowercase everywhere). */
function lowercaseAddresses<T>(value: T): T {
  if (typeof value === 'string') return (ADDRESS_PATTERN.test(value) ? value.toLowerCase() : value) as T;
  if (Array.isArray(value)) return value.map(lowercaseAddresses) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lowercaseAddresses(v)])) as T;
  }
  return value;
}

/** Validates a parsed mosaic-config; `source` names it in errors. */
export function parseMosaicConfig(plain: unknown, source: string): MosaicConfigShape {
  const file = validated(MosaicConfigFile, plain, source);
  const chains = (plain as { auxiliaryChains: Record<string, unknown> }).auxiliaryChains;
  for (const [id, chain] of Object.entries(chains)) {
    const section = validated(AuxiliaryChainSection, chain, `${source} auxiliaryChains.${id}`);
    if (String(section.chainId) !== id) {
      throw new ConfigError(`${source}: auxiliaryChains.${id}.chainId is ${section.chainId}; it must equal its key ${id}`);
    }
  }
  void file;
  return lowercaseAddresses(plain as MosaicConfigShape);
}

export function loadMosaicConfig(path: string): MosaicConfigShape {
  return parseMosaicConfig(readJsonFile(path, 'mosaic-config'), `mosaic-config ${path}`);
}

/** The pair of one auxiliary chain, or an error naming the chains the config has. */
export function auxiliaryChainOf(config: MosaicConfigShape, auxChainId: number, source: string) {
  const pair = config.auxiliaryChains[String(auxChainId)];
  if (!pair) {
    const known = Object.keys(config.auxiliaryChains);
    throw new ConfigError(
      `${source} has no auxiliary chain ${auxChainId}${known.length ? ` (it has ${known.join(', ')})` : ''}: pass --aux-chain-id with one of them`,
    );
  }
  return pair;
}
