import { entityColumns, storedFields, type EntityColumns } from '../entity-store/column-codec';
import type { FollowedBlock, FollowedLog, MappedBlock } from '../follower/follower-ports';
import { MappingError } from '../wasm/mapping-error';
import type { SubgraphSchema } from '../wasm/schema';
import type { BlockWrites, MappingLogEntry } from '../wasm/types';

/**
 * What crosses between the indexing thread and a mapping worker, and how: blocks go in as they are;
 * writes come back as each entity's column values (flat strings and numbers: cloning maps of values
 * and byte arrays would cost the indexing thread more than the mappings it saves), errors as fields.
 */

/**
 * Indexing thread -> worker: map these blocks (consecutive, ascending), their logs as columns: a
 * log object per log would be cloned key by key, flat arrays of strings are copied in bulk.
 */
export interface MapRequest {
  job: number;
  blocks: FollowedBlock[];
  /** How many of the logs below each block has, in order. */
  logCounts: number[];
  address: string[];
  /** Each log's topics, one after the other (topicCounts[i] of them for log i). */
  topics: string[];
  topicCounts: number[];
  data: string[];
  transactionHash: string[];
  transactionIndex: number[];
  logIndex: number[];
}

/** One entity type's writes in a block: ids and their columns, in the same order. */
export type EncodedTypeWrites = [type: string, ids: string[], columns: EntityColumns[]];

/** A mapped block: its writes and what its mappings logged (replayed on the indexing thread). */
export interface EncodedBlock {
  writes: EncodedTypeWrites[];
  logs: MappingLogEntry[];
}

/** A thrown error as fields: MappingError's own, or any other's name and message. */
export interface EncodedError {
  name: string;
  message: string;
  mapping?: { dataSource: string; handler: string; blockNumber: bigint; transactionHash: string | undefined; logIndex: number | undefined };
  cause?: { name: string; message: string };
}

/** Worker -> indexing thread. `ready`: loaded, takes requests; `mapped`: the blocks before a failure (all without one). */
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'load-failed'; error: EncodedError }
  | { kind: 'mapped'; job: number; blocks: EncodedBlock[]; failure?: { error: EncodedError; logs: MappingLogEntry[] } };

export function encodeRequest(job: number, blocks: readonly MappedBlock[]): MapRequest {
  const request: MapRequest = { job, blocks: [], logCounts: [], address: [], topics: [], topicCounts: [], data: [], transactionHash: [], transactionIndex: [], logIndex: [] };
  for (const { block, logs } of blocks) {
    request.blocks.push(block);
    request.logCounts.push(logs.length);
    for (const log of logs) {
      request.address.push(log.address);
      request.topics.push(...log.topics);
      request.topicCounts.push(log.topics.length);
      request.data.push(log.data);
      request.transactionHash.push(log.transactionHash);
      request.transactionIndex.push(log.transactionIndex);
      request.logIndex.push(log.logIndex);
    }
  }
  return request;
}

export function decodeRequest(request: MapRequest): MappedBlock[] {
  let log = 0;
  let topic = 0;
  return request.blocks.map((block, b) => {
    const logs: FollowedLog[] = [];
    for (let end = log + request.logCounts[b]; log < end; log++) {
      logs.push({
        address: request.address[log],
        topics: request.topics.slice(topic, (topic += request.topicCounts[log])),
        data: request.data[log],
        blockNumber: block.number,
        blockHash: block.hash,
        transactionHash: request.transactionHash[log],
        transactionIndex: request.transactionIndex[log],
        logIndex: request.logIndex[log],
      });
    }
    return { block, logs };
  });
}

/** Encodes a block's writes with the schema's column order (EntityStore's storedFields). */
export function writesEncoder(schema: SubgraphSchema): (writes: BlockWrites) => EncodedTypeWrites[] {
  const fieldsOf = new Map([...schema.entityTypes].map(([name, type]) => [name, storedFields(type)]));
  return (writes) =>
    [...writes].map(([type, byId]): EncodedTypeWrites => {
      const fields = fieldsOf.get(type);
      if (!fields) throw new Error(`entity type ${type} is not in the subgraph schema`);
      return [type, [...byId.keys()], [...byId.values()].map((data) => entityColumns(fields, data))];
    });
}

export function decodeWrites(encoded: readonly EncodedTypeWrites[]): Map<string, Map<string, EntityColumns>> {
  const writes = new Map<string, Map<string, EntityColumns>>();
  for (const [type, ids, columns] of encoded) {
    const byId = new Map<string, EntityColumns>();
    for (let i = 0; i < ids.length; i++) byId.set(ids[i], columns[i]);
    writes.set(type, byId);
  }
  return writes;
}

export function encodeError(error: unknown): EncodedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const cause = error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message } : undefined;
  if (!(error instanceof MappingError)) return { name: error.name, message: error.message, cause };
  const { dataSource, handler, blockNumber, transactionHash, logIndex } = error;
  return { name: error.name, message: error.message, mapping: { dataSource, handler, blockNumber, transactionHash, logIndex }, cause };
}

/** The error as the indexing thread would have caught it: a MappingError with the same fields, or an Error. */
export function decodeError(encoded: EncodedError): Error {
  const cause = encoded.cause ? Object.assign(new Error(encoded.cause.message), { name: encoded.cause.name }) : undefined;
  if (encoded.mapping) {
    const { dataSource, handler, blockNumber, transactionHash, logIndex } = encoded.mapping;
    return new MappingError(encoded.message, dataSource, handler, blockNumber, transactionHash, logIndex, { cause });
  }
  return Object.assign(new Error(encoded.message, { cause }), { name: encoded.name });
}
