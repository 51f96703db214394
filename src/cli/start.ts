import { Command } from 'commander';
import { describeTarget } from '../db/database-target';
import { databaseIsInitialised } from '../db/open-database';
import { verifyDeployment } from '../mosaic/verify-deployment';
import { startRuntime, StoppedWhileStandingByError, type Runtime } from '../facilitator/runtime';
import { bindStatusServer } from '../status/status-server';
import { createLogger, type LogFormat } from '../logging/logger';
import { logFormatOption, parseChainId, parseChainIdList, parseNonNegativeInteger, parsePort } from './option-parsers';
import { databaseTargetOf } from './passwords';
import { runStartChains } from './start-chains';
import { checkChainIds, configuredChainClient, loadAdminToken, resolveConfigs, unlockWorkers, type ConfigOptions } from './resolve-configs';
import { removeRunFile, writeRunFile } from './run-files';
import { waitForShutdownSignal } from './signals';

interface StartOptions extends ConfigOptions {
  chains?: number[];
  statusHost?: string;
  statusPort?: number;
  shutdownTimeout: number;
  createDatabase: boolean;
  logFormat?: LogFormat;
}

/**
 * Checks everything it can before writing anything: configs, the database exists (a typo in
 * database.path must not start a fresh database that would accept stake requests already taken),
 * the status API address (bound now, served once running), the RPCs, the contracts on chain, the
 * worker keys.
 */
export async function runStart(options: StartOptions): Promise<void> {
  const logger = createLogger({ format: options.logFormat });
  const { config, configPath, mosaic, mosaicPath } = resolveConfigs(options);
  const database = await databaseTargetOf(config.database);
  if (!options.createDatabase && !(await databaseIsInitialised(database))) {
    const setting = database.client === 'sqlite' ? 'database.path' : 'database.url';
    throw new Error(
      `no database at ${describeTarget(database)} (${setting} in ${configPath}): run \`facilitator init\`, fix the ${setting.split('.')[1]}, or pass --create-database to start with an empty one`,
    );
  }
  const status = await bindStatusServer({
    host: options.statusHost ?? config.status?.host ?? '127.0.0.1',
    port: options.statusPort ?? config.status?.port ?? 0,
    settingNames: {
      host: options.statusHost === undefined && config.status?.host !== undefined ? `status.host in ${configPath}` : '--status-host',
      port: options.statusPort === undefined && config.status?.port !== undefined ? `status.port in ${configPath}` : '--status-port',
    },
  });
  // Signals are taken from here on: one that comes while standing by for the lease stops the wait.
  const standby = new AbortController();
  const shutdown = waitForShutdownSignal().then((signal) => {
    standby.abort();
    return signal;
  });
  let runtime: Runtime;
  try {
    await checkChainIds(config);
    const client = (chainId: number) => configuredChainClient(config, chainId);
    await verifyDeployment(mosaic, config.auxChainId, { origin: client(config.originChainId), auxiliary: client(config.auxChainId) }, `mosaic-config ${mosaicPath}`);
    const signers = await unlockWorkers(config);
    const adminToken = loadAdminToken(configPath, logger);
    logger.info({ facilitatorConfig: configPath, mosaicConfig: mosaicPath, auxChainId: config.auxChainId }, 'starting');
    const run = { pid: process.pid, auxChainId: config.auxChainId, originChainId: config.originChainId, facilitatorConfig: configPath, startedAt: new Date().toISOString() };
    const onStandby = (statusUrl: string | undefined) => writeRunFile({ ...run, statusUrl, role: 'standby' });
    runtime = await startRuntime({ mosaic, config, database, signers, logger, boundStatus: status, standby: standby.signal, onStandby, adminToken });
  } catch (error) {
    await status.close();
    removeRunFile(config.auxChainId, process.pid);
    if (error instanceof StoppedWhileStandingByError) {
      logger.info('stopped while standing by');
      return;
    }
    throw error;
  }
  writeRunFile({
    pid: process.pid,
    auxChainId: config.auxChainId,
    originChainId: config.originChainId,
    facilitatorConfig: configPath,
    statusUrl: runtime.status?.url,
    startedAt: new Date().toISOString(),
  });
  process.stdout.write(`facilitator running for auxiliary chain ${config.auxChainId} (pid ${process.pid})\n`);
  if (runtime.status) process.stdout.write(`status API: ${runtime.status.url}  metrics: ${runtime.status.url.replace(/\/graphql$/, '/metrics')}\n`);

  const ended = await Promise.race([shutdown.then((signal) => ({ signal })), runtime.lost.then((lost) => ({ lost }))]);
  if ('lost' in ended) {
    // Deposed: the engines are fenced already; stop the rest and say why, non-zero.
    logger.error({ reason: ended.lost }, 'lease lost');
    await runtime.stop();
    removeRunFile(config.auxChainId, process.pid);
    throw new Error(ended.lost);
  }
  const { signal } = ended;
  logger.info({ signal }, 'shutting down: no new work, waiting for sends under way');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.shutdownTimeout).unref());
  const outcome = await Promise.race([runtime.stop().then(() => 'stopped' as const), timeout]);
  removeRunFile(config.auxChainId, process.pid);
  if (outcome === 'timeout') {
    logger.warn({ timeoutMs: options.shutdownTimeout }, 'shutdown timed out; exiting with work in flight (it resumes at the next start)');
  }
  logger.info('stopped');
}

export function startCommand(): Command {
  return new Command('start')
    .description('run the facilitator: follow both chains, accept stake requests, and progress stake & mint to completion')
    .option('--mosaic-config <path>', 'mosaic-config (default: the facilitator-config\'s mosaicConfig, else ~/.mosaic/<aux-chain-id>/mosaic.json)')
    .option('--facilitator-config <path>', 'facilitator-config (default: ~/.mosaic/<aux-chain-id>/facilitator-config.json)')
    .option('--aux-chain-id <id>', 'auxiliary chain to facilitate', parseChainId)
    .option(
      '--chains <ids>',
      'several auxiliary chains of one origin chain in this process, e.g. 1405,1406 (their configs name one database; --facilitator-config then takes one file per chain, comma-separated)',
      parseChainIdList,
    )
    .option('--status-host <host>', 'status API address (default 127.0.0.1)')
    .option('--status-port <port>', 'status API port (0 = any free port)', parsePort)
    .option('--create-database', 'create the database when database.path does not exist (else start refuses: `facilitator init` creates it)', false)
    .option('--shutdown-timeout <ms>', 'on SIGTERM/SIGINT, wait this long for sends under way', parseNonNegativeInteger, 30_000)
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      `
Worker passwords: MOSAIC_ADDRESS_PASSW_<address> for each worker, or a prompt on a terminal.
Examples:
  $ facilitator start --aux-chain-id 1405
  $ facilitator start --aux-chain-id 1405 --log-format json 2>>facilitator.log
  $ facilitator start --chains 1405,1406     # ~/.mosaic/1405/ and ~/.mosaic/1406/facilitator-config.json, one database
  $ MOSAIC_ADDRESS_PASSW_0xabc…=secret facilitator start --facilitator-config ./facilitator-config.json --status-port 9465`,
    )
    .action(async (options: StartOptions) => {
      if (options.chains === undefined) return runStart(options);
      if (options.auxChainId !== undefined) throw new Error('--aux-chain-id and --chains exclude each other: list every auxiliary chain in --chains');
      return runStartChains({ ...options, chains: options.chains });
    });
}
