import type { AscHeap } from './asc-heap';
import { formatBigDecimal, parseBigDecimal } from './big-decimal';
import type { EntityData, StoreValue } from './types';

/**
 * graph-ts entities in WASM memory <-> EntityData. An Entity is a TypedMap
 * { entries: Array<TypedMapEntry { key: string, value: Value }> }; a store Value is
 * { kind: i32, data: u64 } with kinds numbered as graph-ts `ValueKind`.
 */

const KIND_NUMBERS: Record<StoreValue['kind'], number> = {
  String: 0,
  Int: 1,
  BigDecimal: 2,
  Bool: 3,
  Array: 4,
  Null: 5,
  Bytes: 6,
  BigInt: 7,
  Int8: 8,
  Timestamp: 9,
};

function readBigDecimal(heap: AscHeap, ptr: number): string {
  if (ptr === 0) throw new Error('null BigDecimal pointer from the mapping');
  return formatBigDecimal(heap.readBigInt(heap.u32(ptr)), heap.readBigInt(heap.u32(ptr + 4)));
}

export function readStoreValue(heap: AscHeap, ptr: number): StoreValue {
  if (ptr === 0) throw new Error('null store Value pointer from the mapping');
  const kind = heap.i32(ptr);
  const data = heap.u64(ptr + 8);
  const pointer = Number(data & 0xffffffffn);
  switch (kind) {
    case 0:
      return { kind: 'String', value: heap.readString(pointer) };
    case 1:
      return { kind: 'Int', value: Number(BigInt.asIntN(32, data)) };
    case 2:
      return { kind: 'BigDecimal', value: readBigDecimal(heap, pointer) };
    case 3:
      return { kind: 'Bool', value: data !== 0n };
    case 4:
      return { kind: 'Array', value: heap.readPtrArray(pointer).map((item) => readStoreValue(heap, item)) };
    case 5:
      return { kind: 'Null' };
    case 6:
      return { kind: 'Bytes', value: heap.readBytes(pointer) };
    case 7:
      return { kind: 'BigInt', value: heap.readBigInt(pointer) };
    case 8:
      return { kind: 'Int8', value: BigInt.asIntN(64, data) };
    case 9:
      return { kind: 'Timestamp', value: BigInt.asIntN(64, data) };
    default:
      throw new Error(`unknown store value kind ${kind}`);
  }
}

export function readEntity(heap: AscHeap, ptr: number): EntityData {
  if (ptr === 0) throw new Error('null entity pointer from the mapping');
  const data: EntityData = new Map();
  for (const entry of heap.readPtrArray(heap.u32(ptr))) {
    data.set(heap.readString(heap.u32(entry)), readStoreValue(heap, heap.u32(entry + 4)));
  }
  return data;
}

function storeValueData(heap: AscHeap, value: StoreValue): bigint {
  switch (value.kind) {
    case 'String':
      return BigInt(heap.newString(value.value));
    case 'Int':
      return BigInt(value.value);
    case 'BigDecimal': {
      const { digits, exp } = parseBigDecimal(value.value);
      return BigInt(heap.newStruct([heap.newBigInt(digits), heap.newBigInt(exp)], heap.ids.BigDecimal));
    }
    case 'Bool':
      return value.value ? 1n : 0n;
    case 'Array':
      return BigInt(heap.newPtrArray(value.value.map((item) => writeStoreValue(heap, item)), heap.ids.ArrayStoreValue));
    case 'Null':
      return 0n;
    case 'Bytes':
      return BigInt(heap.newUint8Array(value.value));
    case 'BigInt':
      return BigInt(heap.newBigInt(value.value));
    case 'Int8':
    case 'Timestamp':
      return value.value;
  }
}

export function writeStoreValue(heap: AscHeap, value: StoreValue): number {
  return heap.newEnumValue(KIND_NUMBERS[value.kind], storeValueData(heap, value), heap.ids.StoreValue);
}

export function writeEntity(heap: AscHeap, data: EntityData): number {
  const entries: number[] = [];
  for (const [key, value] of data) {
    entries.push(heap.newStruct([heap.newString(key), writeStoreValue(heap, value)], heap.ids.TypedMapEntryStringStoreValue));
  }
  const array = heap.newPtrArray(entries, heap.ids.ArrayTypedMapEntryStringStoreValue);
  return heap.newStruct([array], heap.ids.TypedMapStringStoreValue);
}
