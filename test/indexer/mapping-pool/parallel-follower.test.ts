import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeEventSignature, encodeParameter } from 'web3-eth-abi';
import { keccak256 } from 'web3-utils';
import type { ChainClient, RpcBlock, RpcLog } from '../../../src/chain/chain-client';
import { StoppedUnits } from '../../../src/errors/stopped-units';
import { EntityStore } from '../../../src/indexer/entity-store/entity-store';
import { BlockFollower } from '../../../src/indexer/follower/block-follower';
import { MappingPool } from '../../../src/indexer/mapping-pool/mapping-pool';
import { parallelRunner } from '../../../src/indexer/mapping-pool/parallel-runner';
import { eventSignature, type AbiEvent } from '../../../src/indexer/wasm/abi-decoder';
import { loadSubgraph } from '../../../src/indexer/wasm/subgraph-host';
import { silentLogger } from '../../../src/logging/logger';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { builtProbeSubgraph, PROBE_ADDRESS, PROBE_START_BLOCK } from '../wasm/probe-subgraph';

/**
 * The follower over a chain of Counted logs (a mutable entity updated in most blocks) and, optionally,
 * a failing one: mapped on a worker thread, the store ends the same as mapped on the indexing thread.
 */

const PROBE_ABI = JSON.parse(readFileSync(join(__dirname, '..', 'wasm', 'fixtures', 'probe', 'abis', 'Probe.json'), 'utf8')) as AbiEvent[];
const topicOf = (name: string) => encodeEventSignature(eventSignature(PROBE_ABI.find((e) => e.name === name) as AbiEvent));
const hex = (n: bigint) => `0x${n.toString(16)}`;
const hashOf = (text: string) => keccak256(`0x${Buffer.from(text).toString('hex')}`);

/** Blocks 0..`head` (logs from the probe's start block), `perBlock` Counted logs each; `failAt`: a Failed log there. */
function fakeChain(head: bigint, perBlock: number, failAt?: bigint): ChainClient {
  const blockOf = (n: bigint): RpcBlock => ({ number: hex(n), hash: hashOf(`b${n}`), parentHash: hashOf(`b${n - 1n}`), stateRoot: hashOf('s'), timestamp: hex(1_700_000_000n + n), gasLimit: '0x0', transactions: [] });
  const logsOf = (n: bigint): RpcLog[] => {
    if (n < PROBE_START_BLOCK) return [];
    const counted = Array.from({ length: perBlock }, (_, i) => ({ topics: [topicOf('Counted')], data: encodeParameter('uint256', n + BigInt(i)) }));
    const all = n === failAt ? [...counted, { topics: [topicOf('Failed')], data: encodeParameter('string', 'boom') }] : counted;
    return all.map((log, i) => ({ ...log, address: PROBE_ADDRESS, blockNumber: hex(n), blockHash: hashOf(`b${n}`), transactionHash: hashOf(`t${n}-${i}`), transactionIndex: hex(BigInt(i)), logIndex: hex(BigInt(i)) }));
  };
  const client = {
    blockNumber: async () => head,
    getBlock: async (n: bigint) => blockOf(n),
    getBlocks: async (numbers: readonly bigint[]) => numbers.map(blockOf),
    getLogs: async ({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) => {
      const logs: RpcLog[] = [];
      for (let n = fromBlock; n <= toBlock; n++) logs.push(...logsOf(n));
      return logs;
    },
  };
  return client as unknown as ChainClient;
}

describe('block follower with mapping workers: the store ends as with the indexing thread alone', function () {
  this.timeout(240_000);
  let db: TestDatabase;
  let buildDir: string;
  const pools: MappingPool[] = [];

  before(async () => {
    buildDir = await builtProbeSubgraph();
  });
  beforeEach(async () => {
    db = await openTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
    await db.close();
  });

  /** Steps a follower until it stops progressing; its store's rows (all tables but vid), cursor and failure. */
  async function indexWith(namespace: string, client: ChainClient, workers: number) {
    const subgraph = loadSubgraph(buildDir);
    let onThisThread = 0;
    const store = await EntityStore.open({ knex: db.knex, namespace, schemaSdl: subgraph.schemaSdl });
    let runner = { ...subgraph, startBlock: PROBE_START_BLOCK } as typeof subgraph | ReturnType<typeof parallelRunner>;
    if (workers > 0) {
      const pool = new MappingPool({ image: subgraph.image, size: workers, idleMs: 60_000, logger: silentLogger() });
      pools.push(pool);
      await pool.warm();
      const counting = { ...subgraph, runBlock: (...args: Parameters<typeof subgraph.runBlock>) => (onThisThread++, subgraph.runBlock(...args)) };
      runner = { ...parallelRunner(counting, pool, () => undefined, 64), startBlock: PROBE_START_BLOCK };
    }
    const units = new StoppedUnits();
    const follower = new BlockFollower({ name: namespace, client, runner, store, maxRange: 200, logger: silentLogger(), stoppedUnits: units, pollIntervalMs: 10 });
    follower.start();
    const deadline = Date.now() + 60_000;
    while (!follower.failure && ((await store.cursor())?.number ?? -1n) < (await client.blockNumber()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await follower.stop();
    const rows: Record<string, unknown[]> = {};
    for (const type of ['Counter', 'Probe']) {
      rows[type] = (await db.knex(store.tableOf(type)).select().orderBy(['id', 'block_from'])).map(({ vid: _vid, ...row }: Record<string, unknown>) => row);
    }
    const failure = follower.failure && { errorName: follower.failure.errorName, reason: follower.failure.reason, details: follower.failure.details };
    return { rows, cursor: await store.cursor(), failure, mappedElsewhere: workers > 0 && onThisThread < rows.Counter.length };
  }

  it('commits the same versions and cursor for a multi-block range', async () => {
    const client = fakeChain(60n, 8);
    const alone = await indexWith('sg_alone', client, 0);
    const withWorker = await indexWith('sg_worker', client, 1);
    expect(alone.rows.Counter.length, 'one Counter version per block').to.equal(56);
    expect(withWorker).to.deep.equal({ ...alone, mappedElsewhere: true });
  });

  it('stops at the same block with the same failure (hasIndexingErrors) when a mapping fails on a worker', async () => {
    const client = fakeChain(60n, 8, 40n);
    const alone = await indexWith('sg_alone', client, 0);
    const withWorker = await indexWith('sg_worker', client, 1);
    expect(alone.failure?.errorName).to.equal('MappingError');
    expect(alone.cursor?.number).to.equal(39n);
    expect(withWorker).to.deep.equal({ ...alone, mappedElsewhere: true });
  });
});
