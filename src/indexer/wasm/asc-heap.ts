import { bigIntToSignedLE, signedLEAt } from './bytes';
import type { WasmMemory } from './wasm-api';

/**
 * Objects in the memory of a mapping compiled by graph-cli's AssemblyScript 0.19 (stub runtime):
 * every object is allocated with the exported `__new(size, classId)`, which writes the 20-byte header
 * (class id at ptr-8, payload size at ptr-4). Layouts:
 *   String       UTF-16LE code units, length = size / 2
 *   ArrayBuffer  raw bytes
 *   Uint8Array   { buffer, dataStart, byteLength }            (Bytes, Address, BigInt alike)
 *   Array<T>     { buffer, dataStart, byteLength, length }    (T a pointer here)
 *   classes      fields in declaration order, 4-byte pointers; Value = { kind: i32 @0, data: u64 @8 }
 */

/** graph-node's `IndexForAscTypeId` values this host allocates; `id_of_type` maps them to class ids. */
export enum AscTypeId {
  String = 0,
  ArrayBuffer = 1,
  Uint8Array = 6,
  BigDecimal = 12,
  ArrayEthereumValue = 15,
  ArrayStoreValue = 16,
  ArrayEventParam = 19,
  ArrayTypedMapEntryStringStoreValue = 21,
  EventParam = 23,
  EthereumTransaction = 24,
  EthereumBlock = 25,
  EthereumValue = 30,
  StoreValue = 31,
  EthereumEvent = 33,
  TypedMapEntryStringStoreValue = 34,
  TypedMapStringStoreValue = 36,
}

export type ClassIds = Record<keyof typeof AscTypeId, number>;

export interface AscExports {
  memory: WasmMemory;
  __new(size: number, classId: number): number;
  id_of_type(typeId: number): number;
  _start(): void;
}

/** Asks the module for the class id of every type this host allocates (ids differ per module). */
export function resolveClassIds(exports: AscExports): ClassIds {
  const ids = {} as ClassIds;
  for (const name of Object.keys(AscTypeId).filter((k) => Number.isNaN(Number(k))) as Array<keyof typeof AscTypeId>) {
    ids[name] = exports.id_of_type(AscTypeId[name]) >>> 0;
  }
  return ids;
}

const utf16 = new TextDecoder('utf-16le');

/** Strings up to this size (bytes) are read unit by unit; longer ones through the decoder. */
const SHORT_STRING_BYTES = 256;

export class AscHeap {
  private buffer: ArrayBuffer | undefined;
  private view!: DataView;
  private bytes!: Uint8Array;
  /** The memory as a Buffer too: its hex codec writes straight into the WASM memory. */
  private nodeBuffer!: Buffer;

  constructor(
    private readonly exports: AscExports,
    readonly ids: ClassIds,
  ) {}

  /**
   * Views die when memory grows (in __new or in the mapping): check before every access. Growing
   * detaches the old buffer, which empties its views: that is the cheap test (memory.buffer is not).
   */
  private sync(): void {
    if (this.buffer !== undefined && this.bytes.byteLength !== 0) return;
    const buffer = this.exports.memory.buffer;
    this.buffer = buffer;
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
    this.nodeBuffer = Buffer.from(buffer);
  }

  /** Bytes of memory the instance has now. */
  memorySize(): number {
    return this.exports.memory.buffer.byteLength;
  }

  alloc(size: number, classId: number): number {
    const ptr = this.exports.__new(size, classId) >>> 0;
    this.sync();
    return ptr;
  }

  u32(ptr: number): number {
    this.sync();
    return this.view.getUint32(ptr, true);
  }

  i32(ptr: number): number {
    this.sync();
    return this.view.getInt32(ptr, true);
  }

  u64(ptr: number): bigint {
    this.sync();
    return this.view.getBigUint64(ptr, true);
  }

  private checkPtr(ptr: number, what: string): void {
    if (ptr === 0) throw new Error(`null ${what} pointer from the mapping`);
  }

  readString(ptr: number): string {
    this.checkPtr(ptr, 'string');
    const size = this.u32(ptr - 4);
    if (size > SHORT_STRING_BYTES) return utf16.decode(this.bytes.subarray(ptr, ptr + size));
    // Short strings (entity types, ids, field names): code units copied as they are (as String.fromCharCode
    // would), by Buffer's native UTF-16 slice: no decoder call, no array of units.
    return this.nodeBuffer.toString('utf16le', ptr, ptr + (size & ~1));
  }

  /** A copy of a Uint8Array's (Bytes, Address, BigInt) contents. */
  readBytes(ptr: number): Uint8Array {
    this.checkPtr(ptr, 'bytes');
    const dataStart = this.u32(ptr + 4);
    const byteLength = this.u32(ptr + 8);
    return this.bytes.slice(dataStart, dataStart + byteLength);
  }

  readBigInt(ptr: number): bigint {
    this.checkPtr(ptr, 'BigInt');
    const dataStart = this.u32(ptr + 4); // syncs the views first
    return signedLEAt(this.bytes, dataStart, this.u32(ptr + 8));
  }

  /** Elements of an Array of pointers. */
  readPtrArray(ptr: number): number[] {
    this.checkPtr(ptr, 'array');
    const dataStart = this.u32(ptr + 4);
    const length = this.i32(ptr + 12);
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = this.view.getUint32(dataStart + 4 * i, true);
    return out;
  }

  newString(value: string): number {
    const ptr = this.alloc(2 * value.length, this.ids.String);
    this.nodeBuffer.write(value, ptr, 2 * value.length, 'utf16le'); // code units as they are, lone surrogates too
    return ptr;
  }

  newArrayBuffer(contents: Uint8Array): number {
    const ptr = this.alloc(contents.length, this.ids.ArrayBuffer);
    this.bytes.set(contents, ptr);
    return ptr;
  }

  /** A Uint8Array, as graph-node allocates Bytes, Address and BigInt. */
  newUint8Array(contents: Uint8Array): number {
    const buffer = this.newArrayBuffer(contents);
    return this.newStruct([buffer, buffer, contents.length], this.ids.Uint8Array);
  }

  /**
   * A Uint8Array of the bytes a 0x-hex string spells, decoded straight into memory (no intermediate
   * array); throws as hexToBytes does for text that is not hex bytes.
   */
  newUint8ArrayFromHex(hex: string): number {
    const start = hex.startsWith('0x') || hex.startsWith('0X') ? 2 : 0;
    const length = (hex.length - start) / 2;
    if (!Number.isInteger(length)) throw new Error(`not a hex byte string: ${hex.slice(0, 80)}`);
    const buffer = this.alloc(length, this.ids.ArrayBuffer);
    if (this.nodeBuffer.write(start === 0 ? hex : hex.slice(start), buffer, length, 'hex') !== length) throw new Error(`not a hex byte string: ${hex.slice(0, 80)}`);
    return this.newStruct([buffer, buffer, length], this.ids.Uint8Array);
  }

  newBigInt(value: bigint): number {
    if (value < 0n || value >= 0x80000000n) return this.newUint8Array(bigIntToSignedLE(value));
    // 0 <= value < 2^31 (indexes, block numbers, timestamps, zeros): minimal little-endian bytes in place.
    const small = Number(value);
    const length = small < 0x80 ? 1 : small < 0x8000 ? 2 : small < 0x800000 ? 3 : 4;
    const buffer = this.alloc(length, this.ids.ArrayBuffer);
    for (let i = 0; i < length; i++) this.bytes[buffer + i] = (small >>> (8 * i)) & 0xff;
    return this.newStruct([buffer, buffer, length], this.ids.Uint8Array);
  }

  newPtrArray(ptrs: readonly number[], classId: number): number {
    const buffer = this.alloc(4 * ptrs.length, this.ids.ArrayBuffer);
    for (let i = 0; i < ptrs.length; i++) this.view.setUint32(buffer + 4 * i, ptrs[i], true);
    return this.newStruct([buffer, buffer, 4 * ptrs.length, ptrs.length], classId);
  }

  /** An object whose fields are all 32-bit (pointers or integers), in declaration order. */
  newStruct(fields: readonly number[], classId: number): number {
    const ptr = this.alloc(4 * fields.length, classId);
    for (let i = 0; i < fields.length; i++) this.view.setUint32(ptr + 4 * i, fields[i], true);
    return ptr;
  }

  /** ethereum.Value or store Value: { kind: i32, data: u64 }. */
  newEnumValue(kind: number, data: bigint, classId: number): number {
    const ptr = this.alloc(16, classId);
    this.view.setInt32(ptr, kind, true);
    this.view.setBigUint64(ptr + 8, BigInt.asUintN(64, data), true);
    return ptr;
  }
}
