import { resolve } from 'node:path';
import type { LocalSigner } from '../chain/local-signer';
import { ConfigError } from '../config/validation';
import { describeTarget } from '../db/database-target';
import { databaseIsInitialised } from '../db/open-database';
import { startPairsRuntime, type PairSetup, type PairsRuntime } from '../facilitator/pairs-runtime';
import { createLogger, type LogFormat } from '../logging/logger';
import { verifyDeployment } from '../mosaic/verify-deployment';
import { bindStatusServer } from '../status/status-server';
import { checkChainIds, configuredChainClient, loadAdminToken, resolveConfigs, unlockWorkers, type ResolvedConfigs } from './resolve-configs';
import { removeRunFile, writeRunFile } from './run-files';
import { waitForShutdownSignal } from './signals';
import { databaseTargetOf } from './passwords';

export interface StartChainsOptions {
  chains: number[];
  mosaicConfig?: string;
  /** Comma-separated, one per chain in the order of `chains` (default: each chain's ~/.mosaic/<id>/facilitator-config.json). */
  facilitatorConfig?: string;
  statusHost?: string;
  statusPort?: number;
  shutdownTimeout: number;
  createDatabase: boolean;
  logFormat?: LogFormat;
}

/** Each chain's configs; a config list that does not match the chains is one line. */
function resolvePairs(options: StartChainsOptions): ResolvedConfigs[] {
  const paths = options.facilitatorConfig?.split(',');
  if (paths && paths.length !== options.chains.length) {
    throw new ConfigError(
      `--facilitator-config names ${paths.length} file(s) for ${options.chains.length} chains: give one per chain of --chains, in the same order, separated by commas`,
    );
  }
  return options.chains.map((auxChainId, index) =>
    resolveConfigs({ auxChainId, mosaicConfig: options.mosaicConfig, facilitatorConfig: paths?.[index] }),
  );
}

/**
 * What one process needs of several pairs' configs: one origin chain, one database (it holds the origin
 * workers' nonces: two databases would keep two nonce sequences of one worker), and pairs that do not
 * share a contract (their records would be mixed up in that database).
 */
export function checkPairsAgree(pairs: ResolvedConfigs[]): void {
  const [first] = pairs;
  const database = databaseOf(first);
  for (const pair of pairs.slice(1)) {
    if (pair.config.originChainId !== first.config.originChainId) {
      throw new ConfigError(
        `${pair.configPath} has origin chain ${pair.config.originChainId}, ${first.configPath} has ${first.config.originChainId}: one process facilitates the pairs of one origin chain`,
      );
    }
    if (databaseOf(pair) !== database) {
      throw new ConfigError(
        `the database of ${pair.configPath} differs from that of ${first.configPath}: the chains of one process share one database (it holds the origin workers' nonces); name the same file or URL in every config`,
      );
    }
  }
  checkPairsApart(pairs);
}

/**
 * The contracts that key a pair's records in the database: no two pairs may share one. Gateways and
 * anchors are keyed by address alone, whichever chain they are on (one deployer key on two chains
 * yields the same addresses), so they are compared across sides too.
 */
function checkPairsApart(pairs: ResolvedConfigs[]): void {
  const seen = new Map<string, { pair: number; name: string }>();
  for (const pair of pairs) {
    const id = pair.config.auxChainId;
    const { origin, auxiliary } = pair.mosaic.auxiliaryChains[String(id)].contractAddresses;
    const keyed: Array<[kind: string, key: string, address: string]> = [
      ['gateway', 'origin.ostEIP20GatewayAddress', origin.ostEIP20GatewayAddress],
      ['gateway', 'auxiliary.ostEIP20CogatewayAddress', auxiliary.ostEIP20CogatewayAddress],
      ['anchor', 'origin.anchorAddress', origin.anchorAddress],
      ['anchor', 'auxiliary.anchorAddress', auxiliary.anchorAddress],
      ['composer', 'origin.ostComposerAddress', origin.ostComposerAddress],
      ['redeemPool', 'auxiliary.redeemPoolAddress', auxiliary.redeemPoolAddress],
    ];
    for (const [kind, key, address] of keyed) {
      const name = `auxiliaryChains.${id}.contractAddresses.${key}`;
      const other = seen.get(`${kind}:${address.toLowerCase()}`);
      if (other && other.pair !== id) throw new ConfigError(`${name} ${address} is also ${other.name}: one database cannot tell the two pairs' records apart`);
      seen.set(`${kind}:${address.toLowerCase()}`, { pair: id, name });
    }
  }
}

/** Chain ids, deployments and worker keys of every pair, checked before anything is written. */
async function preparePairs(resolved: ResolvedConfigs[]): Promise<PairSetup[]> {
  const unlocked = new Map<string, LocalSigner>();
  const pairs: PairSetup[] = [];
  for (const { config, mosaic, mosaicPath } of resolved) {
    await checkChainIds(config);
    const client = (chainId: number) => configuredChainClient(config, chainId);
    await verifyDeployment(mosaic, config.auxChainId, { origin: client(config.originChainId), auxiliary: client(config.auxChainId) }, `mosaic-config ${mosaicPath}`);
    pairs.push({ config, mosaic, signers: await unlockWorkers(config, unlocked) });
  }
  return pairs;
}

/** A config's database, comparable across configs (the SQLite path resolved, or the PostgreSQL URL). */
function databaseOf(pair: ResolvedConfigs): string {
  const { database } = pair.config;
  return database.client === 'postgres' ? `postgres:${database.url}` : `sqlite:${resolve(database.path!)}`;
}

/** `facilitator start --chains a,b`: every listed pair of one origin chain in this process. */
export async function runStartChains(options: StartChainsOptions): Promise<void> {
  const logger = createLogger({ format: options.logFormat });
  const resolved = resolvePairs(options);
  checkPairsAgree(resolved);
  const [first] = resolved;
  const database = await databaseTargetOf(first.config.database);
  if (!options.createDatabase && !(await databaseIsInitialised(database))) {
    throw new Error(
      `no database at ${describeTarget(database)} (database in ${first.configPath}): run \`facilitator init\`, fix the config, or pass --create-database to start with an empty one`,
    );
  }
  const status = await bindStatusServer({
    host: options.statusHost ?? first.config.status?.host ?? '127.0.0.1',
    port: options.statusPort ?? first.config.status?.port ?? 0,
  });
  let runtime: PairsRuntime;
  try {
    const pairs = await preparePairs(resolved);
    const adminToken = loadAdminToken(first.configPath, logger);
    logger.info({ facilitatorConfigs: resolved.map((r) => r.configPath), auxChainIds: options.chains }, 'starting');
    runtime = await startPairsRuntime({ pairs, database, logger, boundStatus: status, adminToken });
  } catch (error) {
    await status.close();
    throw error;
  }
  await runUntilSignal(options, resolved, runtime, logger);
}

async function runUntilSignal(options: StartChainsOptions, resolved: ResolvedConfigs[], runtime: PairsRuntime, logger: ReturnType<typeof createLogger>): Promise<void> {
  for (const { config, configPath } of resolved) {
    writeRunFile({
      pid: process.pid,
      auxChainId: config.auxChainId,
      originChainId: config.originChainId,
      facilitatorConfig: configPath,
      statusUrl: runtime.status.url,
      startedAt: new Date().toISOString(),
    });
  }
  process.stdout.write(`facilitator running for auxiliary chains ${options.chains.join(', ')} (pid ${process.pid})\n`);
  process.stdout.write(`status API: ${runtime.status.url}  metrics: ${runtime.status.url.replace(/\/graphql$/, '/metrics')}\n`);
  const signal = await waitForShutdownSignal();
  logger.info({ signal }, 'shutting down: no new work, waiting for sends under way');
  const timeout = new Promise<'timeout'>((resolveTimeout) => setTimeout(() => resolveTimeout('timeout'), options.shutdownTimeout).unref());
  const outcome = await Promise.race([runtime.stop().then(() => 'stopped' as const), timeout]);
  for (const id of options.chains) removeRunFile(id, process.pid);
  if (outcome === 'timeout') {
    logger.warn({ timeoutMs: options.shutdownTimeout }, 'shutdown timed out; exiting with work in flight (it resumes at the next start)');
  }
  logger.info('stopped');
}
