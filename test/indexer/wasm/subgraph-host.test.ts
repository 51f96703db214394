import { expect } from 'chai';
import { encodeEventSignature, encodeParameter, encodeParameters } from 'web3-eth-abi';
import { keccak256 } from 'web3-utils';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MappingRunner } from '../../../src/indexer/follower/follower-ports';
import { eventSignature, type AbiEvent } from '../../../src/indexer/wasm/abi-decoder';
import { loadSubgraph, MappingError, type LoadedSubgraph } from '../../../src/indexer/wasm/subgraph-host';
import type { BlockWrites, ChainBlock, ChainLog, MappingLogEntry } from '../../../src/indexer/wasm/types';
import { abiOf } from '../../../src/mosaic/artifacts';
import { SUBGRAPH_DATA_SOURCES, SUBGRAPH_SIDES, type SubgraphSide } from '../../../src/subgraph/sides';
import { builtTestSubgraphs } from '../../subgraph/built-subgraphs';
import { plainEntity } from './entity-plain';

/** The Mosaic subgraphs, built by graph-cli, run by the WASM host on correctly ABI-encoded logs. */

let counter = 0;
/** Distinct, reproducible pseudo-random bytes as lowercase 0x-hex. */
function randomHex(bytes: number): string {
  counter++;
  return keccak256(`0x${counter.toString(16).padStart(8, '0')}`).slice(0, 2 + 2 * bytes);
}

const EXPECTED_ADDRESSES: Record<SubgraphSide, Record<string, string>> = {
  origin: {
    OSTComposer: '0xccccccccccccccccccccccccccccccccccccccc3',
    EIP20Gateway: '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2',
    Anchor: '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1',
  },
  auxiliary: {
    EIP20CoGateway: '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee5',
    Anchor: '0xddddddddddddddddddddddddddddddddddddddd4',
    RedeemPool: '0xfffffffffffffffffffffffffffffffffffffff6',
  },
};

function blockAt(number: bigint): ChainBlock {
  return { number, hash: randomHex(32), parentHash: randomHex(32), timestamp: 1_700_000_000n + number };
}

/** One synthetic log of an event: its log and the entity the mapping must write for it. */
interface Case {
  event: AbiEvent;
  log: ChainLog;
  expected: Record<string, string>;
}

/**
 * Values per parameter type; variant 0 puts 2^256-1 in the first uint256 and `true` in bools,
 * variant 1 puts 0 in the first uint256 and `false` in bools; other uint256 are above 2^128.
 */
function paramValue(type: string, variant: number, firstUint: boolean): { value: unknown; plain: string } {
  switch (type) {
    case 'uint256': {
      const value = firstUint ? (variant === 0 ? 2n ** 256n - 1n : 0n) : 2n ** 128n + BigInt(randomHex(15));
      return { value, plain: `BigInt:${value}` };
    }
    case 'address': {
      const value = randomHex(20);
      return { value, plain: `Bytes:${value}` };
    }
    case 'bytes32': {
      const value = randomHex(32);
      return { value, plain: `Bytes:${value}` };
    }
    case 'bool':
      return { value: variant === 0, plain: `Bool:${variant === 0}` };
    default:
      throw new Error(`no test values for ${type}`);
  }
}

function makeCase(event: AbiEvent, address: string, block: ChainBlock, variant: number, tx: string, logIndex: number): Case {
  const expected: Record<string, string> = { id: `String:${tx}-${logIndex}` };
  const topics = [encodeEventSignature(eventSignature(event))];
  const dataTypes: string[] = [];
  const dataValues: unknown[] = [];
  let sawUint = false;
  for (const input of event.inputs) {
    const { value, plain } = paramValue(input.type, variant, input.type === 'uint256' && !sawUint);
    if (input.type === 'uint256') sawUint = true;
    expected[input.name.replace(/^_/, '')] = plain;
    if (input.indexed) topics.push(encodeParameter(input.type, value));
    else {
      dataTypes.push(input.type);
      dataValues.push(value);
    }
  }
  Object.assign(expected, {
    blockNumber: `BigInt:${block.number}`,
    blockHash: `Bytes:${block.hash}`,
    blockTimestamp: `BigInt:${block.timestamp}`,
    contractAddress: `Bytes:${address}`,
    transactionHash: `Bytes:${tx}`,
    logIndex: `BigInt:${logIndex}`,
  });
  const log: ChainLog = {
    address,
    topics,
    data: encodeParameters(dataTypes, dataValues),
    blockNumber: block.number,
    blockHash: block.hash,
    transactionHash: tx,
    transactionIndex: Math.floor(logIndex / 3),
    logIndex,
  };
  return { event, log, expected };
}

/** Two logs (variants 0 and 1) of every event of a side, three logs per transaction. */
function everyEventCases(side: SubgraphSide, block: ChainBlock): Case[] {
  const cases: Case[] = [];
  let tx = randomHex(32);
  for (const ds of SUBGRAPH_DATA_SOURCES[side]) {
    const abi = abiOf(ds.name) as unknown as AbiEvent[];
    for (const name of ds.events) {
      const event = abi.find((e) => e.type === 'event' && e.name === name) as AbiEvent;
      for (const variant of [0, 1]) {
        if (cases.length % 3 === 0) tx = randomHex(32);
        cases.push(makeCase(event, EXPECTED_ADDRESSES[side][ds.name], block, variant, tx, cases.length));
      }
    }
  }
  return cases;
}

function entityCount(writes: BlockWrites): number {
  return [...writes.values()].reduce((sum, byId) => sum + byId.size, 0);
}

describe('WASM host running the Mosaic subgraphs', function () {
  this.timeout(240_000);
  const loaded = {} as Record<SubgraphSide, LoadedSubgraph>;
  const logged: MappingLogEntry[] = [];

  before(async () => {
    const built = await builtTestSubgraphs();
    for (const side of SUBGRAPH_SIDES) loaded[side] = loadSubgraph(built[side].buildDir, { logger: (entry) => logged.push(entry) });
  });

  beforeEach(() => (logged.length = 0));

  it('describes data sources, addresses, topics, start block and schema from the built manifest', async () => {
    const built = await builtTestSubgraphs();
    for (const side of SUBGRAPH_SIDES) {
      const subgraph = loaded[side];
      const startBlock = side === 'origin' ? 12n : 34n;
      expect(subgraph.manifestPath).to.equal(built[side].manifestPath);
      expect(subgraph.dataSources.map((ds) => [ds.name, ds.address, ds.startBlock, ds.network])).to.deep.equal(
        SUBGRAPH_DATA_SOURCES[side].map((ds) => [ds.name, EXPECTED_ADDRESSES[side][ds.name], startBlock, side === 'origin' ? 'mosaic-origin' : 'mosaic-aux-1405']),
      );
      for (const [i, spec] of SUBGRAPH_DATA_SOURCES[side].entries()) {
        const abi = abiOf(spec.name) as unknown as AbiEvent[];
        const topics = spec.events.map((name) => encodeEventSignature(eventSignature(abi.find((e) => e.name === name) as AbiEvent)));
        expect(subgraph.dataSources[i].topics).to.deep.equal(topics);
        expect(subgraph.dataSources[i].eventHandlers.map((h) => [h.handler, h.topic0])).to.deep.equal(spec.events.map((name, j) => [`handle${name}`, topics[j]]));
      }
      expect(subgraph.addresses).to.deep.equal(Object.values(EXPECTED_ADDRESSES[side]));
      expect(subgraph.topics).to.have.length(SUBGRAPH_DATA_SOURCES[side].reduce((n, ds) => n + ds.events.length, 0));
      expect(subgraph.startBlock).to.equal(startBlock);
      expect(subgraph.schemaSdl).to.equal(readFileSync(join(built[side].buildDir, 'schema.graphql'), 'utf8'));
      expect([...subgraph.entityTypes].sort()).to.deep.equal(SUBGRAPH_DATA_SOURCES[side].flatMap((ds) => ds.events).sort());
      const runner: MappingRunner<BlockWrites> = subgraph;
      expect(runner.addresses).to.equal(subgraph.addresses);
    }
  });

  for (const side of SUBGRAPH_SIDES) {
    it(`writes the exact entity of every ${side} event (both bool values, 0, 2^256-1 and > 2^128 uint256)`, () => {
      const block = blockAt(100n);
      const cases = everyEventCases(side, block);
      const writes = loaded[side].runBlock(block, cases.map((c) => c.log));
      expect(entityCount(writes)).to.equal(cases.length);
      for (const c of cases) {
        const id = `${c.log.transactionHash}-${c.log.logIndex}`;
        expect(plainEntity(writes.get(c.event.name)?.get(id)), `${c.event.name} ${id}`).to.deep.equal(c.expected);
      }
      expect(logged).to.deep.equal([]);
    });
  }

  it('handles only logs of its addresses and topics, from the start block on', () => {
    const origin = loaded.origin;
    const block = blockAt(12n);
    const [stakeRequested] = everyEventCases('origin', block);
    const foreignAddress = { ...stakeRequested.log, address: '0x' + '99'.repeat(20), logIndex: 1 };
    const foreignTopic = { ...stakeRequested.log, topics: [keccak256('Transfer(address,address,uint256)'), ...stakeRequested.log.topics.slice(1)], logIndex: 2 };
    const noTopics = { ...stakeRequested.log, topics: [], logIndex: 3 };
    const writes = origin.runBlock(block, [stakeRequested.log, foreignAddress, foreignTopic, noTopics]);
    expect(entityCount(writes)).to.equal(1);
    expect(plainEntity(writes.get('StakeRequested')?.get(`${stakeRequested.log.transactionHash}-0`))).to.deep.equal(stakeRequested.expected);
    expect(origin.runBlock(block, [])).to.deep.equal(new Map());

    const before = blockAt(11n);
    const early = { ...stakeRequested.log, blockNumber: before.number, blockHash: before.hash };
    expect(entityCount(origin.runBlock(before, [early]))).to.equal(0);
  });

  it('accepts addresses in any case and logs out of order', () => {
    const block = blockAt(200n);
    const cases = everyEventCases('auxiliary', block).slice(0, 6);
    const logs = cases.map((c) => ({ ...c.log, address: c.log.address.toUpperCase().replace('0X', '0x') })).reverse();
    const writes = loaded.auxiliary.runBlock(block, logs);
    expect(entityCount(writes)).to.equal(6);
    for (const c of cases) expect(plainEntity(writes.get(c.event.name)?.get(`${c.log.transactionHash}-${c.log.logIndex}`))).to.deep.equal(c.expected);
  });

  it('skips, with a warning, a log whose topics do not fit the handled event', () => {
    const block = blockAt(300n);
    const [stakeRequested] = everyEventCases('origin', block);
    const writes = loaded.origin.runBlock(block, [{ ...stakeRequested.log, topics: stakeRequested.log.topics.slice(0, 1) }]);
    expect(entityCount(writes)).to.equal(0);
    expect(logged).to.have.length(1);
    expect(logged[0]).to.include({ level: 'warning', dataSource: 'OSTComposer', handler: 'handleStakeRequested', blockNumber: 300n });
    expect(logged[0].message).to.contain('does not decode as StakeRequested(uint256,address,uint256,uint256,uint256,indexed address,address,address,bytes32)');
  });

  it('refuses a log of another block', () => {
    const block = blockAt(400n);
    const [c] = everyEventCases('origin', block);
    expect(() => loaded.origin.runBlock(block, [{ ...c.log, blockHash: randomHex(32) }])).to.throw(/belongs to block 400 0x[0-9a-f]{64}, not 400/);
    expect(() => loaded.origin.runBlock(block, [{ ...c.log, blockNumber: 401n }])).to.throw(/belongs to block 401/);
  });

  it('returns only the writes of the block it ran (fresh instances per block)', () => {
    const first = blockAt(500n);
    const second = blockAt(501n);
    const a = everyEventCases('auxiliary', first);
    const b = everyEventCases('auxiliary', second).slice(0, 2);
    expect(entityCount(loaded.auxiliary.runBlock(first, a.map((c) => c.log)))).to.equal(a.length);
    const writes = loaded.auxiliary.runBlock(second, b.map((c) => c.log));
    expect(entityCount(writes)).to.equal(2);
    for (const c of b) expect(plainEntity(writes.get(c.event.name)?.get(`${c.log.transactionHash}-${c.log.logIndex}`))).to.deep.equal(c.expected);
  });

  // Its speed is measured by `npm run bench indexer`, not here (no timed unit tests).
  it('runs a block of 100 StakeRequested logs into 100 entities, the same on every run', () => {
    const block = blockAt(600n);
    const [template] = everyEventCases('origin', block);
    const logs = Array.from({ length: 100 }, (_, i) => ({ ...template.log, logIndex: i }));
    for (let i = 0; i < 3; i++) {
      const writes = loaded.origin.runBlock(block, logs);
      expect(writes.get('StakeRequested')?.size).to.equal(100);
    }
  });

  it('reports a handler failure as a MappingError naming data source, handler, block and log', async () => {
    // The same build with a schema that lacks StakeRequested.amount: store.set must refuse the entity.
    const built = await builtTestSubgraphs();
    const dir = mkdtempSync(join(tmpdir(), 'subgraph-host-schema-'));
    try {
      cpSync(built.origin.buildDir, dir, { recursive: true });
      const schemaPath = join(dir, 'schema.graphql');
      const sdl = readFileSync(schemaPath, 'utf8');
      const withoutAmount = sdl.replace('type StakeRequested @entity(immutable: true) {\n  id: ID!\n  amount: BigInt!\n', 'type StakeRequested @entity(immutable: true) {\n  id: ID!\n');
      expect(withoutAmount).to.not.equal(sdl);
      writeFileSync(schemaPath, withoutAmount);
      const broken = loadSubgraph(dir);
      const block = blockAt(700n);
      const [c] = everyEventCases('origin', block);
      let error: unknown;
      try {
        broken.runBlock(block, [c.log]);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(MappingError);
      const failure = error as MappingError;
      expect(failure.message).to.equal(
        `OSTComposer.handleStakeRequested failed on log ${c.log.transactionHash}-0 of block 700: Entity StakeRequested[${c.log.transactionHash}-0]: unknown field \`amount\``,
      );
      expect([failure.dataSource, failure.handler, failure.blockNumber, failure.transactionHash, failure.logIndex]).to.deep.equal([
        'OSTComposer',
        'handleStakeRequested',
        700n,
        c.log.transactionHash,
        0,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
