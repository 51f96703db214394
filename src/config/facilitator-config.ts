import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  Equals,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ADDRESS_MESSAGE, ADDRESS_PATTERN, ConfigError, readJsonFile, validated } from './validation';

/**
 * facilitator-config, schema version 1 (written by `facilitator init`, mode 0600):
 *
 *   { "version": 1, "mosaicConfig": "~/.mosaic/1405/mosaic.json", "originChainId": 1337, "auxChainId": 1405,
 *     "database": { "path": "~/.mosaic/1405/facilitator.sqlite" },
 *     "chains": {
 *       "1337": { "rpc": "http://…", "subgraph": { "mode": "embedded" },
 *                 "workers": ["0x…"], "confirmations": 0, "pollIntervalMs": 1000 },
 *       "1405": { "rpc": "http://…", "subgraph": { "mode": "remote", "http": "http://…/subgraphs/name/…",
 *                 "ws": "ws://…", "transport": "subscription" }, "workers": ["0x…"] } },
 *     "encryptedAccounts": { "0x…": { …web3 v3 keystore… } },
 *     "facilitation": { "minGasPrice": "0", "minGasLimit": "0", "supportedGateways": ["0x…"] },
 *     "status": { "host": "127.0.0.1", "port": 9465 },
 *     "embeddedIndexer": { "host": "127.0.0.1", "port": 0 } }
 *
 * Passwords are never in this file: they come from MOSAIC_ADDRESS_PASSW_<address> or a prompt.
 */
export const FACILITATOR_CONFIG_VERSION = 1;

const URL_PATTERN = /^(https?|wss?):\/\/[^\s]+$/;
const DECIMAL = /^\d+$/;

export class SubgraphSettings {
  @IsIn(['embedded', 'remote'], { message: 'must be "embedded" (run the indexer in-process) or "remote" (a graph-node)' })
  mode!: 'embedded' | 'remote';
  @IsOptional() @Matches(URL_PATTERN, { message: 'must be the subgraph query URL, http(s)://…/subgraphs/name/<name>' })
  http?: string;
  @IsOptional() @Matches(URL_PATTERN, { message: 'must be a ws(s):// URL' })
  ws?: string;
  @IsOptional() @IsIn(['subscription', 'polling'], { message: 'must be "subscription" or "polling" (graph-node ≥ 0.38 needs polling)' })
  transport?: 'subscription' | 'polling';
}

export class ChainSettings {
  @Matches(URL_PATTERN, { message: 'must be the JSON-RPC URL, http(s)://host:port' })
  rpc!: string;
  @ValidateNested() @Type(() => SubgraphSettings) @IsObject({ message: 'must be {"mode": "embedded"} or {"mode": "remote", "http": …}' })
  subgraph!: SubgraphSettings;
  @IsArray({ message: 'must be a list of worker addresses' })
  @ArrayNotEmpty({ message: 'must name at least one worker address' })
  @Matches(ADDRESS_PATTERN, { each: true, message: `each worker ${ADDRESS_MESSAGE}` })
  workers!: string[];
  @IsOptional() @IsInt() @Min(0) @Max(1000) confirmations?: number;
  @IsOptional() @IsInt() @Min(10) pollIntervalMs?: number;
  @IsOptional() @IsInt() @Min(1000) stuckAfterMs?: number;
  @IsOptional() @Matches(DECIMAL, { message: 'must be a whole number of wei, as a string' }) maxGasPrice?: string;
}

class DatabaseSettings {
  @IsString({ message: 'must be the path of the SQLite file' }) path!: string;
}

class FacilitationSettings {
  @IsOptional() @Matches(DECIMAL, { message: 'must be a whole number, as a string' }) minGasPrice?: string;
  @IsOptional() @Matches(DECIMAL, { message: 'must be a whole number, as a string' }) minGasLimit?: string;
  @IsOptional() @IsArray() @Matches(ADDRESS_PATTERN, { each: true, message: `each gateway ${ADDRESS_MESSAGE}` })
  supportedGateways?: string[];
  @IsOptional() @IsInt() @IsPositive() bountyAllowanceBatch?: number;
  @IsOptional() @Matches(DECIMAL, { message: 'must be a whole number of wei, as a string' }) minWorkerGasBalance?: string;
}

class ServerSettings {
  @IsOptional() @IsString() host?: string;
  @IsOptional() @IsInt() @Min(0) @Max(65535) port?: number;
}

export class FacilitatorConfig {
  @Equals(FACILITATOR_CONFIG_VERSION, { message: `must be ${FACILITATOR_CONFIG_VERSION}` }) version!: number;
  /** Path of the mosaic-config this facilitator serves (start's --mosaic-config overrides it). */
  @IsOptional() @IsString() mosaicConfig?: string;
  @IsInt({ message: 'must be the origin chain id' }) @IsPositive() originChainId!: number;
  @IsInt({ message: 'must be the auxiliary chain id' }) @IsPositive() auxChainId!: number;
  @ValidateNested() @Type(() => DatabaseSettings) @IsObject() database!: DatabaseSettings;
  @IsObject({ message: 'must be an object keyed by chain id' }) chains!: Record<string, ChainSettings>;
  @IsObject({ message: 'must be an object of v3 keystores keyed by address' }) encryptedAccounts!: Record<string, KeystoreV3>;
  @IsOptional() @ValidateNested() @Type(() => FacilitationSettings) facilitation?: FacilitationSettings;
  @IsOptional() @ValidateNested() @Type(() => ServerSettings) status?: ServerSettings;
  @IsOptional() @ValidateNested() @Type(() => ServerSettings) embeddedIndexer?: ServerSettings;
}

export interface KeystoreV3 {
  version: 3;
  address?: string;
  crypto: Record<string, unknown>;
  id?: string;
}

/** Validates a parsed facilitator-config, including the cross-field rules. */
export function parseFacilitatorConfig(plain: unknown, source: string): FacilitatorConfig {
  const config = validated(FacilitatorConfig, plain, source);
  const chains: Record<string, ChainSettings> = {};
  for (const id of [config.originChainId, config.auxChainId]) {
    const raw = (config.chains as Record<string, unknown>)[String(id)];
    if (raw === undefined) {
      throw new ConfigError(`${source}: chains.${id} is missing: every facilitator needs settings for chain ${id}`);
    }
    const chain = validated(ChainSettings, raw, `${source} chains.${id}`);
    if (chain.subgraph.mode === 'remote' && !chain.subgraph.http) {
      throw new ConfigError(`${source}: chains.${id}.subgraph.http is required when mode is "remote"`);
    }
    if (chain.subgraph.mode === 'remote' && chain.subgraph.transport === 'subscription' && !chain.subgraph.ws) {
      throw new ConfigError(`${source}: chains.${id}.subgraph.ws is required for the subscription transport`);
    }
    chain.workers = chain.workers.map((w) => w.toLowerCase());
    chains[String(id)] = chain;
  }
  if (config.originChainId === config.auxChainId) {
    throw new ConfigError(`${source}: originChainId and auxChainId are both ${config.auxChainId}; they must differ`);
  }
  const accounts: Record<string, KeystoreV3> = {};
  for (const [address, keystore] of Object.entries(config.encryptedAccounts)) {
    if (!ADDRESS_PATTERN.test(address)) throw new ConfigError(`${source}: encryptedAccounts key "${address}" ${ADDRESS_MESSAGE}`);
    if (!keystore || typeof keystore !== 'object' || keystore.version !== 3 || typeof keystore.crypto !== 'object') {
      throw new ConfigError(`${source}: encryptedAccounts.${address} must be a web3 v3 keystore (version 3 with a crypto section)`);
    }
    accounts[address.toLowerCase()] = keystore;
  }
  for (const [id, chain] of Object.entries(chains)) {
    for (const worker of chain.workers) {
      if (!accounts[worker]) {
        throw new ConfigError(`${source}: worker ${worker} of chain ${id} has no keystore in encryptedAccounts: add it (facilitator init creates both)`);
      }
    }
  }
  config.chains = chains;
  config.encryptedAccounts = accounts;
  return config;
}

export function loadFacilitatorConfig(path: string): FacilitatorConfig {
  return parseFacilitatorConfig(readJsonFile(path, 'facilitator-config'), `facilitator-config ${path}`);
}
