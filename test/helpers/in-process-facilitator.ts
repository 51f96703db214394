import type { DatabaseTarget } from '../../src/db/database-target';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LocalSigner } from '../../src/chain/local-signer';
import { parseFacilitatorConfig } from '../../src/config/facilitator-config';
import type { Devnet } from '../../src/devnet/devnet';
import { devnetFacilitatorConfig } from '../../src/devnet/devnet-facilitator-config';
import { startRuntime, type Runtime } from '../../src/facilitator/runtime';
import { createLogger } from '../../src/logging/logger';
import { SUBGRAPH_BUILD_CACHE } from './devnet';

export interface InProcessFacilitatorOptions {
  /** `confirmations` of both chains: the embedded indexer and the transaction engine wait for this many blocks. */
  confirmations: number;
  pollIntervalMs?: number;
  stuckAfterMs?: number;
  reconcileIntervalMs?: number;
  /** Serve the status API (and /metrics) on a free loopback port. */
  status?: boolean;
  /** A PostgreSQL database (on the tests' server) instead of a SQLite file. */
  database?: Extract<DatabaseTarget, { client: 'postgres' }>;
  /** Merged into the config's `facilitation` section (e.g. profitability). */
  facilitation?: Record<string, unknown>;
}

export interface InProcessFacilitator {
  runtime: Runtime;
  /** The embedded indexer's GraphQL URL for one side. */
  subgraphUrl(side: 'origin' | 'auxiliary'): string;
  /** Every JSON log line so far. */
  logs(): string;
  /** Log lines (parsed) whose `msg` matches. */
  logLines(msg: RegExp): Array<Record<string, unknown>>;
  /** Stops the runtime (idempotent) and removes its folder. */
  stop(): Promise<void>;
}

/**
 * The runtime `facilitator start` runs (embedded indexers, streams, engines), in this process on a
 * devnet, from a config parsed like the CLI's, so a test can read its database and logs directly.
 */
export async function startInProcessFacilitator(devnet: Devnet, options: InProcessFacilitatorOptions): Promise<InProcessFacilitator> {
  const dir = mkdtempSync(join(tmpdir(), 'facilitator-inproc-'));
  const plain = await devnetFacilitatorConfig(devnet.info, {
    databasePath: join(dir, 'facilitator.sqlite'),
    mosaicConfigPath: join(dir, 'mosaic.json'),
    password: 'unused',
    pollIntervalMs: options.pollIntervalMs ?? 50,
    scryptN: 1024,
  });
  const chains = plain.chains as Record<string, Record<string, unknown>>;
  for (const chain of Object.values(chains)) {
    chain.confirmations = options.confirmations;
    if (options.stuckAfterMs !== undefined) chain.stuckAfterMs = options.stuckAfterMs;
  }
  plain.embeddedIndexer = { host: '127.0.0.1', port: 0 };
  if (options.database) plain.database = { client: 'postgres', url: options.database.url };
  if (options.facilitation) plain.facilitation = { ...(plain.facilitation as Record<string, unknown> | undefined), ...options.facilitation };
  const config = parseFacilitatorConfig(plain, 'in-process facilitator', { baseDir: dir });

  let logs = '';
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      logs += chunk.toString();
      callback();
    },
  });
  const logger = createLogger({ destination, level: 'debug' });
  const workers = devnet.info.accounts.filter((a) => a.role === 'worker').map((a) => new LocalSigner(a.privateKey));
  const previousCache = process.env.MOSAIC_SUBGRAPH_CACHE;
  process.env.MOSAIC_SUBGRAPH_CACHE = SUBGRAPH_BUILD_CACHE;
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      mosaic: devnet.mosaicConfig,
      config,
      signers: { origin: workers, auxiliary: workers },
      logger,
      status: options.status ? { host: '127.0.0.1', port: 0 } : false,
      database: options.database,
      reconcileIntervalMs: options.reconcileIntervalMs ?? 1_000,
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    if (previousCache === undefined) delete process.env.MOSAIC_SUBGRAPH_CACHE;
    else process.env.MOSAIC_SUBGRAPH_CACHE = previousCache;
  }
  let stopped: Promise<void> | undefined;
  return {
    runtime,
    subgraphUrl: (side) => runtime.indexer!.server.url(runtime.indexer!.subgraphName(side)),
    logs: () => logs,
    logLines: (msg) =>
      logs
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => msg.test(String(line.msg))),
    stop: () => {
      stopped ??= runtime.stop().finally(() => rmSync(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
}
