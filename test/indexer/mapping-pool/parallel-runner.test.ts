import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeEventSignature, encodeParameter, encodeParameters } from 'web3-eth-abi';
import { keccak256 } from 'web3-utils';
import type { MappedBlock } from '../../../src/indexer/follower/follower-ports';
import { MappingPool } from '../../../src/indexer/mapping-pool/mapping-pool';
import { PARALLEL_MIN_LOGS, parallelRunner } from '../../../src/indexer/mapping-pool/parallel-runner';
import { entityColumns, storedFields } from '../../../src/indexer/entity-store/column-codec';
import type { StoreWrites } from '../../../src/indexer/entity-store/write-plan';
import { eventSignature, type AbiEvent } from '../../../src/indexer/wasm/abi-decoder';
import { loadSubgraph, MappingError, type LoadedSubgraph } from '../../../src/indexer/wasm/subgraph-host';
import type { ChainBlock, ChainLog, MappingLogEntry } from '../../../src/indexer/wasm/types';
import { silentLogger } from '../../../src/logging/logger';
import { builtProbeSubgraph, PROBE_ADDRESS } from '../wasm/probe-subgraph';

/**
 * Catch-up chunks mapped on worker threads (the probe subgraph: every value kind, a mutable entity
 * read back with store.get, a handler that logs and aborts) give what the indexing thread gives.
 */

const PROBE_ABI = JSON.parse(readFileSync(join(__dirname, '..', 'wasm', 'fixtures', 'probe', 'abis', 'Probe.json'), 'utf8')) as AbiEvent[];
const eventOf = (name: string): AbiEvent => PROBE_ABI.find((e) => e.name === name) as AbiEvent;
const hashOf = (text: string) => keccak256(`0x${Buffer.from(text).toString('hex')}`);

function log(event: string, topics: string[], data: string, block: ChainBlock, logIndex: number): ChainLog {
  return {
    address: PROBE_ADDRESS,
    topics: [encodeEventSignature(eventSignature(eventOf(event))), ...topics],
    data,
    blockNumber: block.number,
    blockHash: block.hash,
    transactionHash: hashOf(`tx ${block.number} ${logIndex}`),
    transactionIndex: logIndex,
    logIndex,
  };
}

function probed(block: ChainBlock, logIndex: number): ChainLog {
  const n = BigInt(block.number) * 100n + BigInt(logIndex);
  const inputs = eventOf('Probed').inputs.filter((i) => !i.indexed);
  const data = encodeParameters(inputs, [2n ** 200n + n, -n, `0x${n.toString(16).padStart(6, '0')}`, `note ${n}`, n % 2n === 0n, 7n, [hashOf(`h${n}`)], [n, `0x${'ab'.repeat(20)}`]]);
  return log('Probed', [encodeParameter('address', `0x${n.toString(16).padStart(40, '0')}`), hashOf(`tag ${n}`)], data, block, logIndex);
}

const counted = (block: ChainBlock, logIndex: number) => log('Counted', [], encodeParameter('uint256', BigInt(logIndex) + 1n), block, logIndex);
const failed = (block: ChainBlock, logIndex: number) => log('Failed', [], encodeParameter('string', 'boom'), block, logIndex);

/** `count` consecutive blocks from 10 with `perBlock` logs each (Probed, and Counted read back within the block). */
function blocks(count: number, perBlock: number, extra?: (block: ChainBlock, index: number) => ChainLog[]): MappedBlock[] {
  return Array.from({ length: count }, (_, i) => {
    const block = { number: 10n + BigInt(i), hash: hashOf(`block ${i}`), parentHash: hashOf(`block ${i - 1}`), timestamp: 1_700_000_000n + BigInt(i) };
    const logs = Array.from({ length: perBlock }, (_, j) => (j % 2 === 0 ? probed(block, j) : counted(block, j)));
    return { block, logs: [...logs, ...(extra?.(block, i) ?? [])] };
  });
}

/** OS threads of this process (Linux), to see that stopped workers are gone. */
function osThreads(): number | undefined {
  if (!existsSync('/proc/self/status')) return undefined;
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
}

describe('mapping pool: catch-up blocks mapped on worker threads', function () {
  this.timeout(240_000);
  let buildDir: string;
  let local: LoadedSubgraph;
  let pool: MappingPool | undefined;

  before(async () => {
    buildDir = await builtProbeSubgraph();
    local = loadSubgraph(buildDir);
  });
  afterEach(async () => pool?.close());

  /** A runner over its own subgraph, counting the blocks it maps on this thread. */
  const runner = (size: number, logger: (entry: MappingLogEntry) => void = () => undefined, idleMs = 60_000) => {
    const subgraph = loadSubgraph(buildDir, { logger });
    const onThisThread = { blocks: 0 };
    const counting = { ...subgraph, runBlock: (...args: Parameters<LoadedSubgraph['runBlock']>) => (onThisThread.blocks++, subgraph.runBlock(...args)) };
    pool = new MappingPool({ image: subgraph.image, size, idleMs, logger: silentLogger() });
    return { runner: parallelRunner(counting, pool, logger, 256), onThisThread, pool };
  };

  /** Writes in column form (as the store turns them into rows), whichever thread mapped them. */
  const asColumns = (writes: StoreWrites) =>
    new Map([...writes].map(([type, byId]) => [type, new Map([...byId].map(([id, data]) => [id, entityColumns(storedFields(local.schema.entityTypes.get(type)!), data)]))]));
  const expectedWrites = (mapped: MappedBlock[]) => mapped.map(({ block, logs }) => asColumns(local.runBlock(block, logs)));

  it('maps a range of blocks on the workers to the same writes, block for block, as the indexing thread', async () => {
    const range = blocks(40, 10);
    const { runner: parallel, onThisThread, pool: workers } = runner(2);
    await workers.warm();
    expect(workers.threads).to.equal(2);
    const results = [];
    for (const take of parallel.mapBlocks!(range)) results.push(await take());
    expect(onThisThread.blocks, 'some mapped by the workers').to.be.lessThan(range.length);
    expect(results[3].get('Counter')?.get('counter'), 'in column form from a worker').to.be.an('array');
    expect(results.map(asColumns)).to.deep.equal(expectedWrites(range));
  });

  it('maps the last queued parts ahead on the calling thread while a worker maps the first, to the same writes', async () => {
    const range = blocks(80, 10); // parts of ~256 logs: four of them, one worker
    const { runner: parallel, onThisThread, pool: workers } = runner(1);
    await workers.warm();
    const results = [];
    for (const take of parallel.mapBlocks!(range)) results.push(asColumns(await take()));
    expect(onThisThread.blocks, 'mapped ahead here').to.be.greaterThan(0);
    expect(onThisThread.blocks, 'the first part mapped by the worker').to.be.at.most(range.length - 26);
    expect(results).to.deep.equal(expectedWrites(range));
  });

  it('maps on the calling thread, with no worker started, a chunk too small to be worth a thread hop (the realtime case)', () => {
    const { runner: parallel, onThisThread, pool: workers } = runner(2);
    const [single] = blocks(1, 4);
    const takes = parallel.mapBlocks!([single]);
    const writes = takes[0]();
    expect(writes).to.not.be.instanceOf(Promise);
    expect(onThisThread.blocks).to.equal(1);
    expect(workers.threads).to.equal(0);
  });

  it('maps on the calling thread a chunk under PARALLEL_MIN_LOGS by default (a worker would not win its start-up back)', async () => {
    const subgraph = loadSubgraph(buildDir);
    pool = new MappingPool({ image: subgraph.image, size: 2, idleMs: 60_000, logger: silentLogger() });
    const range = blocks(40, 10);
    const takes = parallelRunner(subgraph, pool, () => undefined).mapBlocks!(range);
    expect(range.reduce((sum, mapped) => sum + mapped.logs.length, 0)).to.be.lessThan(PARALLEL_MIN_LOGS);
    for (const take of takes) expect(take()).to.not.be.instanceOf(Promise);
    expect(pool.threads).to.equal(0);
  });

  it('maps on the calling thread the parts no worker has started yet (workers still starting)', async () => {
    const range = blocks(40, 10);
    const { runner: parallel, onThisThread } = runner(1);
    const results = [];
    for (const take of parallel.mapBlocks!(range)) results.push(asColumns(await take()));
    expect(onThisThread.blocks).to.be.greaterThan(0);
    expect(results).to.deep.equal(expectedWrites(range));
  });

  it('throws a failure inside a worker as the same MappingError at the same block, after the blocks before it and the logs it wrote', async () => {
    // Block 3 is in the first part, which a ready worker takes at once (the calling thread maps ahead from the last).
    const range = blocks(40, 10, (block, i) => (i === 3 ? [failed(block, 10)] : []));
    let expected: MappingError | undefined;
    try {
      local.runBlock(range[3].block, range[3].logs);
    } catch (error) {
      expected = error as MappingError;
    }
    const logged: MappingLogEntry[] = [];
    const { runner: parallel, onThisThread, pool: workers } = runner(2, (entry) => logged.push(entry));
    await workers.warm();
    const takes = parallel.mapBlocks!(range);
    for (let i = 0; i < 3; i++) await takes[i]();
    const error = await Promise.resolve()
      .then(() => takes[3]())
      .then(() => expect.fail('block 3 should fail'), (thrown: unknown) => thrown);
    expect(onThisThread.blocks, 'block 3 mapped by a worker').to.be.lessThan(range.length - 3);
    expect(error).to.be.instanceOf(MappingError);
    const fields = (e: MappingError) => [e.name, e.message, e.dataSource, e.handler, e.blockNumber, e.transactionHash, e.logIndex, e.retryable, e.details];
    expect(fields(error as MappingError)).to.deep.equal(fields(expected!));
    expect((error as MappingError).cause).to.include({ name: 'MappingAbortError' });
    expect(logged.filter((entry) => entry.level === 'warning').map((entry) => [entry.message, entry.blockNumber])).to.deep.equal([['about to fail: boom', 13n]]);
    expect(logged.filter((entry) => entry.blockNumber === 12n && entry.level === 'info'), 'the logs of the blocks before, replayed').to.have.length(5);
  });

  it('stops every worker when closed, and idle workers after idleMs: no threads left', async () => {
    const before = osThreads();
    const { runner: parallel, pool: workers } = runner(2, () => undefined, 100);
    await workers.warm();
    expect(workers.threads).to.equal(2);
    if (before !== undefined) expect(osThreads()).to.be.greaterThan(before);
    for (const take of parallel.mapBlocks!(blocks(40, 10))) await take();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(workers.threads, 'stopped when idle').to.equal(0);

    await workers.warm();
    expect(workers.threads).to.equal(2);
    await workers.close();
    expect(workers.threads).to.equal(0);
    if (before !== undefined) expect(osThreads()).to.equal(before);
  });
});
