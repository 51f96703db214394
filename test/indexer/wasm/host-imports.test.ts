import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEventSignature, encodeParameter, encodeParameters } from 'web3-eth-abi';
import { keccak256 } from 'web3-utils';
import { eventSignature, type AbiEvent } from '../../../src/indexer/wasm/abi-decoder';
import { bytesToHex } from '../../../src/indexer/wasm/bytes';
import { hostFunctionNames } from '../../../src/indexer/wasm/host-imports';
import { loadSubgraph, MappingError, type LoadedSubgraph } from '../../../src/indexer/wasm/subgraph-host';
import type { BlockWrites, ChainBlock, ChainLog, ChainTransaction, MappingLogEntry } from '../../../src/indexer/wasm/types';
import { plainEntity } from './entity-plain';
import { builtProbeSubgraph, PROBE_ADDRESS } from './probe-subgraph';

/**
 * Host functions and the ethereum.Event/Block/Transaction layout, through the probe subgraph
 * (fixtures/probe), compiled by graph-cli like the Mosaic ones.
 */

const PROBE_ABI = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'probe', 'abis', 'Probe.json'), 'utf8')) as AbiEvent[];
const eventOf = (name: string): AbiEvent => PROBE_ABI.find((e) => e.name === name) as AbiEvent;

let counter = 0;
function randomHex(bytes: number): string {
  counter++;
  return keccak256(`0x${(counter + 1000).toString(16).padStart(8, '0')}`).slice(0, 2 + 2 * bytes);
}

function fullBlock(number: bigint): Required<ChainBlock> {
  return {
    number,
    hash: randomHex(32),
    parentHash: randomHex(32),
    timestamp: 1_700_000_000n + number,
    unclesHash: randomHex(32),
    author: randomHex(20),
    stateRoot: randomHex(32),
    transactionsRoot: randomHex(32),
    receiptsRoot: randomHex(32),
    gasUsed: 21_000n,
    gasLimit: 30_000_000n,
    difficulty: 2n ** 64n + 1n,
    totalDifficulty: 2n ** 100n + 7n,
    size: 1234n,
    baseFeePerGas: 7_000_000_000n,
  };
}

function minimalBlock(number: bigint): ChainBlock {
  return { number, hash: randomHex(32), parentHash: randomHex(32), timestamp: 1_700_000_000n + number };
}

function logOf(event: AbiEvent, topics: string[], data: string, block: ChainBlock, logIndex: number, transactionHash = randomHex(32)): ChainLog {
  return {
    address: PROBE_ADDRESS,
    topics: [encodeEventSignature(eventSignature(event)), ...topics],
    data,
    blockNumber: block.number,
    blockHash: block.hash,
    transactionHash,
    transactionIndex: 2,
    logIndex,
  };
}

interface ProbedValues {
  who: string;
  tag: string;
  amount: bigint;
  delta: bigint;
  blob: string;
  note: string;
  hashes: string[];
  pairOwner: string;
}

function probedValues(delta = -987_654_321n): ProbedValues {
  return {
    who: randomHex(20),
    tag: 'hello-tag',
    amount: 2n ** 255n + 12345n,
    delta,
    blob: 'héllo wörld ✓',
    note: '123 notes ✓',
    hashes: [randomHex(32), randomHex(32), randomHex(32)],
    pairOwner: randomHex(20),
  };
}

function probedLog(values: ProbedValues, block: ChainBlock, logIndex: number): ChainLog {
  const event = eventOf('Probed');
  const dataInputs = event.inputs.filter((i) => !i.indexed);
  const data = encodeParameters(dataInputs, [
    values.amount,
    values.delta,
    bytesToHex(Buffer.from(values.blob, 'utf8')),
    values.note,
    true,
    200n,
    values.hashes,
    [77n, values.pairOwner],
  ]);
  return logOf(event, [encodeParameter('address', values.who), keccak256(values.tag)], data, block, logIndex);
}

/** What handleProbed computes from the parameters, independently of the host. */
function expectedComputed(values: ProbedValues): Record<string, string> {
  const { amount, delta } = values;
  const digits = amount.toString();
  const blob = Buffer.from(values.blob, 'utf8');
  return {
    who: `Bytes:${values.who}`,
    tag: `Bytes:${keccak256(values.tag)}`,
    amount: `BigInt:${amount}`,
    delta: `BigInt:${delta}`,
    blob: `Bytes:${bytesToHex(blob)}`,
    note: `String:${values.note}`,
    flag: 'Bool:true',
    small: 'Int:200',
    hashes: `Array:[${values.hashes.map((h) => `Bytes:${h}`).join(',')}]`,
    pairAmount: 'BigInt:77',
    pairOwner: `Bytes:${values.pairOwner}`,
    blobHash: `Bytes:${keccak256(bytesToHex(blob))}`,
    blobText: `String:${values.blob}`,
    dataSourceAddress: `Bytes:${PROBE_ADDRESS}`,
    network: 'String:probe-net',
    amountHex: `String:0x${amount.toString(16)}`,
    ratio: `BigDecimal:${digits.slice(0, -3)}.${digits.slice(-3)}`,
    ratioText: `String:${digits.slice(0, -3)}.${digits.slice(-3)}`,
    sum: `BigInt:${amount + delta}`,
    difference: `BigInt:${amount - delta}`,
    product: `BigInt:${amount * delta}`,
    quotient: `BigInt:${amount / delta}`,
    remainder: `BigInt:${amount % delta}`,
    power: `BigInt:${delta ** 3n}`,
    parsed: 'BigInt:-123456789012345678901234567890',
    big8: 'Int8:-9007199254740993',
    when: 'Timestamp:1700000000123456',
  };
}

const ZERO32 = `0x${'00'.repeat(32)}`;
const ZERO20 = `0x${'00'.repeat(20)}`;

describe('WASM host functions and ethereum types (probe subgraph)', function () {
  this.timeout(240_000);
  let probe: LoadedSubgraph;
  let buildDir: string;
  const logged: MappingLogEntry[] = [];

  before(async () => {
    buildDir = await builtProbeSubgraph();
    probe = loadSubgraph(buildDir, { logger: (entry) => logged.push(entry) });
  });

  beforeEach(() => (logged.length = 0));

  it('passes every Event, Block and Transaction field, and the host functions compute like graph-node', () => {
    const block = fullBlock(10n);
    const values = probedValues();
    const log = probedLog(values, block, 4);
    const tx: ChainTransaction = {
      hash: log.transactionHash,
      index: 2n,
      from: randomHex(20),
      to: randomHex(20),
      value: 10n ** 18n,
      gasLimit: 500_000n,
      gasPrice: 3_000_000_000n,
      input: '0xdeadbeef',
      nonce: 42n,
    };
    const lookups: ChainLog[] = [];
    const writes = probe.runBlock(block, [log], (l) => (lookups.push(l), tx));
    expect(lookups).to.deep.equal([log]);
    const id = `${log.transactionHash}-4`;
    expect(plainEntity(writes.get('Probe')?.get(id))).to.deep.equal({
      id: `String:${id}`,
      ...expectedComputed(values),
      blockHash: `Bytes:${block.hash}`,
      parentHash: `Bytes:${block.parentHash}`,
      unclesHash: `Bytes:${block.unclesHash}`,
      author: `Bytes:${block.author}`,
      stateRoot: `Bytes:${block.stateRoot}`,
      transactionsRoot: `Bytes:${block.transactionsRoot}`,
      receiptsRoot: `Bytes:${block.receiptsRoot}`,
      number: 'BigInt:10',
      gasUsed: 'BigInt:21000',
      gasLimit: 'BigInt:30000000',
      timestamp: `BigInt:${block.timestamp}`,
      difficulty: `BigInt:${2n ** 64n + 1n}`,
      totalDifficulty: `BigInt:${2n ** 100n + 7n}`,
      size: 'BigInt:1234',
      baseFeePerGas: 'BigInt:7000000000',
      txHash: `Bytes:${tx.hash}`,
      txIndex: 'BigInt:2',
      from: `Bytes:${tx.from}`,
      to: `Bytes:${tx.to}`,
      value: `BigInt:${10n ** 18n}`,
      txGasLimit: 'BigInt:500000',
      gasPrice: 'BigInt:3000000000',
      input: 'Bytes:0xdeadbeef',
      nonce: 'BigInt:42',
      address: `Bytes:${PROBE_ADDRESS}`,
      logIndex: 'BigInt:4',
      transactionLogIndex: 'BigInt:4',
      logType: 'Null',
    });
    expect(logged).to.deep.equal([
      { level: 'info', message: `probed ${values.note} with amount ${values.amount}`, dataSource: 'Probe', handler: 'handleProbed', blockNumber: 10n },
    ]);
  });

  it('fills what a bare block and no transaction lookup cannot tell with zeros and nulls', () => {
    const block = minimalBlock(11n);
    const values = probedValues(3n);
    const log = probedLog(values, block, 0);
    const entity = plainEntity(probe.runBlock(block, [log]).get('Probe')?.get(`${log.transactionHash}-0`));
    expect(entity).to.include({
      ...expectedComputed(values),
      unclesHash: `Bytes:${ZERO32}`,
      author: `Bytes:${ZERO20}`,
      stateRoot: `Bytes:${ZERO32}`,
      gasUsed: 'BigInt:0',
      difficulty: 'BigInt:0',
      size: 'Null',
      baseFeePerGas: 'Null',
      txHash: `Bytes:${log.transactionHash}`,
      txIndex: 'BigInt:2',
      from: `Bytes:${ZERO20}`,
      to: 'Null',
      value: 'BigInt:0',
      input: 'Bytes:0x',
      nonce: 'BigInt:0',
    });
  });

  it('lets store.get read entities written earlier in the same block, and only those', () => {
    const counted = (by: bigint, block: ChainBlock, logIndex: number): ChainLog => logOf(eventOf('Counted'), [], encodeParameter('uint256', by), block, logIndex);
    const first = fullBlock(20n);
    const writes = probe.runBlock(first, [counted(5n, first, 0), counted(7n, first, 1), counted(11n, first, 2)]);
    expect(plainEntity(writes.get('Counter')?.get('counter'))).to.deep.equal({
      id: 'String:counter',
      count: 'BigInt:23',
      calls: 'Int:3',
      history: 'Array:[String:5,String:7,String:11]',
      ratio: 'BigDecimal:0.23',
      odd: 'Bool:true',
      big8: 'Int8:-3',
      when: 'Timestamp:3000000',
      blob: 'Bytes:0xababab',
      note: 'String:odd call',
      instance: 'String:3:5,7,11',
    });
    const second = fullBlock(21n);
    const next = probe.runBlock(second, [counted(2n, second, 0), counted(3n, second, 1)]);
    expect(plainEntity(next.get('Counter')?.get('counter'))).to.include({ count: 'BigInt:5', calls: 'Int:2', history: 'Array:[String:2,String:3]', odd: 'Bool:false', note: 'Null' });
  });

  it('runs every block on an instance as fresh as a new one: globals and memory as after _start', () => {
    const counted = (by: bigint, block: ChainBlock, logIndex: number): ChainLog => logOf(eventOf('Counted'), [], encodeParameter('uint256', by), block, logIndex);
    const instanceOf = (writes: BlockWrites) => plainEntity(writes.get('Counter')?.get('counter'))?.instance;
    const first = fullBlock(22n);
    expect(instanceOf(probe.runBlock(first, [counted(1n, first, 0), counted(2n, first, 1)]))).to.equal('String:2:1,2');
    // A block whose handler fails leaves its instance behind; the next block starts fresh all the same.
    expect(() => probe.runBlock(first, [counted(3n, first, 0), logOf(eventOf('Failed'), [], encodeParameter('string', 'abort'), first, 1)])).to.throw(MappingError);
    for (let n = 23n; n < 26n; n++) {
      const block = fullBlock(n);
      expect(instanceOf(probe.runBlock(block, [counted(n, block, 0)]))).to.equal(`String:1:${n}`);
    }
  });

  it('turns abort, log.critical and division by zero into MappingErrors, after the logs before them', () => {
    const block = fullBlock(30n);
    const failed = (how: string): ChainLog => logOf(eventOf('Failed'), [], encodeParameter('string', how), block, 7);
    const failure = (logs: ChainLog[]): MappingError => {
      try {
        probe.runBlock(block, logs);
      } catch (error) {
        expect(error).to.be.instanceOf(MappingError);
        return error as MappingError;
      }
      return expect.fail('runBlock should throw');
    };

    const aborted = failure([failed('boom')]);
    expect(aborted.message).to.match(/^Probe\.handleFailed failed on log 0x[0-9a-f]{64}-7 of block 30: Mapping aborted at src\/probe\.ts, line \d+, column \d+, with message: probe failure: boom$/);
    expect([aborted.dataSource, aborted.handler, aborted.blockNumber, aborted.logIndex]).to.deep.equal(['Probe', 'handleFailed', 30n, 7]);
    expect(logged.map((e) => [e.level, e.message])).to.deep.equal([['warning', 'about to fail: boom']]);

    logged.length = 0;
    expect(failure([failed('critical')]).message).to.contain('log.critical: critical failure: critical');
    expect(logged.map((e) => e.level)).to.deep.equal(['critical']);

    expect(failure([probedLog(probedValues(0n), block, 1)]).message).to.contain('attempted to divide BigInt by zero');
  });

  it('ignores logs before the data source start block', () => {
    const block = fullBlock(4n);
    expect(probe.runBlock(block, [probedLog(probedValues(), block, 0)])).to.deep.equal(new Map());
  });

  describe('loading checks', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'probe-load-'));
      cpSync(buildDir, dir, { recursive: true });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** A valid module importing `index.ipfs.cat` (a host function this indexer does not provide). */
    const moduleImportingIpfsCat = Buffer.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
      0x02, 0x12, 0x01, 0x05, ...Buffer.from('index'), 0x08, ...Buffer.from('ipfs.cat'), 0x00, 0x00,
    ]);
    /** A valid module with nothing in it. */
    const emptyModule = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

    it('fails at load time naming an import the host does not provide', () => {
      writeFileSync(join(dir, 'Probe', 'Probe.wasm'), moduleImportingIpfsCat);
      expect(() => loadSubgraph(dir)).to.throw(/data source Probe \(.*Probe\.wasm\) imports host functions the embedded indexer does not provide: index\.ipfs\.cat$/);
      expect(hostFunctionNames()).to.include.members(['abort', 'store.set', 'store.get', 'log.log', 'typeConversion.bytesToHex', 'bigInt.plus']);
    });

    it('fails at load time when the module lacks the runtime exports or a handler', () => {
      writeFileSync(join(dir, 'Probe', 'Probe.wasm'), emptyModule);
      expect(() => loadSubgraph(dir)).to.throw(/does not export memory, __new, id_of_type, _start, handleProbed, handleCounted, handleFailed$/);
    });
  });
});
