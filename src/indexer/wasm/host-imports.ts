import { keccak256 } from './keccak';
import type { AscHeap } from './asc-heap';
import { formatBigDecimal } from './big-decimal';
import { bytesToHex, hexToBytes } from './bytes';
import { readEntity, writeEntity } from './entity-codec';
import { validateEntity, type SubgraphSchema } from './schema';
import type { BlockWrites, MappingLogLevel, MappingLogger } from './types';
import { WebAssemblyApi, type WasmImports, type WasmModule } from './wasm-api';

/**
 * The host functions a mapping may import, linked by import name as graph-node does (the module
 * part is the graph-ts source file and is ignored, except `env.abort`). Only what copy-params and
 * slightly richer mappings use; any other import fails the load, naming it.
 */

/** What host functions see of the running block and data source; one per WASM instance. */
export interface HostState {
  heap: AscHeap | undefined;
  dataSource: { name: string; network: string; address: string };
  schema: SubgraphSchema;
  /** Shared by every instance of the block: store.get sees what earlier handlers of the block set. */
  writes: BlockWrites;
  blockNumber: bigint;
  handler: string | undefined;
  logger: MappingLogger;
}

/** An error a mapping raised on purpose (abort, log.critical): deterministic, retrying will not help. */
export class MappingAbortError extends Error {
  override name = 'MappingAbortError';
}

type HostFunction = (state: HostState, heap: AscHeap, ...args: number[]) => number | bigint | void;

const LEVELS: MappingLogLevel[] = ['critical', 'error', 'warning', 'info', 'debug'];

function bigIntOp(op: (x: bigint, y: bigint) => bigint): HostFunction {
  return (_state, heap, x, y) => heap.newBigInt(op(heap.readBigInt(x), heap.readBigInt(y)));
}

/** graph-node drops trailing NUL characters from bytes read as a string. */
function trimTrailingNul(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  return text.slice(0, end);
}

function divisor(y: bigint): bigint {
  if (y === 0n) throw new MappingAbortError('attempted to divide BigInt by zero');
  return y;
}

const HOST_FUNCTIONS: Record<string, HostFunction> = {
  abort(_state, heap, message, file, line, column) {
    const text = message ? heap.readString(message) : '(no message)';
    const where = file ? heap.readString(file) : '(unknown file)';
    throw new MappingAbortError(`Mapping aborted at ${where}, line ${line}, column ${column}, with message: ${text}`);
  },
  'typeConversion.bytesToHex': (_state, heap, bytes) => heap.newString(bytesToHex(heap.readBytes(bytes))),
  'typeConversion.bytesToString': (_state, heap, bytes) =>
    heap.newString(trimTrailingNul(Buffer.from(heap.readBytes(bytes)).toString('utf8'))),
  'typeConversion.bigIntToString': (_state, heap, bigInt) => heap.newString(heap.readBigInt(bigInt).toString()),
  'typeConversion.bigIntToHex': (_state, heap, bigInt) => {
    const value = heap.readBigInt(bigInt);
    return heap.newString(`0x${(value < 0n ? -value : value).toString(16)}`);
  },
  'bigDecimal.toString': (_state, heap, decimal) =>
    heap.newString(formatBigDecimal(heap.readBigInt(heap.u32(decimal)), heap.readBigInt(heap.u32(decimal + 4)))),
  'bigInt.plus': bigIntOp((x, y) => x + y),
  'bigInt.minus': bigIntOp((x, y) => x - y),
  'bigInt.times': bigIntOp((x, y) => x * y),
  'bigInt.dividedBy': bigIntOp((x, y) => x / divisor(y)),
  'bigInt.mod': bigIntOp((x, y) => x % divisor(y)),
  'bigInt.pow': (_state, heap, x, exp) => heap.newBigInt(heap.readBigInt(x) ** BigInt(exp & 0xff)),
  'bigInt.fromString': (_state, heap, text) => {
    const value = heap.readString(text);
    if (!/^-?\d+$/.test(value)) throw new MappingAbortError(`BigInt.fromString: not an integer: ${value}`);
    return heap.newBigInt(BigInt(value));
  },
  'crypto.keccak256': (_state, heap, bytes) => heap.newUint8Array(hexToBytes(keccak256(heap.readBytes(bytes)))),
  'store.set': (state, heap, entityType, id, data) => {
    const type = heap.readString(entityType);
    const key = heap.readString(id);
    const entity = readEntity(heap, data);
    validateEntity(state.schema, type, key, entity);
    let byId = state.writes.get(type);
    if (!byId) state.writes.set(type, (byId = new Map()));
    byId.set(key, entity);
  },
  'store.get': storeGet,
  'store.get_in_block': storeGet,
  'log.log': (state, heap, level, message) => {
    const text = heap.readString(message);
    const entry = { level: LEVELS[level] ?? 'info', message: text, dataSource: state.dataSource.name, handler: state.handler, blockNumber: state.blockNumber };
    state.logger(entry);
    if (level === 0) throw new MappingAbortError(`log.critical: ${text}`);
  },
  'dataSource.address': (state, heap) => heap.newUint8Array(hexToBytes(state.dataSource.address)),
  'dataSource.network': (state, heap) => heap.newString(state.dataSource.network),
};

/**
 * Entities written earlier in the same block (by any data source), else null: the host has no view
 * of entities committed in earlier blocks. Enough for immutable one-entity-per-event mappings.
 */
function storeGet(state: HostState, heap: AscHeap, entityType: number, id: number): number {
  const type = heap.readString(entityType);
  if (!state.schema.entityTypes.has(type)) throw new MappingAbortError(`store.get: entity type ${type} is not in the subgraph schema`);
  const data = state.writes.get(type)?.get(heap.readString(id));
  return data ? writeEntity(heap, data) : 0;
}

/** `module.name` of every import the host cannot provide (empty when all are known). */
export function unknownImports(module: WasmModule): string[] {
  return WebAssemblyApi.Module.imports(module)
    .filter((imp) => imp.kind !== 'function' || !Object.hasOwn(HOST_FUNCTIONS, imp.name))
    .map((imp) => `${imp.module}.${imp.name}${imp.kind === 'function' ? '' : ` (${imp.kind})`}`);
}

/** The names of every host function this indexer provides. */
export function hostFunctionNames(): string[] {
  return Object.keys(HOST_FUNCTIONS);
}

export function hostImports(module: WasmModule, state: HostState): WasmImports {
  const imports: Record<string, Record<string, (...args: number[]) => number | bigint | void>> = {};
  for (const imp of WebAssemblyApi.Module.imports(module)) {
    const fn = Object.hasOwn(HOST_FUNCTIONS, imp.name) ? HOST_FUNCTIONS[imp.name] : undefined;
    if (!fn || imp.kind !== 'function') throw new Error(`unknown WASM import ${imp.module}.${imp.name}`);
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = (...args: number[]) => {
      if (!state.heap) throw new Error(`host function ${imp.name} called before the instance was ready`);
      return fn(state, state.heap, ...args);
    };
  }
  return imports;
}
