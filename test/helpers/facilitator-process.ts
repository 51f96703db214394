import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Devnet } from '../../src/devnet/devnet';
import type { DatabaseTarget } from '../../src/db/database-target';
import { openDatabaseTarget } from '../../src/db/open-database';
import { devnetFacilitatorConfig } from '../../src/devnet/devnet-facilitator-config';
import { packageRoot } from '../../src/util/package-root';
import { spawnCli, waitForExit, waitForOutput } from './cli';

export const WORKER_PASSWORD = 'correct horse battery staple';

export interface FacilitatorHome {
  home: string;
  configPath: string;
  databasePath: string;
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/** A MOSAIC_HOME with the devnet's mosaic.json and a facilitator-config for its workers. */
export async function prepareFacilitatorHome(
  devnet: Devnet,
  options: {
    transport?: Parameters<typeof devnetFacilitatorConfig>[1]['transport'];
    buildCache?: string;
    /** A PostgreSQL database instead of the SQLite file (its password passed as MOSAIC_DB_PASSWORD). */
    database?: Extract<DatabaseTarget, { client: 'postgres' }>;
    /** Changes to the facilitator-config before it is written. */
    configure?: (config: Record<string, unknown>) => void;
  } = {},
): Promise<FacilitatorHome> {
  const home = mkdtempSync(join(tmpdir(), 'mosaic-home-'));
  const mosaicPath = join(home, 'mosaic.json');
  writeFileSync(mosaicPath, JSON.stringify(devnet.mosaicConfig, null, 2));
  const databasePath = join(home, String(devnet.info.auxChainId), 'facilitator.sqlite');
  const config = await devnetFacilitatorConfig(devnet.info, {
    databasePath,
    mosaicConfigPath: mosaicPath,
    password: WORKER_PASSWORD,
    transport: options.transport,
    scryptN: 1024,
  });
  if (options.database) config.database = { client: 'postgres', url: options.database.url };
  options.configure?.(config);
  const configPath = join(home, 'facilitator-config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  // As `facilitator init` does: `start` refuses a database that does not exist.
  await (await openDatabaseTarget(options.database ?? { client: 'sqlite', path: databasePath })).destroy();
  const env: NodeJS.ProcessEnv = {
    MOSAIC_HOME: home,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
    MOSAIC_SUBGRAPH_CACHE: join(packageRoot(), '.tmp', 'subgraph-cache'),
    ...(options.database?.password !== undefined ? { MOSAIC_DB_PASSWORD: options.database.password } : {}),
  };
  for (const worker of devnet.info.accounts.filter((a) => a.role === 'worker')) {
    env[`MOSAIC_ADDRESS_PASSW_${worker.address}`] = WORKER_PASSWORD;
  }
  return { home, configPath, databasePath, env, remove: () => rmSync(home, { recursive: true, force: true }) };
}

export interface RunningFacilitator {
  child: ChildProcessWithoutNullStreams;
  /** Everything the process logged (JSON lines on stderr). */
  logs(): string;
  /** What it printed on stdout (the running line, the status URL). */
  stdout(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `facilitator start` as a child process, resolved once it reports running (or, with `until: 'standing
 * by'`, once it logs that it stands by for another instance's lease).
 */
export async function startFacilitatorProcess(home: FacilitatorHome, extraArgs: string[] = [], options: { until?: 'running' | 'standing by' } = {}): Promise<RunningFacilitator> {
  const child = spawnCli(['start', '--facilitator-config', home.configPath, ...extraArgs], home.env);
  let logs = '';
  child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  if (options.until === 'standing by') {
    const deadline = Date.now() + 120_000;
    while (!/standing by: another facilitator is active/.test(logs)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`never stood by:\n${logs.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } else {
    stdout = await waitForOutput(child, /status API: \S+/, 120_000);
  }
  return {
    child,
    logs: () => logs,
    stdout: () => stdout,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      // Killed by a signal, a child keeps exitCode null: signalCode says it is gone.
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return waitForExit(child, 60_000);
    },
  };
}
