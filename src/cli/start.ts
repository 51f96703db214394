import { Command } from 'commander';
import { startRuntime } from '../facilitator/runtime';
import { createLogger } from '../logging/logger';
import { parseChainId, parseNonNegativeInteger, parsePort } from './option-parsers';
import { checkChainIds, resolveConfigs, unlockWorkers, type ConfigOptions } from './resolve-configs';
import { removeRunFile, writeRunFile } from './run-files';
import { waitForShutdownSignal } from './signals';

interface StartOptions extends ConfigOptions {
  statusHost?: string;
  statusPort?: number;
  shutdownTimeout: number;
}

export async function runStart(options: StartOptions): Promise<void> {
  const logger = createLogger();
  const { config, configPath, mosaic, mosaicPath } = resolveConfigs(options);
  await checkChainIds(config);
  const signers = await unlockWorkers(config);
  logger.info({ facilitatorConfig: configPath, mosaicConfig: mosaicPath, auxChainId: config.auxChainId }, 'starting');
  const runtime = await startRuntime({
    mosaic,
    config,
    signers,
    logger,
    status: { host: options.statusHost, port: options.statusPort },
  });
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

  const signal = await waitForShutdownSignal();
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
    .option('--status-host <host>', 'status API address (default 127.0.0.1)')
    .option('--status-port <port>', 'status API port (0 = any free port)', parsePort)
    .option('--shutdown-timeout <ms>', 'on SIGTERM/SIGINT, wait this long for sends under way', parseNonNegativeInteger, 30_000)
    .addHelpText(
      'after',
      `
Worker passwords: MOSAIC_ADDRESS_PASSW_<address> for each worker, or a prompt on a terminal.
Examples:
  $ facilitator start --aux-chain-id 1405
  $ MOSAIC_ADDRESS_PASSW_0xabc…=secret facilitator start --facilitator-config ./facilitator-config.json --status-port 9465`,
    )
    .action(async (options: StartOptions) => runStart(options));
}
