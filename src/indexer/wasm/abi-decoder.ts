import { keccak256 } from './keccak';
import { bytesToHex, hexToBytes } from './bytes';

/**
 * Decodes event logs into graph-node's ethereum.Value tree. Written out (≈ 5 µs per log) instead of
 * using web3-eth-abi (≈ 100 µs per log, mostly address checksumming), and checked against it in tests.
 */

/** graph-ts `ethereum.ValueKind`: the numbers are the WASM ABI. */
export enum EthValueKind {
  Address = 0,
  FixedBytes = 1,
  Bytes = 2,
  Int = 3,
  Uint = 4,
  Bool = 5,
  String = 6,
  FixedArray = 7,
  Array = 8,
  Tuple = 9,
}

export type EthValue =
  | { kind: EthValueKind.Address | EthValueKind.FixedBytes | EthValueKind.Bytes; bytes: Uint8Array }
  | { kind: EthValueKind.Int | EthValueKind.Uint; int: bigint }
  | { kind: EthValueKind.Bool; bool: boolean }
  | { kind: EthValueKind.String; str: string }
  | { kind: EthValueKind.FixedArray | EthValueKind.Array | EthValueKind.Tuple; items: EthValue[] };

/** An ABI input as in a contract's JSON ABI. */
export interface AbiParam {
  name: string;
  type: string;
  indexed?: boolean;
  components?: AbiParam[];
}

export interface AbiEvent {
  type: 'event';
  name: string;
  inputs: AbiParam[];
  anonymous?: boolean;
}

export interface EventParam {
  name: string;
  value: EthValue;
}

type TypeNode =
  | { base: 'uint' | 'int'; bits: number }
  | { base: 'address' | 'bool' | 'string' | 'bytes' }
  | { base: 'fixedBytes'; size: number }
  | { base: 'tuple'; components: TypeNode[] }
  | { base: 'array'; item: TypeNode; length: number | undefined };

function parseType(type: string, components: AbiParam[] | undefined): TypeNode {
  const array = /^(.*)\[(\d*)\]$/.exec(type);
  if (array) {
    return { base: 'array', item: parseType(array[1], components), length: array[2] === '' ? undefined : Number(array[2]) };
  }
  if (type === 'tuple') {
    if (!components) throw new Error('ABI tuple without components');
    return { base: 'tuple', components: components.map((c) => parseType(c.type, c.components)) };
  }
  if (type === 'address' || type === 'bool' || type === 'string' || type === 'bytes') return { base: type };
  const int = /^(u?int)(\d*)$/.exec(type);
  if (int) return { base: int[1] === 'uint' ? 'uint' : 'int', bits: int[2] === '' ? 256 : Number(int[2]) };
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed && Number(fixed[1]) >= 1 && Number(fixed[1]) <= 32) return { base: 'fixedBytes', size: Number(fixed[1]) };
  throw new Error(`unsupported ABI type ${type}`);
}

function isDynamic(node: TypeNode): boolean {
  switch (node.base) {
    case 'string':
    case 'bytes':
      return true;
    case 'array':
      return node.length === undefined || isDynamic(node.item);
    case 'tuple':
      return node.components.some(isDynamic);
    default:
      return false;
  }
}

function isHashedInTopic(node: TypeNode): boolean {
  return node.base === 'string' || node.base === 'bytes' || node.base === 'array' || node.base === 'tuple';
}

/** Bytes a value takes in the head of its enclosing sequence. */
function headSize(node: TypeNode): number {
  if (isDynamic(node)) return 32;
  if (node.base === 'array') return (node.length ?? 0) * headSize(node.item);
  if (node.base === 'tuple') return node.components.reduce((sum, c) => sum + headSize(c), 0);
  return 32;
}

function word(data: Uint8Array, pos: number): Uint8Array {
  if (pos < 0 || pos + 32 > data.length) throw new Error(`ABI data too short: word at ${pos} of ${data.length} bytes`);
  return data.subarray(pos, pos + 32);
}

function uintAt(data: Uint8Array, pos: number): bigint {
  return BigInt(bytesToHex(word(data, pos)));
}

/** A length or offset word, which must fit the data it points into. */
function indexAt(data: Uint8Array, pos: number): number {
  const value = uintAt(data, pos);
  if (value > BigInt(data.length)) throw new Error(`ABI offset or length ${value} beyond ${data.length} bytes of data`);
  return Number(value);
}

function bytesAt(data: Uint8Array, pos: number): Uint8Array {
  const length = indexAt(data, pos);
  if (pos + 32 + length > data.length) throw new Error(`ABI bytes of length ${length} overrun the data`);
  return data.slice(pos + 32, pos + 32 + length);
}

function decodeSequence(nodes: TypeNode[], data: Uint8Array, start: number): EthValue[] {
  const values: EthValue[] = [];
  let head = start;
  for (const node of nodes) {
    if (isDynamic(node)) {
      values.push(decodeAt(node, data, start + indexAt(data, head)));
      head += 32;
    } else {
      values.push(decodeAt(node, data, head));
      head += headSize(node);
    }
  }
  return values;
}

/** Decodes the value whose encoding starts at pos (its tail, for dynamic types). */
function decodeAt(node: TypeNode, data: Uint8Array, pos: number): EthValue {
  switch (node.base) {
    case 'uint':
      return { kind: EthValueKind.Uint, int: uintAt(data, pos) };
    case 'int':
      return { kind: EthValueKind.Int, int: BigInt.asIntN(256, uintAt(data, pos)) };
    case 'address':
      return { kind: EthValueKind.Address, bytes: word(data, pos).slice(12) };
    case 'bool':
      return { kind: EthValueKind.Bool, bool: uintAt(data, pos) !== 0n };
    case 'fixedBytes':
      return { kind: EthValueKind.FixedBytes, bytes: word(data, pos).slice(0, node.size) };
    case 'bytes':
      return { kind: EthValueKind.Bytes, bytes: bytesAt(data, pos) };
    case 'string':
      return { kind: EthValueKind.String, str: Buffer.from(bytesAt(data, pos)).toString('utf8') };
    case 'tuple':
      return { kind: EthValueKind.Tuple, items: decodeSequence(node.components, data, pos) };
    case 'array': {
      if (node.length !== undefined) {
        return { kind: EthValueKind.FixedArray, items: decodeSequence(new Array<TypeNode>(node.length).fill(node.item), data, pos) };
      }
      const length = indexAt(data, pos);
      return { kind: EthValueKind.Array, items: decodeSequence(new Array<TypeNode>(length).fill(node.item), data, pos + 32) };
    }
  }
}

/** Canonical type of a parameter in a signature: tuples spelled out as `(a,b)`. */
function canonicalType(param: AbiParam): string {
  if (!param.type.startsWith('tuple')) return param.type;
  return `(${(param.components ?? []).map(canonicalType).join(',')})${param.type.slice('tuple'.length)}`;
}

/** `Name(type1,type2)`, the string whose keccak256 is topic0. */
export function eventSignature(event: AbiEvent): string {
  return `${event.name}(${event.inputs.map(canonicalType).join(',')})`;
}

/** The manifest's form: `Name(indexed type1,type2)`. */
export function manifestEventSignature(event: AbiEvent): string {
  return `${event.name}(${event.inputs.map((i) => (i.indexed ? 'indexed ' : '') + canonicalType(i)).join(',')})`;
}

export function eventTopic0(event: AbiEvent): string {
  return keccak256(eventSignature(event)).toLowerCase();
}

/** A log decoder for one event, with the type strings parsed once. */
export interface EventDecoder {
  event: AbiEvent;
  topic0: string;
  /** The event's parameters in ABI order, or throws when the log does not fit the event. */
  decode(topics: readonly string[], data: string): EventParam[];
}

/** `topic0` when already known (a mapping worker gets it with the event: no keccak256 to load). */
export function eventDecoder(event: AbiEvent, topic0 = eventTopic0(event)): EventDecoder {
  const nodes = event.inputs.map((input) => parseType(input.type, input.components));
  const indexedCount = event.inputs.filter((input) => input.indexed).length;
  const dataNodes = nodes.filter((_, i) => !event.inputs[i].indexed);
  const firstTopic = event.anonymous ? 0 : 1;
  return {
    event,
    topic0,
    decode(topics, data) {
      if (topics.length !== firstTopic + indexedCount) {
        throw new Error(`${eventSignature(event)} has ${indexedCount} indexed parameters, the log ${topics.length - firstTopic}`);
      }
      const dataValues = decodeSequence(dataNodes, hexToBytes(data), 0);
      let topic = firstTopic;
      let dataIndex = 0;
      return event.inputs.map((input, i) => {
        if (!input.indexed) return { name: input.name, value: dataValues[dataIndex++] };
        const topicBytes = hexToBytes(topics[topic++]);
        if (topicBytes.length !== 32) throw new Error(`topic of ${input.name} is not 32 bytes`);
        // Indexed reference types are only present as their keccak256 hash, as graph-node passes them.
        const value: EthValue = isHashedInTopic(nodes[i]) ? { kind: EthValueKind.FixedBytes, bytes: topicBytes } : decodeAt(nodes[i], topicBytes, 0);
        return { name: input.name, value };
      });
    },
  };
}
