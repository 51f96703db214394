import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayNotEmpty,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { kdfParamsProblem } from './kdf-limits';
import { defaultDatabasePath } from './paths';
import { addressMessage, isAddress, normalizeAddress, Problems, readJsonFile, shown, validateInto } from './validation';

/**
 * facilitator-config, schema version 1 (written by `facilitator init`, file mode 0600):
 *
 *   { "version": 1,
 *     "originChainId": 1337, "auxChainId": 1405,
 *     "mosaicConfig": "mosaic.json",                             optional; relative to this file
 *     "database": { "path": "facilitator.sqlite" },              optional; default ~/.mosaic/<aux>/facilitator.sqlite
 *       or { "client": "postgres", "url": "postgres://user@host:5432/db" }   password: MOSAIC_DB_PASSWORD or a prompt
 *     "chains": {
 *       "1337": { "rpc": "http://…", "ws": "ws://…",               or lists by preference: "rpc": ["https://a…", "https://b…"]
 *                 "maxLagBlocks": 5, "healthCheckIntervalMs": 5000,   failover between several rpc endpoints
 *                 "subgraph": { "mode": "embedded" },
 *                 "workers": ["0x…"], "confirmations": 0, "pollIntervalMs": 1000,
 *                 "stuckAfterMs": 60000, "txType": "auto", "maxFeePerGas": "200000000000" },
 *       "1405": { "rpc": "http://…",
 *                 "subgraph": { "mode": "remote", "http": "http://…/subgraphs/name/…", "ws": "ws://…",   (or lists)
 *                               "transport": "subscription" },
 *                 "workers": ["0x…"] } },
 *     "encryptedAccounts": { "0x…": { …web3 v3 keystore… } },
 *     "facilitation": { "minGasPrice": "0", "minGasLimit": "0", "supportedGateways": ["0x…"],
 *                       "bountyAllowanceBatch": 10, "minWorkerGasBalance": "…" },
 *     "status": { "host": "127.0.0.1", "port": 9465 },
 *     "ha": { "leaseMs": 15000 },                               PostgreSQL active/standby: the lease
 *     "embeddedIndexer": { "host": "127.0.0.1", "port": 0 } }
 *
 * Changes from the brief's first sketch, and why:
 * - Unknown fields are errors (with their path): a typo in an optional setting would otherwise be
 *   silently ignored. Whoever adds a setting declares it here.
 * - `chains` must hold exactly the origin and the auxiliary chain ids.
 * - Gas settings are flat on the chain (`txType`; `maxFeePerGas`: the cap per gas, wei as a decimal
 *   string, `maxGasPrice` its older name; `stuckAfterMs`: when a sent transaction is replaced) instead
 *   of a nested `gas` object.
 * - `database` may be left out (the default path above). `~/` is the home folder; relative paths
 *   (database.path, mosaicConfig) are relative to the folder of this file, so it can be moved with them.
 * - Every address (workers, encryptedAccounts keys, supportedGateways) is stored lowercase after loading;
 *   in the file, checksummed or lowercase are both accepted. A keystore's own `address` must match its key.
 * - uint256 settings are decimal strings (JSON numbers lose precision above 2^53).
 * - `rpc`, `ws`, `subgraph.http` and `subgraph.ws` take one URL or a list by preference (failover); they
 *   are lists after loading.
 *
 * Passwords are never in this file: they come from MOSAIC_ADDRESS_PASSW_<address> or a prompt (keystore.ts).
 */
export const FACILITATOR_CONFIG_VERSION = 1;

const URL_PATTERN = /^(https?|wss?):\/\/[^\s]+$/;
const HTTP_URL = /^https?:\/\/[^\s]+$/;
const WS_URL = /^wss?:\/\/[^\s]+$/;
const WS_MESSAGE = 'must be a ws(s):// URL, or a list of them by preference';
const SUBGRAPH_HTTP_MESSAGE = 'must be the subgraph query URL, http(s)://…/subgraphs/name/<name>, or a list of them by preference';
const DECIMAL = /^\d+$/;
const RPC_MESSAGE = 'must be the JSON-RPC URL, http(s)://host:port, or a list of them by preference';
const WEI_MESSAGE = 'must be a whole number of wei as a decimal string, e.g. "1000000000"';

export class SubgraphSettings {
  @IsIn(['embedded', 'remote'], { message: 'must be "embedded" (run the indexer in-process) or "remote" (a graph-node)' })
  mode!: 'embedded' | 'remote';
  /** graph-node query URLs by preference (a single string in the file is a list of one); checked in checkChain. */
  @Allow() http?: string[];
  /** graphql-ws URLs by preference, for the subscription transport (a string or a list, like http). */
  @Allow() ws?: string[];
  @IsOptional()
  @IsIn(['subscription', 'polling'], { message: 'must be "subscription" or "polling" (graph-node ≥ 0.38 needs polling)' })
  transport?: 'subscription' | 'polling';
}

export class ChainSettings {
  /**
   * JSON-RPC endpoints by preference (a single string in the file is a list of one): the first healthy one
   * that keeps up is used, the others take over when it fails. Checked in checkChain.
   */
  @IsDefined({ message: RPC_MESSAGE })
  rpc!: string[];
  /** WebSocket endpoints for newHeads, by preference (default: each rpc URL as ws://). Checked in checkChain. */
  @Allow() ws?: string[];
  /** An RPC endpoint more than this many blocks behind the best one is not used (failover). */
  @IsOptional() @IsInt({ message: 'must be a whole number of blocks' }) @Min(0) @Max(100_000) maxLagBlocks?: number;
  /** Several RPC endpoints: each is probed (eth_chainId, eth_blockNumber) this often while the chain is in use. */
  @IsOptional() @IsInt({ message: 'must be a whole number of milliseconds' }) @Min(100) @Max(3_600_000) healthCheckIntervalMs?: number;
  @ValidateNested()
  @Type(() => SubgraphSettings)
  @IsObject({ message: 'must be {"mode": "embedded"} or {"mode": "remote", "http": …}' })
  subgraph!: SubgraphSettings;
  /** Lowercase after loading. */
  @IsArray({ message: 'must be a list of worker addresses' })
  @ArrayNotEmpty({ message: 'must name at least one worker address' })
  workers!: string[];
  /** Blocks to wait after an event before acting on it (reorg safety). */
  @IsOptional() @IsInt({ message: 'must be a whole number of blocks' }) @Min(0) @Max(1000) confirmations?: number;
  @IsOptional() @IsInt({ message: 'must be a whole number of milliseconds' }) @Min(10) pollIntervalMs?: number;
  /** A sent transaction not mined after this long is replaced with higher fees. */
  @IsOptional() @IsInt({ message: 'must be a whole number of milliseconds' }) @Min(1000) stuckAfterMs?: number;
  /** Type 2 (EIP-1559) where blocks carry a base fee (`auto`, the default), or always one type. */
  @IsOptional()
  @IsIn(['auto', 'eip1559', 'legacy'], { message: 'must be "auto" (type 2 where blocks carry a base fee), "eip1559" or "legacy"' })
  txType?: 'auto' | 'eip1559' | 'legacy';
  /** No transaction ever offers more per gas (maxFeePerGas, or gasPrice on legacy chains): a send that needs more waits. */
  @IsOptional() @Matches(DECIMAL, { message: WEI_MESSAGE }) maxFeePerGas?: string;
  /** The earlier name of maxFeePerGas, still read. */
  @IsOptional() @Matches(DECIMAL, { message: WEI_MESSAGE }) maxGasPrice?: string;
}

export class DatabaseSettings {
  /** `sqlite` (the default: a file, one process) or `postgres` (a server: several processes, active/standby). Always set after loading. */
  @IsOptional() @IsIn(['sqlite', 'postgres'], { message: 'must be "sqlite" (a file) or "postgres" (a server)' }) client?: 'sqlite' | 'postgres';
  /** SQLite: the file (absolute after loading). */
  @IsOptional() @IsString({ message: 'must be the path of the SQLite file' }) @MinLength(1, { message: 'must not be empty' }) path?: string;
  /** PostgreSQL: postgres://user@host:5432/database (the password from MOSAIC_DB_PASSWORD or a prompt; in the URL it is allowed, never required). */
  @IsOptional() @Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: 'must be a PostgreSQL URL, postgres://user@host:5432/database' }) url?: string;
}

const GAS_MESSAGE = 'must be a whole number of gas (at least 21000), e.g. 500000';

/** Gas of one direction's whole flow on each chain (absent: the measured default). */
export class FlowGasSettings {
  @IsOptional() @IsInt({ message: GAS_MESSAGE }) @Min(21_000, { message: GAS_MESSAGE }) origin?: number;
  @IsOptional() @IsInt({ message: GAS_MESSAGE }) @Min(21_000, { message: GAS_MESSAGE }) auxiliary?: number;
}

export class ProfitabilityGasSettings {
  @IsOptional() @ValidateNested() @Type(() => FlowGasSettings) @IsObject({ message: 'must be {"origin": <gas>, "auxiliary": <gas>}' }) stake?: FlowGasSettings;
  @IsOptional() @ValidateNested() @Type(() => FlowGasSettings) @IsObject({ message: 'must be {"origin": <gas>, "auxiliary": <gas>}' }) redeem?: FlowGasSettings;
}

/** How many OST one ETH is worth: a positive decimal, up to 18 decimals. */
const OST_PER_ETH = /^(?=.*[1-9])\d{1,30}(\.\d{1,18})?$/;

/** Accept only requests whose reward covers the expected gas of their flow (off unless enabled). */
export class ProfitabilitySettings {
  @IsBoolean({ message: 'must be true or false' }) enabled!: boolean;
  /** The reward must be at least the expected gas cost × marginPercent / 100. */
  @IsOptional()
  @IsInt({ message: 'must be a whole number of percent, e.g. 120 (the reward must be 1.2 × the expected gas cost)' })
  @Min(1, { message: 'must be at least 1 (percent of the expected gas cost)' })
  @Max(100_000, { message: 'must be at most 100000 (percent)' })
  marginPercent?: number;
  /** Required when enabled: converts origin gas (ETH) into the rewards' unit (OST). */
  @IsOptional() @Matches(OST_PER_ETH, { message: 'must be how many OST one ETH is worth, a positive decimal string, e.g. "20000" or "0.5"' }) ostPerEth?: string;
  @IsOptional() @ValidateNested() @Type(() => ProfitabilityGasSettings) @IsObject({ message: 'must be {"stake": {…}, "redeem": {…}}' }) gas?: ProfitabilityGasSettings;
}

export class FacilitationSettings {
  @IsOptional() @Matches(DECIMAL, { message: WEI_MESSAGE }) minGasPrice?: string;
  @IsOptional() @Matches(DECIMAL, { message: 'must be a whole number as a decimal string, e.g. "100000"' }) minGasLimit?: string;
  /** Only stake requests to these gateways are facilitated (default: the mosaic-config's gateway). Lowercase after loading. */
  @IsOptional() @IsArray({ message: 'must be a list of gateway addresses' }) supportedGateways?: string[];
  @IsOptional() @IsInt({ message: 'must be a whole number' }) @IsPositive() bountyAllowanceBatch?: number;
  @IsOptional() @Matches(DECIMAL, { message: WEI_MESSAGE }) minWorkerGasBalance?: string;
  @IsOptional()
  @ValidateNested()
  @Type(() => ProfitabilitySettings)
  @IsObject({ message: 'must be {"enabled": true, "ostPerEth": "<OST per ETH>", "marginPercent": 120}' })
  profitability?: ProfitabilitySettings;
}

export class HaSettings {
  /** PostgreSQL: an active instance silent this long is deposed and a standby takes over (ms, 2 s to 5 min). */
  @IsOptional() @IsInt({ message: 'must be a whole number of milliseconds' }) @Min(2_000) @Max(300_000) leaseMs?: number;
}

export class ServerSettings {
  @IsOptional() @IsString({ message: 'must be a host name or IP address' }) host?: string;
  @IsOptional() @IsInt({ message: 'must be a TCP port (0 picks a free one)' }) @Min(0) @Max(65535) port?: number;
}

export class FacilitatorConfig {
  @Equals(FACILITATOR_CONFIG_VERSION, { message: `must be ${FACILITATOR_CONFIG_VERSION}` }) version!: number;
  /** Path of the mosaic-config this facilitator serves (start's --mosaic-config overrides it). Absolute after loading. */
  @IsOptional() @IsString({ message: 'must be the path of the mosaic-config' }) mosaicConfig?: string;
  @IsInt({ message: 'must be the origin chain id (a whole number)' }) @IsPositive({ message: 'must be a positive chain id' })
  originChainId!: number;
  @IsInt({ message: 'must be the auxiliary chain id (a whole number)' }) @IsPositive({ message: 'must be a positive chain id' })
  auxChainId!: number;
  /** Always present after loading (defaulted). */
  @IsOptional()
  @ValidateNested()
  @Type(() => DatabaseSettings)
  @IsObject({ message: 'must be {"path": "<sqlite file>"} or {"client": "postgres", "url": "postgres://…"}' })
  database!: DatabaseSettings;
  /** Active/standby on PostgreSQL. */
  @IsOptional() @ValidateNested() @Type(() => HaSettings) @IsObject({ message: 'must be {"leaseMs": 15000}' }) ha?: HaSettings;
  /** Keyed by chain id (decimal): exactly originChainId and auxChainId. */
  @IsObject({ message: 'must be an object keyed by chain id' }) chains!: Record<string, ChainSettings>;
  /** Keyed by lowercase address after loading. */
  @IsObject({ message: 'must be an object of web3 v3 keystores keyed by address' }) encryptedAccounts!: Record<string, KeystoreV3>;
  @IsOptional() @ValidateNested() @Type(() => FacilitationSettings) @IsObject() facilitation?: FacilitationSettings;
  @IsOptional() @ValidateNested() @Type(() => ServerSettings) @IsObject() status?: ServerSettings;
  @IsOptional() @ValidateNested() @Type(() => ServerSettings) @IsObject() embeddedIndexer?: ServerSettings;
}

export interface KeystoreV3 {
  version: 3;
  /** Lowercase hex without 0x, as web3 writes it. */
  address?: string;
  crypto: Record<string, unknown>;
  id?: string;
}

export interface ParseOptions {
  /** Folder against which relative paths are resolved (the config file's folder when loaded from a file). */
  baseDir?: string;
}

/** `~/x` → home/x; relative → against baseDir. */
function resolvePath(path: string, baseDir: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** Checks a list of addresses element by element (errors carry the index); returns it lowercased, same positions. */
function addressList(values: unknown[], path: string, problems: Problems, what: string): string[] {
  const seen = new Set<string>();
  return values.map((value, index) => {
    if (!isAddress(value)) {
      problems.add(`${path}.${index}`, `${what} ${addressMessage(value)} (got ${shown(value)})`);
      return String(value);
    }
    const address = normalizeAddress(value);
    if (seen.has(address)) problems.add(`${path}.${index}`, `${address} is listed twice`);
    seen.add(address);
    return address;
  });
}

/**
 * A URL or a list of URLs (by preference) as a list, each checked (errors carry the index when the file
 * has a list); a bad entry leaves the value as given, with its problem added.
 */
function urlList(value: unknown, path: string, problems: Problems, expected: { pattern: RegExp; what: string }): string[] {
  if (typeof value === 'string') {
    if (!expected.pattern.test(value)) problems.add(path, `${expected.what} (got ${shown(value)})`);
    return [value];
  }
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(path, `${expected.what} (got ${Array.isArray(value) ? 'an empty list' : shown(value)})`);
    return [];
  }
  const seen = new Set<string>();
  value.forEach((url: unknown, index) => {
    if (typeof url !== 'string' || !expected.pattern.test(url)) problems.add(`${path}.${index}`, `${expected.what} (got ${shown(url)})`);
    else if (seen.has(url)) problems.add(`${path}.${index}`, `${shown(url)} is listed twice`);
    seen.add(String(url));
  });
  return value.map(String);
}

function checkKeystore(keystore: unknown, address: string, path: string, problems: Problems): keystore is KeystoreV3 {
  const ks = keystore as Partial<KeystoreV3> | null;
  if (!ks || typeof ks !== 'object' || Array.isArray(ks)) {
    problems.add(path, 'must be a web3 v3 keystore object');
    return false;
  }
  if (ks.version !== 3) problems.add(`${path}.version`, `must be 3 (a web3 v3 keystore; got ${shown(ks.version)})`);
  const crypto = ks.crypto as Record<string, unknown> | undefined;
  if (!crypto || typeof crypto !== 'object') {
    problems.add(`${path}.crypto`, 'is missing (a web3 v3 keystore has a crypto section)');
  } else {
    for (const field of ['ciphertext', 'cipher', 'kdf', 'mac']) {
      if (typeof crypto[field] !== 'string') problems.add(`${path}.crypto.${field}`, 'is missing (must be a string)');
    }
    if (typeof crypto.kdfparams !== 'object' || crypto.kdfparams === null) problems.add(`${path}.crypto.kdfparams`, 'is missing');
    if (typeof crypto.kdf === 'string' && !['scrypt', 'pbkdf2'].includes(crypto.kdf)) {
      problems.add(`${path}.crypto.kdf`, `must be "scrypt" or "pbkdf2" (got ${shown(crypto.kdf)})`);
    } else if (typeof crypto.kdfparams === 'object' && crypto.kdfparams !== null) {
      // Refused before any derivation: a hostile config must not make start run for hours.
      const problem = kdfParamsProblem(crypto);
      if (problem !== undefined) problems.add(`${path}.crypto`, problem);
    }
  }
  if (ks.address !== undefined) {
    const own = typeof ks.address === 'string' ? normalizeAddress(ks.address.startsWith('0x') ? ks.address : `0x${ks.address}`) : undefined;
    if (own !== address) problems.add(`${path}.address`, `is the keystore of ${own ?? shown(ks.address)}, not of ${address}`);
  }
  return true;
}

function checkChain(config: FacilitatorConfig, id: string, problems: Problems): ChainSettings | undefined {
  const path = `chains.${id}`;
  const chain = validateInto(ChainSettings, config.chains[id], problems, { path, forbidUnknown: true });
  if (!chain) return undefined;
  if (Array.isArray(chain.workers)) chain.workers = addressList(chain.workers, `${path}.workers`, problems, 'each worker');
  if (chain.rpc != null) chain.rpc = urlList(chain.rpc, `${path}.rpc`, problems, { pattern: URL_PATTERN, what: RPC_MESSAGE });
  if (chain.ws !== undefined) chain.ws = urlList(chain.ws, `${path}.ws`, problems, { pattern: WS_URL, what: WS_MESSAGE });
  const subgraph = chain.subgraph;
  if (!(subgraph instanceof SubgraphSettings)) return chain;
  if (subgraph.http !== undefined) subgraph.http = urlList(subgraph.http, `${path}.subgraph.http`, problems, { pattern: HTTP_URL, what: SUBGRAPH_HTTP_MESSAGE });
  if (subgraph.ws !== undefined) subgraph.ws = urlList(subgraph.ws, `${path}.subgraph.ws`, problems, { pattern: WS_URL, what: WS_MESSAGE });
  if (subgraph.http && subgraph.ws && subgraph.ws.length > 1 && subgraph.ws.length !== subgraph.http.length) {
    problems.add(`${path}.subgraph.ws`, `lists ${subgraph.ws.length} URLs for ${subgraph.http.length} subgraph.http URLs: list one per graph-node, in the same order`);
  }
  if (subgraph.mode === 'remote') {
    if (!subgraph.http) problems.add(`${path}.subgraph.http`, 'is missing (required when mode is "remote")');
    if ((subgraph.transport ?? 'polling') === 'subscription' && !subgraph.ws) {
      problems.add(`${path}.subgraph.ws`, 'is missing (required for the "subscription" transport)');
    }
  }
  return chain;
}

/**
 * Validates a parsed facilitator-config with the cross-field rules: both chain ids present (and no
 * other), every worker has a keystore, addresses well formed. Throws one ConfigError naming `source`
 * and every bad field path. Addresses come back lowercase, paths absolute, `database` defaulted.
 */
export function parseFacilitatorConfig(plain: unknown, source: string, options: ParseOptions = {}): FacilitatorConfig {
  const baseDir = options.baseDir ?? process.cwd();
  const problems = new Problems();
  const config = validateInto(FacilitatorConfig, plain, problems, { forbidUnknown: true });
  if (!config) {
    problems.throwIfAny(source);
    throw new Error('unreachable: a non-object config always adds a problem');
  }

  const ids = [config.originChainId, config.auxChainId].filter((id) => Number.isInteger(id) && id > 0).map(String);
  if (ids.length === 2 && ids[0] === ids[1]) {
    // Alone: every chains.* rule below would only repeat this one mistake.
    const same = new Problems();
    same.add('auxChainId', `must differ from originChainId (both are ${ids[0]}): set auxChainId to the auxiliary chain's id`);
    same.throwIfAny(source);
  }
  const chains: Record<string, ChainSettings> = {};
  if (config.chains && typeof config.chains === 'object' && !Array.isArray(config.chains)) {
    for (const id of ids) {
      if (config.chains[id] === undefined) {
        problems.add(`chains.${id}`, `is missing: settings (rpc, subgraph, workers) for chain ${id} are required`);
        continue;
      }
      const chain = checkChain(config, id, problems);
      if (chain) chains[id] = chain;
    }
    for (const id of Object.keys(config.chains)) {
      if (ids.length === 2 && !ids.includes(id)) {
        problems.add(`chains.${id}`, `is neither originChainId ${ids[0]} nor auxChainId ${ids[1]}`);
      }
    }
  }

  const accounts: Record<string, KeystoreV3> = {};
  const keyed = new Set<string>();
  if (config.encryptedAccounts && typeof config.encryptedAccounts === 'object' && !Array.isArray(config.encryptedAccounts)) {
    for (const [key, keystore] of Object.entries(config.encryptedAccounts)) {
      const path = `encryptedAccounts.${key}`;
      if (!isAddress(key)) {
        problems.add(path, `the key ${addressMessage(key)}`);
        continue;
      }
      const address = normalizeAddress(key);
      if (keyed.has(address)) problems.add(path, `${address} has two keystores`);
      keyed.add(address);
      if (checkKeystore(keystore, address, path, problems)) accounts[address] = keystore;
    }
    for (const [id, chain] of Object.entries(chains)) {
      (chain.workers ?? []).forEach((worker, index) => {
        if (isAddress(worker) && !keyed.has(worker)) {
          problems.add(
            `chains.${id}.workers.${index}`,
            `worker ${worker} has no keystore in encryptedAccounts (add encryptedAccounts.${worker}; facilitator init creates both)`,
          );
        }
      });
    }
  }

  const facilitation = config.facilitation;
  if (facilitation instanceof FacilitationSettings && Array.isArray(facilitation.supportedGateways)) {
    facilitation.supportedGateways = addressList(facilitation.supportedGateways, 'facilitation.supportedGateways', problems, 'each gateway');
  }
  const profitability = facilitation instanceof FacilitationSettings ? facilitation.profitability : undefined;
  if (profitability instanceof ProfitabilitySettings && profitability.enabled === true && profitability.ostPerEth === undefined) {
    problems.add(
      'facilitation.profitability.ostPerEth',
      'is missing: with profitability enabled, say how many OST one ETH is worth (e.g. "20000"), to weigh origin gas (ETH) against rewards (OST)',
    );
  }
  const database = resolveDatabase(config.database, config.auxChainId, baseDir, problems);
  problems.throwIfAny(source);

  config.chains = chains;
  config.encryptedAccounts = accounts;
  config.database = database;
  if (config.mosaicConfig !== undefined) config.mosaicConfig = resolvePath(config.mosaicConfig, baseDir);
  return config;
}

/** The database settings with their client decided: a PostgreSQL URL, or a SQLite path (absolute, defaulted). */
function resolveDatabase(given: DatabaseSettings | undefined, auxChainId: number, baseDir: string, problems: Problems): DatabaseSettings {
  const database = new DatabaseSettings();
  const postgres = given?.client === 'postgres' || given?.url !== undefined;
  if (postgres) {
    if (given?.client === 'sqlite') problems.add('database.url', 'is for "client": "postgres" (a SQLite database has a path)');
    if (given?.path !== undefined) problems.add('database.path', 'is for SQLite: a PostgreSQL database has a url only');
    if (given?.url === undefined) problems.add('database.url', 'is missing: "client": "postgres" needs "url": "postgres://user@host:5432/database"');
    database.client = 'postgres';
    database.url = given?.url;
    return database;
  }
  database.client = 'sqlite';
  database.path = resolvePath(given?.path ?? defaultDatabasePath(auxChainId), baseDir);
  return database;
}

/** Reads, parses and validates a facilitator-config file; relative paths inside are relative to its folder. */
export function loadFacilitatorConfig(path: string): FacilitatorConfig {
  const absolute = resolve(path);
  return parseFacilitatorConfig(readJsonFile(absolute, 'facilitator-config'), `facilitator-config ${absolute}`, {
    baseDir: dirname(absolute),
  });
}
