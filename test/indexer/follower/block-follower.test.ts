import { expect } from 'chai';
import { join } from 'node:path';
import { acquireNewHeads } from '../../../src/chain/new-heads';
import { requestStakeOnDevnet } from '../../../src/devnet/devnet-stake';
import type { Devnet } from '../../../src/devnet/devnet';
import { EntityStore } from '../../../src/indexer/entity-store/entity-store';
import { BlockFollower } from '../../../src/indexer/follower/block-follower';
import { builtSubgraphsFor } from '../../../src/indexer/subgraph-build-cache';
import { loadSubgraph } from '../../../src/indexer/wasm/subgraph-host';
import { silentLogger } from '../../../src/logging/logger';
import { packageRoot } from '../../../src/util/package-root';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { addressesWithRole, startTestDevnet } from '../../helpers/devnet';

describe('block follower: the origin subgraph over a real chain, with reorgs and restarts', function () {
  this.timeout(180_000);
  let devnet: Devnet;
  let db: TestDatabase;
  let store: EntityStore;
  let buildDir: string;

  before(async () => {
    // One block per transaction: evm_snapshot/evm_revert then give exact, repeatable chains.
    devnet = await startTestDevnet({ stakers: 7, blockTimeMs: 0 });
    buildDir = (await builtSubgraphsFor(devnet.mosaicConfig, devnet.info.auxChainId, join(packageRoot(), '.tmp', 'subgraph-cache'))).origin;
  });
  after(async () => devnet?.close());
  beforeEach(async () => {
    db = await openTestDatabase();
  });
  afterEach(async () => db.close());

  const follower = async (options: { pollIntervalMs?: number; heads?: boolean } = {}) => {
    const subgraph = loadSubgraph(buildDir);
    store ??= await EntityStore.open({ knex: db.knex, namespace: 'sg_origin', schemaSdl: subgraph.schemaSdl });
    const startBlock = BigInt(devnet.mosaicConfig.auxiliaryChains[String(devnet.info.auxChainId)].startBlocks.origin);
    const heads = options.heads ? () => acquireNewHeads(devnet.origin.client.rpc.url, silentLogger()) : undefined;
    return new BlockFollower({ name: 'origin', client: devnet.origin.client, runner: { ...subgraph, startBlock }, store, maxRange: 50, pollIntervalMs: options.pollIntervalMs, heads, logger: silentLogger() });
  };

  const stake = (index: number) => requestStakeOnDevnet(devnet, addressesWithRole(devnet, 'staker')[index]);

  async function catchUp(f: BlockFollower<unknown>): Promise<void> {
    const head = await devnet.origin.client.blockNumber();
    for (let i = 0; i < 500; i++) {
      await f.step();
      const cursor = await store.cursor();
      if (cursor && cursor.number >= head) return;
    }
    throw new Error('follower did not catch up');
  }

  const stakeRequests = async () => (await store.findMany('StakeRequested', { first: 1000, skip: 0 }, (await store.cursor())!.number)).map((e) => e.stakeRequestHash);

  it('rolls back the entities of orphaned blocks after a reorg and indexes the new branch', async () => {
    store = undefined as unknown as EntityStore;
    const f = await follower();
    const kept = await stake(0);
    await catchUp(f);
    const snapshot = await devnet.origin.client.rpc.request<string>('evm_snapshot', []);
    const orphaned = await stake(1);
    await catchUp(f);
    expect(await stakeRequests()).to.include(orphaned.stakeRequestHash.toLowerCase());

    await devnet.origin.client.rpc.request('evm_revert', [snapshot]);
    // The new branch: a different request, and more blocks than the orphaned branch had.
    const replacement = await stake(2);
    for (let i = 0; i < 3; i++) await devnet.origin.nextBlock();
    await catchUp(f);
    await catchUp(f);

    const hashes = await stakeRequests();
    expect(hashes).to.include(kept.stakeRequestHash.toLowerCase());
    expect(hashes).to.include(replacement.stakeRequestHash.toLowerCase());
    expect(hashes, 'orphaned entity removed').to.not.include(orphaned.stakeRequestHash.toLowerCase());
    const cursor = (await store.cursor())!;
    expect(cursor.hash).to.equal((await devnet.origin.client.getBlock(cursor.number)).hash);
  });

  it('resumes from its cursor after a restart with no duplicates and no gaps', async () => {
    store = undefined as unknown as EntityStore;
    const first = await follower();
    const before = await stake(3);
    await catchUp(first);
    const countBefore = (await stakeRequests()).length;
    // "Kill": drop the follower; a new one (new WASM host, same database) takes over.
    const after = await stake(4);
    const second = await follower();
    await catchUp(second);
    const hashes = await stakeRequests();
    expect(hashes).to.include(before.stakeRequestHash.toLowerCase());
    expect(hashes).to.include(after.stakeRequestHash.toLowerCase());
    expect(hashes.length).to.equal(countBefore + 1);
    expect(new Set(hashes).size).to.equal(hashes.length);
  });

  it('without newHeads, a mined block\'s entities are queryable within one poll interval', async () => {
    store = undefined as unknown as EntityStore;
    const pollIntervalMs = 1_500;
    const f = await follower({ pollIntervalMs });
    f.start();
    try {
      const deadline = Date.now() + 10_000;
      while (((await store.cursor())?.number ?? -1n) < (await devnet.origin.client.blockNumber()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const requested = await stake(5);
      const mined = Date.now();
      while (!(await stakeRequests()).includes(requested.stakeRequestHash.toLowerCase())) {
        // One poll interval, plus the step itself (a few RPC calls and one commit) on a loaded machine.
        expect(Date.now() - mined, 'indexed at the next poll').to.be.lessThan(pollIntervalMs + 1_000);
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await f.stop();
    }
  });

  it('with newHeads, indexes a new block as soon as it is announced, not at the next poll', async () => {
    store = undefined as unknown as EntityStore;
    const f = await follower({ pollIntervalMs: 30_000, heads: true });
    f.start();
    try {
      const deadline = Date.now() + 10_000;
      while (((await store.cursor())?.number ?? -1n) < (await devnet.origin.client.blockNumber()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      const requested = await stake(6);
      while (!(await stakeRequests()).includes(requested.stakeRequestHash.toLowerCase())) {
        // Polling alone would look again after 30 s.
        expect(Date.now() - started, 'indexed after the announcement').to.be.lessThan(5_000);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await f.stop();
    }
  });
});
