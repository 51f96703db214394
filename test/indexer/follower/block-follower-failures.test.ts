import { expect } from 'chai';
import { ChainClient, type RpcBlock } from '../../../src/chain/chain-client';
import type { JsonRpc } from '../../../src/chain/json-rpc';
import { RangeTooLargeError, RpcTransportError } from '../../../src/chain/node-errors';
import { StoppedUnits } from '../../../src/errors/stopped-units';
import { BlockFollower, rangeChunks } from '../../../src/indexer/follower/block-follower';
import type { BlockStore, FollowedBlock, FollowedLog, MappingRunner } from '../../../src/indexer/follower/follower-ports';
import { MappingError } from '../../../src/indexer/wasm/subgraph-host';
import { silentLogger } from '../../../src/logging/logger';

const hash = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`;
const ADDRESS = '0x00000000000000000000000000000000000000b0';

/** A chain of `head` blocks with one log in each of `logBlocks`, served the way a node answers; `fail` may refuse a call first. */
class ScriptedNode implements JsonRpc {
  readonly url = 'http://scripted.invalid';
  calls: string[] = [];
  headers: bigint[] = [];
  fail: (method: string, params: unknown[]) => Error | undefined = () => undefined;

  constructor(
    private readonly head: bigint,
    private readonly logBlocks = [3n],
    private readonly logsPerBlock = 1,
  ) {}

  async request<T>(method: string, params: unknown[] = []): Promise<T> {
    this.calls.push(method);
    if (method === 'eth_getBlockByNumber') this.headers.push(BigInt(params[0] as string));
    const failure = this.fail(method, params);
    if (failure) throw failure;
    if (method === 'eth_blockNumber') return `0x${this.head.toString(16)}` as T;
    if (method === 'eth_getBlockByNumber') return this.block(BigInt(params[0] as string)) as T;
    if (method === 'eth_getLogs') {
      const { fromBlock, toBlock } = params[0] as { fromBlock: string; toBlock: string };
      const blocks = this.logBlocks.filter((n) => BigInt(fromBlock) <= n && BigInt(toBlock) >= n);
      return blocks.flatMap((n) => Array.from({ length: this.logsPerBlock }, (_, i) => this.log(n, i))) as T;
    }
    throw new Error(`unexpected ${method}`);
  }

  private block(n: bigint): RpcBlock {
    return { number: `0x${n.toString(16)}`, hash: hash(n), parentHash: hash(n - 1n), stateRoot: hash(0n), timestamp: '0x1', gasLimit: '0x1', transactions: [] };
  }

  private log(n: bigint, index = 0) {
    return { address: ADDRESS, topics: [hash(99n)], data: '0x', blockNumber: `0x${n.toString(16)}`, blockHash: hash(n), transactionHash: hash(1000n + n), transactionIndex: '0x0', logIndex: `0x${index.toString(16)}` };
  }
}

/** Blocks committed in memory; `commits` counts the transactions. */
class MemoryStore implements BlockStore<string> {
  committed: Array<{ number: bigint; writes: string | undefined }> = [];
  commits = 0;
  async cursor() {
    const last = this.committed[this.committed.length - 1];
    return last ? { number: last.number, hash: hash(last.number) } : undefined;
  }
  async recentBlocks() {
    return [...this.committed].reverse().map((c) => ({ number: c.number, hash: hash(c.number) }));
  }
  async commitBlocks(blocks: ReadonlyArray<{ block: FollowedBlock; writes: string | undefined }>) {
    this.commits += 1;
    for (const { block, writes } of blocks) this.committed.push({ number: block.number, writes });
  }
  async rollbackTo() {}
  async pruneBlocks() {}
}

function runner(run: (block: FollowedBlock, logs: FollowedLog[]) => string): MappingRunner<string> {
  return { addresses: [ADDRESS], topics: [hash(99n)], startBlock: 1n, runBlock: run };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('block follower: what it does with a failure depends on its class', () => {
  let follower: BlockFollower<string> | undefined;
  afterEach(async () => follower?.stop());

  const start = (node: ScriptedNode, store: MemoryStore, units: StoppedUnits, run = runner(() => 'writes')) => {
    follower = new BlockFollower({ name: 'origin', subgraph: 'mosaic-origin-1405', client: new ChainClient(node, 1337), runner: run, store, pollIntervalMs: 10, logger: silentLogger(), stoppedUnits: units });
    follower.start();
    return follower;
  };

  it('keeps retrying while the node is unreachable, then indexes once it answers', async () => {
    const node = new ScriptedNode(5n);
    let refusals = 2;
    node.fail = () => (refusals-- > 0 ? new RpcTransportError({ method: 'eth_blockNumber', nodeMessage: 'cannot reach the node' }) : undefined);
    const store = new MemoryStore();
    const units = new StoppedUnits();
    start(node, store, units);
    await until(() => store.committed.some((c) => c.number === 5n), 'block 5 committed');
    expect(units.list()).to.deep.equal([]);
    expect(follower!.failure).to.equal(undefined);
  });

  it('stops on a deterministic mapping failure without committing the block, and records it', async () => {
    const node = new ScriptedNode(5n);
    const store = new MemoryStore();
    const units = new StoppedUnits();
    let runs = 0;
    start(node, store, units, runner((block) => {
      runs += 1;
      throw new MappingError('Probe.handleFailed failed', 'Probe', 'handleFailed', block.number, hash(1003n), 0);
    }));
    await until(() => follower!.failure !== undefined, 'the subgraph marked failed');
    await new Promise((r) => setTimeout(r, 300));
    expect(runs).to.equal(1);
    expect(store.committed).to.deep.equal([]);
    expect(units.get('subgraph', 'mosaic-origin-1405')).to.include({ errorName: 'MappingError', reason: 'Probe.handleFailed failed' });
    expect(units.get('subgraph', 'mosaic-origin-1405')!.details).to.include({ blockNumber: 3 });
  });

  it('commits a range in one transaction, fetching only the headers of blocks with logs and of the range end', async () => {
    const node = new ScriptedNode(30n, [3n, 7n, 8n]);
    const store = new MemoryStore();
    const f = new BlockFollower({ name: 'origin', client: new ChainClient(node, 1337), runner: runner((block) => `w${block.number}`), store, pollIntervalMs: 10, logger: silentLogger() });
    expect(await f.step()).to.equal(true);
    expect(store.commits).to.equal(1);
    expect(store.committed).to.deep.equal([
      { number: 3n, writes: 'w3' },
      { number: 7n, writes: 'w7' },
      { number: 8n, writes: 'w8' },
      { number: 30n, writes: undefined },
    ]);
    expect(node.headers).to.have.members([3n, 7n, 8n, 30n]);
  });

  it('commits the first blocks of a large range while the mappings of the later ones still run', async () => {
    const node = new ScriptedNode(40n, Array.from({ length: 30 }, (_, i) => BigInt(i + 1)), 100);
    const store = new MemoryStore();
    const events: string[] = [];
    const commit = store.commitBlocks.bind(store);
    store.commitBlocks = async (blocks) => {
      events.push(`commit ${blocks[0].block.number}-${blocks[blocks.length - 1].block.number}`);
      await commit(blocks);
    };
    const f = new BlockFollower({ name: 'origin', client: new ChainClient(node, 1337), runner: runner((block) => (events.push(`run ${block.number}`), `w${block.number}`)), store, pollIntervalMs: 10, logger: silentLogger() });
    expect(await f.step()).to.equal(true);
    expect(store.committed.map((c) => c.number)).to.deep.equal([...Array.from({ length: 30 }, (_, i) => BigInt(i + 1)), 40n]);
    // 100 logs a block: the first 2,000 logs (blocks 1-20) go to the database before block 30 runs.
    expect(events.indexOf('commit 1-20')).to.be.greaterThan(-1).and.lessThan(events.indexOf('run 30'));
    expect(events.filter((e) => e.startsWith('commit'))).to.deep.equal(['commit 1-20', 'commit 21-40']);
  });

  it('splits a range in growing chunks, covering each block once', () => {
    expect(rangeChunks(1n, 100n)).to.deep.equal([[1n, 16n], [17n, 48n], [49n, 100n]]);
    expect(rangeChunks(5n, 5n)).to.deep.equal([[5n, 5n]]);
    expect(rangeChunks(6n, 5n)).to.deep.equal([]);
  });

  it('runs the mappings of a range\'s first blocks while the node still reads the logs of its later ones', async () => {
    const node = new ScriptedNode(100n, [2n, 90n]);
    let firstBlockRun: () => void = () => undefined;
    const ran = new Promise<void>((resolve) => (firstBlockRun = resolve));
    const answer = node.request.bind(node);
    const logRanges: string[] = [];
    node.request = async <T>(method: string, params: unknown[] = []): Promise<T> => {
      if (method === 'eth_getLogs') {
        const { fromBlock, toBlock } = params[0] as { fromBlock: string; toBlock: string };
        logRanges.push(`${BigInt(fromBlock)}-${BigInt(toBlock)}`);
        // The last chunk is answered only once block 2 was mapped: a follower that waited for the whole range would hang.
        if (BigInt(toBlock) === 100n) await ran;
      }
      return answer<T>(method, params);
    };
    const store = new MemoryStore();
    const run = runner((block) => {
      if (block.number === 2n) firstBlockRun();
      return `w${block.number}`;
    });
    const f = new BlockFollower({ name: 'origin', client: new ChainClient(node, 1337), runner: run, store, pollIntervalMs: 10, logger: silentLogger() });
    expect(await f.step()).to.equal(true);
    expect(logRanges).to.deep.equal(['1-16', '17-48', '49-100']);
    expect(store.committed).to.deep.equal([{ number: 2n, writes: 'w2' }, { number: 90n, writes: 'w90' }, { number: 100n, writes: undefined }]);
    expect(store.commits).to.equal(1);
  });

  it('a mapping failure in a range commits the blocks before it, then stops', async () => {
    const node = new ScriptedNode(30n, [3n, 7n, 8n]);
    const store = new MemoryStore();
    const units = new StoppedUnits();
    start(node, store, units, runner((block) => {
      if (block.number === 7n) throw new MappingError('Probe.handleFailed failed', 'Probe', 'handleFailed', block.number, hash(1007n), 0);
      return `w${block.number}`;
    }));
    await until(() => follower!.failure !== undefined, 'the subgraph marked failed');
    expect(store.committed).to.deep.equal([{ number: 3n, writes: 'w3' }]);
    expect(units.get('subgraph', 'mosaic-origin-1405')!.details).to.include({ blockNumber: 7 });
  });

  it('asks for fewer blocks when the node says the range is too large', async () => {
    const node = new ScriptedNode(40n);
    node.fail = (method, params) => {
      if (method !== 'eth_getLogs') return undefined;
      const { fromBlock, toBlock } = params[0] as { fromBlock: string; toBlock: string };
      return BigInt(toBlock) - BigInt(fromBlock) >= 10n ? new RangeTooLargeError({ method, nodeMessage: 'query returned more than 10000 results' }) : undefined;
    };
    const store = new MemoryStore();
    const units = new StoppedUnits();
    start(node, store, units);
    await until(() => store.committed.some((c) => c.number === 40n), 'block 40 committed');
    expect(store.committed.find((c) => c.number === 3n)!.writes).to.equal('writes');
    expect(units.list()).to.deep.equal([]);
  });
});
