import { Command, InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ChainClient } from '../chain/chain-client';
import { HttpJsonRpc } from '../chain/json-rpc';
import { FACILITATOR_CONFIG_VERSION, parseFacilitatorConfig, type KeystoreV3 } from '../config/facilitator-config';
import { createEncryptedAccount, passwordVariableNames } from '../config/keystore';
import { auxiliaryChainOf, loadMosaicConfig } from '../config/mosaic-config-schema';
import { defaultDatabasePath, defaultFacilitatorConfigPath } from '../config/paths';
import { adminTokenPath, createAdminToken } from '../config/admin-token';
import { writeSecretFile } from '../config/secret-file';
import { ConfigError } from '../config/validation';
import { DB_PASSWORD_ENV, describeTarget, isPostgresUrl, type DatabaseTarget } from '../db/database-target';
import { openDatabaseTarget } from '../db/open-database';
import { redactUrl, redactUrlIn } from '../logging/redact-url';
import { parseChainId, parsePositiveInteger } from './option-parsers';
import { databasePassword, promptHidden } from './passwords';

interface InitOptions {
  mosaicConfig: string;
  auxChainId: number;
  originRpc: string;
  auxiliaryRpc: string;
  originGraph: string;
  auxiliaryGraph: string;
  graphTransport: 'subscription' | 'polling';
  dbPath?: string;
  dbUrl?: string;
  dbUsername?: string;
  /** A value on the command line (visible to every user of the machine) or `true`: ask (MOSAIC_DB_PASSWORD or a prompt). */
  dbPassword?: string | boolean;
  output?: string;
  force: boolean;
  workers: number;
  passwordEnv?: string;
}

async function checkRpc(url: string, expected: number, which: string): Promise<void> {
  let actual: number;
  try {
    actual = await new ChainClient(new HttpJsonRpc(url, 10_000), expected).getChainId();
  } catch (error) {
    throw new ConfigError(`${which} RPC ${redactUrl(url)} does not answer (${redactUrlIn(error instanceof Error ? error.message : String(error), url)}): check --${which}-rpc`);
  }
  if (actual !== expected) throw new ConfigError(`chain id mismatch: ${which} RPC ${redactUrl(url)} is chain ${actual}, the mosaic-config says ${expected}`);
}

async function checkGraph(url: string, which: string): Promise<void> {
  if (url === 'embedded') return;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _meta { block { number } } }' }),
      signal: AbortSignal.timeout(10_000),
    });
    const payload = (await response.json()) as { data?: { _meta?: unknown } };
    if (!payload.data?._meta) throw new Error(`HTTP ${response.status}, no _meta in the answer`);
  } catch (error) {
    throw new ConfigError(`${which} subgraph ${redactUrl(url)} does not answer a _meta query (${redactUrlIn(error instanceof Error ? error.message : String(error), url)}): check --${which}-graph (or use "embedded")`);
  }
}

async function password(options: InitOptions): Promise<string> {
  if (options.passwordEnv) {
    const value = process.env[options.passwordEnv];
    if (!value) throw new ConfigError(`--password-env ${options.passwordEnv}: that environment variable is empty or not set`);
    return value;
  }
  if (!process.stdin.isTTY) {
    throw new ConfigError('no password for the new worker keystores: pass --password-env <VAR> naming an environment variable that holds it (or run on a terminal)');
  }
  const first = await promptHidden('Password for the new worker keystores: ');
  const second = await promptHidden('Repeat it: ');
  if (first !== second) throw new ConfigError('the two passwords differ: nothing written');
  if (first.length < 8) throw new ConfigError('use a password of at least 8 characters: nothing written');
  return first;
}

function subgraphSettings(url: string, transport: 'subscription' | 'polling') {
  if (url === 'embedded') return { mode: 'embedded' };
  return { mode: 'remote', http: url, ...(transport === 'subscription' ? { ws: url.replace(/^http/, 'ws') } : {}), transport };
}

/**
 * The database settings init writes, and the target to create now: `--db-url` (PostgreSQL; the seed's
 * `--db-username` sets its user) or `--db-path` (SQLite, the default). A password is never written.
 */
async function initDatabase(options: InitOptions): Promise<{ settings: Record<string, string>; target: DatabaseTarget }> {
  if (options.dbUrl === undefined) {
    if (options.dbUsername !== undefined || options.dbPassword !== undefined) {
      throw new ConfigError('--db-username and --db-password are for a database server: pass --db-url postgres://host:5432/database too');
    }
    const path = resolve(options.dbPath ?? defaultDatabasePath(options.auxChainId));
    return { settings: { path }, target: { client: 'sqlite', path } };
  }
  if (options.dbPath !== undefined) throw new ConfigError('--db-path (SQLite) and --db-url (PostgreSQL) exclude each other: pass one');
  const url = new URL(options.dbUrl);
  if (options.dbUsername !== undefined) url.username = encodeURIComponent(options.dbUsername);
  if (url.password !== '') throw new ConfigError(`--db-url ${redactUrl(options.dbUrl)}: leave the password out of the URL (it would be stored in the config): use MOSAIC_DB_PASSWORD or --db-password`);
  const plain = url.toString();
  let password: string | undefined;
  if (typeof options.dbPassword === 'string') {
    process.stderr.write('warning: --db-password <value> is visible to every user of this machine while init runs; it is used now and not stored (start reads MOSAIC_DB_PASSWORD)\n');
    password = options.dbPassword;
  } else {
    password = await databasePassword(plain, { required: options.dbPassword === true });
  }
  return { settings: { client: 'postgres', url: plain }, target: { client: 'postgres', url: plain, password } };
}

/** Worker keystores and a facilitator-config for one auxiliary chain; checks every endpoint first. */
async function runInit(options: InitOptions): Promise<void> {
  const mosaicPath = resolve(options.mosaicConfig);
  const mosaic = loadMosaicConfig(mosaicPath);
  const pair = auxiliaryChainOf(mosaic, options.auxChainId, `mosaic-config ${mosaicPath}`);
  const output = resolve(options.output ?? defaultFacilitatorConfigPath(options.auxChainId));
  if (existsSync(output) && !options.force) throw new ConfigError(`${output} exists: pass --force to replace it (its worker keys would be lost unless backed up)`);
  const originChainId = mosaic.originChain.chainId;
  await checkRpc(options.originRpc, originChainId, 'origin');
  await checkRpc(options.auxiliaryRpc, options.auxChainId, 'auxiliary');
  await checkGraph(options.originGraph, 'origin');
  await checkGraph(options.auxiliaryGraph, 'auxiliary');
  const database = await initDatabase(options);
  const secret = await password(options);
  // The database `start` will use, created (and migrated) before the config is written: start refuses a
  // missing one, and a database that cannot be reached leaves no config behind.
  await (await openDatabaseTarget(database.target)).destroy();

  // One set of worker addresses serves both chains (the same key signs on each): fewer keys to fund and guard.
  const encryptedAccounts: Record<string, KeystoreV3> = {};
  const workers: string[] = [];
  for (let i = 0; i < options.workers; i++) {
    const { address, keystore } = await createEncryptedAccount(secret);
    encryptedAccounts[address] = keystore;
    workers.push(address);
  }
  const chain = (rpc: string, graph: string) => ({ rpc, subgraph: subgraphSettings(graph, options.graphTransport), workers, confirmations: 6, pollIntervalMs: 1000 });
  const config = {
    version: FACILITATOR_CONFIG_VERSION,
    mosaicConfig: mosaicPath,
    originChainId,
    auxChainId: options.auxChainId,
    database: database.settings,
    chains: {
      [String(originChainId)]: chain(options.originRpc, options.originGraph),
      [String(options.auxChainId)]: chain(options.auxiliaryRpc, options.auxiliaryGraph),
    },
    encryptedAccounts,
    facilitation: { minGasPrice: '0', minGasLimit: '0' },
    status: { host: '127.0.0.1', port: 9465 },
  };
  parseFacilitatorConfig(config, `facilitator-config ${output}`);
  writeSecretFile(output, `${JSON.stringify(config, null, 2)}\n`);
  createAdminToken(adminTokenPath(output));

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`wrote ${output} (mode 0600) with ${workers.length} worker keystore(s); database ${describeTarget(database.target)}`);
  out(`wrote the admin API token to ${adminTokenPath(output)} (mode 0600; \`facilitator admin\` reads it)`);
  if (database.target.client === 'postgres') out(`Export the database password before \`facilitator start\`: export ${DB_PASSWORD_ENV}=<password>`);
  out('');
  out('Export each worker password before `facilitator start` (never store it in a file in clear):');
  for (const worker of workers) out(`  export ${passwordVariableNames(worker)[0]}=<password>`);
  out('');
  out('Fund each worker:');
  for (const worker of workers) out(`  ${worker}: gas on chain ${originChainId} and chain ${options.auxChainId}; OST for bounties on chain ${originChainId}`);
  out(`Whitelist them in the composer's Organization ${pair.contractAddresses.origin.ostComposerOrganizationAddress} (setWorker, by its owner or admin).`);
  out('');
  out(`Then: facilitator start --aux-chain-id ${options.auxChainId}${options.output ? ` --facilitator-config ${output}` : ''}`);
}

function parsePostgresUrl(value: string): string {
  if (isPostgresUrl(value)) return value;
  throw new InvalidArgumentError('expected a PostgreSQL URL, postgres://[user@]host:5432/database.');
}

function parseGraph(value: string): string {
  if (value === 'embedded' || /^https?:\/\/\S+$/.test(value)) return value;
  throw new InvalidArgumentError('expected a subgraph query URL (http(s)://…/subgraphs/name/<name>) or "embedded".');
}

export function initCommand(): Command {
  return new Command('init')
    .description('create worker keys (encrypted keystores) and the facilitator-config for one auxiliary chain')
    .requiredOption('--mosaic-config <path>', 'mosaic-config of the deployment')
    .requiredOption('--aux-chain-id <id>', 'auxiliary chain to facilitate', parseChainId)
    .requiredOption('--origin-rpc <url>', 'origin chain JSON-RPC')
    .requiredOption('--auxiliary-rpc <url>', 'auxiliary chain JSON-RPC')
    .option('--origin-graph <url|embedded>', 'origin subgraph query URL, or "embedded" to index in-process', parseGraph, 'embedded')
    .option('--auxiliary-graph <url|embedded>', 'auxiliary subgraph query URL, or "embedded"', parseGraph, 'embedded')
    .option('--graph-transport <transport>', 'subscription or polling (graph-node ≥ 0.38: polling)', (v) => {
      if (v !== 'subscription' && v !== 'polling') throw new InvalidArgumentError('expected "subscription" or "polling".');
      return v;
    }, 'polling')
    .option('--db-path <path>', 'SQLite file (default ~/.mosaic/<aux-chain-id>/facilitator.sqlite)')
    .option('--db-url <url>', 'PostgreSQL database instead: postgres://host:5432/database (created tables on init; password: MOSAIC_DB_PASSWORD or a prompt)', parsePostgresUrl)
    .option('--db-username <name>', 'the PostgreSQL user (sets the user of --db-url)')
    .option('--db-password [password]', 'ask for the PostgreSQL password now (MOSAIC_DB_PASSWORD or a prompt); a value given here is used, never stored')
    .option('--output <path>', 'where to write the config (default ~/.mosaic/<aux-chain-id>/facilitator-config.json)')
    .option('--workers <n>', 'worker accounts to create', parsePositiveInteger, 1)
    .option('--password-env <VAR>', 'environment variable holding the keystore password (else a prompt on a terminal)')
    .option('--force', 'replace an existing config', false)
    .addHelpText(
      'after',
      `
Examples:
  $ facilitator init --mosaic-config mosaic.json --aux-chain-id 1405 --origin-rpc http://127.0.0.1:8545 --auxiliary-rpc http://127.0.0.1:8546
  $ KEYPASS=… facilitator init --mosaic-config mosaic.json --aux-chain-id 1405 --origin-rpc https://… --auxiliary-rpc https://… \\
      --origin-graph https://graph/subgraphs/name/mosaic-origin-1405 --auxiliary-graph https://graph/subgraphs/name/mosaic-auxiliary-1405 --password-env KEYPASS`,
    )
    .action(async (options: InitOptions) => runInit(options));
}
