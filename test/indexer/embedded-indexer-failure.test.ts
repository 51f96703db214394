import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { requestStakeOnDevnet } from '../../src/devnet/devnet-stake';
import type { Devnet } from '../../src/devnet/devnet';
import { StoppedUnits } from '../../src/errors/stopped-units';
import { startEmbeddedIndexer, type EmbeddedIndexer } from '../../src/indexer/embedded-indexer';
import { builtSubgraphsFor } from '../../src/indexer/subgraph-build-cache';
import { registerStoppedUnitGauges } from '../../src/status/metrics';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { addressesWithRole, startTestDevnet, SUBGRAPH_BUILD_CACHE } from '../helpers/devnet';
import { rpcEndpointsOf } from '../../src/facilitator/resolve-options';

interface Meta {
  _meta: { block: { number: number }; hasIndexingErrors: boolean };
}

/** `_meta`, or undefined while the subgraph has not indexed a block (graph-node: "has not started syncing yet"). */
async function meta(url: string): Promise<Meta['_meta'] | undefined> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _meta { block { number } hasIndexingErrors } }' }) });
  return ((await response.json()) as { data?: Meta }).data?._meta;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The devnet's subgraphs with the origin build's schema missing StakeRequested.amount: the origin
 * mapping then fails on every StakeRequested, deterministically, as a broken mapping would.
 */
async function cacheWithBrokenOrigin(devnet: Devnet, cacheDir: string): Promise<void> {
  const built = await builtSubgraphsFor(devnet.mosaicConfig, devnet.info.auxChainId, SUBGRAPH_BUILD_CACHE);
  const entry = dirname(dirname(built.origin)); // <cache>/<key>/origin/build
  cpSync(entry, join(cacheDir, basename(entry)), { recursive: true });
  const schemaPath = join(cacheDir, basename(entry), 'origin', 'build', 'schema.graphql');
  const sdl = readFileSync(schemaPath, 'utf8');
  const broken = sdl.replace('type StakeRequested @entity(immutable: true) {\n  id: ID!\n  amount: BigInt!\n', 'type StakeRequested @entity(immutable: true) {\n  id: ID!\n');
  expect(broken).to.not.equal(sdl);
  writeFileSync(schemaPath, broken);
}

describe('embedded indexer: a mapping that fails deterministically stops its subgraph only', function () {
  this.timeout(180_000);
  let devnet: Devnet;
  let db: TestDatabase;
  let indexer: EmbeddedIndexer;
  let cacheDir: string;
  const units = new StoppedUnits();
  const lines: Array<Record<string, unknown>> = [];

  before(async () => {
    mkdirSync(SUBGRAPH_BUILD_CACHE, { recursive: true });
    devnet = await startTestDevnet({ stakers: 1 });
    db = await openTestDatabase();
    cacheDir = mkdtempSync(join(tmpdir(), 'facilitator-broken-subgraph-'));
    await cacheWithBrokenOrigin(devnet, cacheDir);
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    indexer = await startEmbeddedIndexer({
      knex: db.knex,
      mosaic: devnet.mosaicConfig,
      auxChainId: devnet.info.auxChainId,
      chains: {
        origin: { chainId: devnet.info.origin.chainId, rpc: rpcEndpointsOf([devnet.info.origin.rpcUrl]), pollIntervalMs: 50 },
        auxiliary: { chainId: devnet.info.auxiliary.chainId, rpc: rpcEndpointsOf([devnet.info.auxiliary.rpcUrl]), pollIntervalMs: 50 },
      },
      buildCacheDir: cacheDir,
      logger: pino({ level: 'warn' }, destination),
      stoppedUnits: units,
    });
  });
  after(async () => {
    await indexer?.stop();
    await db?.close();
    await devnet?.close();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('answers hasIndexingErrors, logs the failure once with its block, counts it in a metric, and keeps the other subgraph going', async () => {
    const originUrl = indexer.server.url(indexer.subgraphName('origin'));
    const auxUrl = indexer.server.url(indexer.subgraphName('auxiliary'));
    await until(async () => (await meta(originUrl)) !== undefined, 'origin indexing its first block');
    expect((await meta(originUrl))!.hasIndexingErrors).to.equal(false);

    const stake = await requestStakeOnDevnet(devnet, addressesWithRole(devnet, 'staker')[0]);
    await until(async () => (await meta(originUrl))?.hasIndexingErrors === true, 'origin _meta.hasIndexingErrors');

    const origin = (await meta(originUrl))!;
    expect(BigInt(origin.block.number) < BigInt(stake.blockNumber), 'the failing block is not committed').to.equal(true);
    const failures = lines.filter((line) => line.msg === 'subgraph failed: indexing stopped (deterministic error)');
    expect(failures).to.have.length(1);
    expect(failures[0]).to.include({ subgraph: indexer.subgraphName('origin'), block: Number(stake.blockNumber), errorName: 'MappingError' });
    expect(String(failures[0].err)).to.match(/handleStakeRequested failed on log .* unknown field `amount`/);

    const registry = new Registry();
    registerStoppedUnitGauges(registry, units);
    const metrics = await registry.metrics();
    expect(metrics).to.contain(`facilitator_subgraph_failed{subgraph="${indexer.subgraphName('origin')}"} 1`);
    expect(metrics).to.not.contain(`subgraph="${indexer.subgraphName('auxiliary')}"`);

    // The auxiliary subgraph keeps indexing; the origin one stays where it stopped, without retrying.
    await until(async () => (await meta(auxUrl)) !== undefined, 'auxiliary indexing its first block');
    const auxBefore = (await meta(auxUrl))!;
    await until(async () => (await meta(auxUrl))!.block.number > auxBefore.block.number + 3, 'auxiliary blocks indexed');
    expect((await meta(auxUrl))!.hasIndexingErrors).to.equal(false);
    expect((await meta(originUrl))!.block.number).to.equal(origin.block.number);
    expect(lines.filter((line) => line.msg === 'indexing step failed; retrying' && line.follower === 'origin')).to.deep.equal([]);
  });
});
