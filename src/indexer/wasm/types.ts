/**
 * Types of the WASM mapping host: what goes in (blocks, logs, transactions) and what comes out
 * (entity writes), in graph-node's vocabulary.
 */

/** A store value, as graph-node's `store::Value` (kinds named like graph-ts `ValueKind`). */
export type StoreValue =
  | { kind: 'String'; value: string }
  | { kind: 'Int'; value: number }
  | { kind: 'BigDecimal'; value: string }
  | { kind: 'Bool'; value: boolean }
  | { kind: 'Array'; value: StoreValue[] }
  | { kind: 'Null' }
  | { kind: 'Bytes'; value: Uint8Array }
  | { kind: 'BigInt'; value: bigint }
  | { kind: 'Int8'; value: bigint }
  | { kind: 'Timestamp'; value: bigint };

/** Field name -> value, as the mapping passed it to store.set. */
export type EntityData = Map<string, StoreValue>;

/** Entity type -> id -> data, for one block (last write of an id wins). */
export type BlockWrites = Map<string, Map<string, EntityData>>;

/**
 * The block a log belongs to. Only number, hash, parentHash and timestamp are required; the rest
 * fill ethereum.Block for mappings that read them (zero hashes / 0 / null when absent).
 */
export interface ChainBlock {
  number: bigint;
  hash: string;
  parentHash: string;
  timestamp: bigint;
  unclesHash?: string;
  /** The block's miner (`miner` in JSON-RPC). */
  author?: string;
  stateRoot?: string;
  transactionsRoot?: string;
  receiptsRoot?: string;
  gasUsed?: bigint;
  gasLimit?: bigint;
  difficulty?: bigint;
  totalDifficulty?: bigint;
  size?: bigint;
  baseFeePerGas?: bigint;
}

export interface ChainLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: bigint;
  blockHash: string;
  transactionHash: string;
  transactionIndex: number;
  logIndex: number;
}

/**
 * The transaction that emitted a log, for ethereum.Transaction. When no lookup is given, only hash
 * and index (from the log) are real; from is the zero address, to null, the numbers 0, input empty.
 */
export interface ChainTransaction {
  hash: string;
  index: bigint;
  from: string;
  to: string | null;
  value: bigint;
  gasLimit: bigint;
  gasPrice: bigint;
  input: string;
  nonce: bigint;
}

/** Synchronous: fetch transactions before calling runBlock when mappings need them. */
export type TransactionLookup = (log: ChainLog) => ChainTransaction | undefined;

export type MappingLogLevel = 'critical' | 'error' | 'warning' | 'info' | 'debug';

/** One line a mapping logged with graph-ts `log.*` (or a host warning about a skipped log). */
export interface MappingLogEntry {
  level: MappingLogLevel;
  message: string;
  dataSource: string;
  handler?: string;
  blockNumber: bigint;
}

export type MappingLogger = (entry: MappingLogEntry) => void;

export interface EventHandlerInfo {
  /** As in the manifest, e.g. `StakeRevoked(indexed address,bytes32)`. */
  event: string;
  handler: string;
  /** keccak256 of the canonical signature, lowercase 0x-hex. */
  topic0: string;
}

export interface DataSourceInfo {
  name: string;
  network: string;
  /** Lowercase 0x-address (the embedded indexer requires one per data source). */
  address: string;
  startBlock: bigint;
  /** Distinct topic0 values of its event handlers. */
  topics: string[];
  eventHandlers: EventHandlerInfo[];
}

/** A field of an entity type in schema.graphql. */
export interface EntityFieldInfo {
  name: string;
  /** Innermost named type: ID, Bytes, BigInt, String, Boolean, Int, Int8, BigDecimal, Timestamp, an enum or an entity. */
  type: string;
  nonNull: boolean;
  list: boolean;
  /** `@derivedFrom` fields are never stored. */
  derived: boolean;
}

export interface EntityTypeInfo {
  name: string;
  immutable: boolean;
  fields: Map<string, EntityFieldInfo>;
}
