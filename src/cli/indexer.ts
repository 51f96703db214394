import { Command } from 'commander';
import { resolve } from 'node:path';
import { ChainClient } from '../chain/chain-client';
import { HttpJsonRpc } from '../chain/json-rpc';
import { openDatabase } from '../db/open-database';
import { deploymentHash } from '../indexer/deployment/deployment-hash';
import { EntityStore } from '../indexer/entity-store/entity-store';
import { BlockFollower } from '../indexer/follower/block-follower';
import { MappingPool } from '../indexer/mapping-pool/mapping-pool';
import { parallelRunner } from '../indexer/mapping-pool/parallel-runner';
import { DEFAULTS } from '../facilitator/defaults';
import { startSubgraphServer } from '../indexer/query-server/subgraph-server';
import { loadSubgraph } from '../indexer/wasm/subgraph-host';
import { createLogger, type LogFormat } from '../logging/logger';
import { redactUrl, redactUrlIn } from '../logging/redact-url';
import { logFormatOption, parseChainId, parseNonNegativeInteger, parsePort } from './option-parsers';
import { waitForShutdownSignal } from './signals';

interface IndexerOptions {
  subgraph: string;
  rpc: string;
  port: number;
  host: string;
  db: string;
  name: string;
  confirmations: number;
  pollInterval: number;
  mappingWorkers: number;
  chainId?: number;
  logFormat?: LogFormat;
}

/** One built subgraph, followed and served stand-alone: graph-node's role, in one process. */
async function runIndexer(options: IndexerOptions): Promise<void> {
  const logger = createLogger({ name: 'indexer', format: options.logFormat });
  const subgraph = loadSubgraph(resolve(options.subgraph));
  // graph-node's deployment id: the CID `graph deploy` of this build folder gets (its manifest on IPFS).
  const deployment = deploymentHash(resolve(options.subgraph));
  const rpc = new HttpJsonRpc(options.rpc, 15_000);
  let chainId: number;
  try {
    chainId = Number(await rpc.request<string>('eth_chainId'));
  } catch (error) {
    throw new Error(`RPC ${redactUrl(options.rpc)} does not answer (${redactUrlIn(error instanceof Error ? error.message : String(error), options.rpc)})`);
  }
  if (options.chainId !== undefined && options.chainId !== chainId) {
    throw new Error(`chain id mismatch: ${redactUrl(options.rpc)} is chain ${chainId}, --chain-id says ${options.chainId}`);
  }
  const knex = await openDatabase(resolve(options.db), { durability: 'derived' });
  const store = await EntityStore.open({ knex, namespace: 'sg_standalone', schemaSdl: subgraph.schemaSdl });
  // Catch-up ranges of many logs mapped on worker threads too (blocks map independently: see parallel-runner.ts).
  const pool = options.mappingWorkers > 0 ? new MappingPool({ image: subgraph.image, size: options.mappingWorkers, idleMs: DEFAULTS.chain.indexerWorkerIdleMs, logger }) : undefined;
  const follower = new BlockFollower({
    name: options.name,
    client: new ChainClient(rpc, chainId),
    runner: pool ? parallelRunner(subgraph, pool, () => undefined) : subgraph,
    store,
    confirmations: options.confirmations,
    pollIntervalMs: options.pollInterval,
    logger,
  });
  const server = await startSubgraphServer({
    host: options.host,
    port: options.port,
    subgraphs: [{ name: options.name, deployment, store, startBlock: subgraph.startBlock }],
  });
  follower.start();
  process.stdout.write(`indexing chain ${chainId} from block ${subgraph.startBlock}\n`);
  process.stdout.write(`deployment ${deployment}\nquery: ${server.url(options.name)} (or /subgraphs/id/${deployment})\nsubscriptions: ${server.wsUrl(options.name)}\n`);
  const signal = await waitForShutdownSignal();
  logger.info({ signal }, 'stopping');
  await follower.stop();
  await pool?.close();
  await server.close();
  await knex.destroy();
}

export function indexerCommand(): Command {
  return new Command('indexer')
    .description('run one built subgraph stand-alone: follow a chain, store entities, serve graph-node\'s query API (+ subscriptions)')
    .requiredOption('--subgraph <built-dir>', 'a graph build output folder (subgraph.yaml + WASM), e.g. from `facilitator subgraph build`')
    .requiredOption('--rpc <url>', 'JSON-RPC of the chain')
    .requiredOption('--db <path>', 'SQLite file for the entities')
    .option('--port <n>', 'HTTP/WS port (0 = any free port)', parsePort, 8000)
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--name <name>', 'served at /subgraphs/name/<name>', 'mosaic')
    .option('--chain-id <id>', 'refuse to start unless the RPC is this chain', parseChainId)
    .option('--confirmations <n>', 'index only blocks this deep', parseNonNegativeInteger, 0)
    .option('--poll-interval <ms>', 'new-block polling interval', parseNonNegativeInteger, 1000)
    .option('--mapping-workers <n>', 'worker threads that also map catch-up ranges of 16,384+ logs (0: the main thread only)', parseNonNegativeInteger, DEFAULTS.chain.indexerMappingWorkers)
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ facilitator indexer --subgraph ./subgraph-build/origin/build --rpc http://127.0.0.1:8545 --db ./origin.sqlite --port 8000 --name mosaic-origin-1405',
    )
    .action(async (options: IndexerOptions) => runIndexer(options));
}
