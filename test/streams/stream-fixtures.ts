import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { BlockWrites, EntityData, StoreValue } from '../../src/indexer/wasm/types';
import { packageRoot } from '../../src/util/package-root';

/** Entities, blocks and logs shared by the entity stream tests (they run against the real query server). */

export const ORIGIN_SCHEMA = readFileSync(join(packageRoot(), 'subgraph', 'origin', 'schema.graphql'), 'utf8');

const hex = (byte: string, length: number) => `0x${byte.repeat(length)}`;
const bytes = (value: string): StoreValue => ({ kind: 'Bytes', value: Uint8Array.from(Buffer.from(value.slice(2), 'hex')) });
const big = (value: bigint): StoreValue => ({ kind: 'BigInt', value });

/** Block `n` of a branch (branch 0 is the first chain; a reorg commits the same numbers on branch 1). */
export const block = (n: number, branch = 0) => ({
  number: BigInt(n),
  hash: `0x${branch.toString(16).padStart(2, '0')}${n.toString(16).padStart(62, '0')}`,
  parentHash: `0x${(n === 1 ? 0 : branch).toString(16).padStart(2, '0')}${(n - 1).toString(16).padStart(62, '0')}`,
  timestamp: BigInt(1_700_000_000 + n),
});

/** A StakeRequested entity as the origin subgraph's mapping stores it. */
export function stakeRequested(blockNumber: number, logIndex: number): [string, EntityData] {
  const id = `${hex('ab', 32)}-${blockNumber}-${logIndex}`;
  const fields: Array<[string, StoreValue]> = [
    ['id', { kind: 'String', value: id }],
    ['amount', big(BigInt(blockNumber * 100 + logIndex))],
    ['beneficiary', bytes(hex('be', 20))],
    ['gasPrice', big(1n)],
    ['gasLimit', big(2n)],
    ['nonce', big(BigInt(logIndex))],
    ['staker', bytes(hex('5a', 20))],
    ['stakerProxy', bytes(hex('50', 20))],
    ['gateway', bytes(hex('9a', 20))],
    ['stakeRequestHash', bytes(`0x${blockNumber.toString(16).padStart(32, '0')}${logIndex.toString(16).padStart(32, '0')}`)],
    ['blockNumber', big(BigInt(blockNumber))],
    ['blockHash', bytes(block(blockNumber).hash)],
    ['blockTimestamp', big(block(blockNumber).timestamp)],
    ['contractAddress', bytes(hex('c0', 20))],
    ['transactionHash', bytes(hex('ab', 32))],
    ['logIndex', big(BigInt(logIndex))],
  ];
  return [id, new Map(fields)];
}

export const writes = (...entities: Array<[string, EntityData]>): BlockWrites => new Map([['StakeRequested', new Map(entities)]]) as BlockWrites;

/** A logger whose JSON lines land in `lines`. */
export function capturingLogger(lines: Array<Record<string, unknown>>, level = 'info'): pino.Logger {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level }, destination);
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
