import { EthValueKind, type EthValue, type EventParam } from './abi-decoder';
import type { AscHeap } from './asc-heap';
import type { ChainBlock, ChainLog, ChainTransaction } from './types';

/**
 * ethereum.Event, Block and Transaction in WASM memory, field for field as graph-node writes them
 * for apiVersion 0.0.7+ (Event has a receipt pointer, null unless a handler asks for receipts;
 * transactionLogIndex = logIndex and logType = null, as graph-node does since it dropped them).
 */

const ZERO_HASH = new Uint8Array(32);
const ZERO_ADDRESS = new Uint8Array(20);
const EMPTY = new Uint8Array(0);

function hashOrZero(heap: AscHeap, hex: string | undefined): number {
  return hex ? heap.newUint8ArrayFromHex(hex) : heap.newUint8Array(ZERO_HASH);
}

function writeEthValue(heap: AscHeap, value: EthValue): number {
  let data: bigint;
  switch (value.kind) {
    case EthValueKind.Address:
    case EthValueKind.FixedBytes:
    case EthValueKind.Bytes:
      data = BigInt(heap.newUint8Array(value.bytes));
      break;
    case EthValueKind.Int:
    case EthValueKind.Uint:
      data = BigInt(heap.newBigInt(value.int));
      break;
    case EthValueKind.Bool:
      data = value.bool ? 1n : 0n;
      break;
    case EthValueKind.String:
      data = BigInt(heap.newString(value.str));
      break;
    default:
      data = BigInt(heap.newPtrArray(value.items.map((item) => writeEthValue(heap, item)), heap.ids.ArrayEthereumValue));
  }
  return heap.newEnumValue(value.kind, data, heap.ids.EthereumValue);
}

function writeParams(heap: AscHeap, params: readonly EventParam[]): number {
  const ptrs = params.map((p) => heap.newStruct([heap.newString(p.name), writeEthValue(heap, p.value)], heap.ids.EventParam));
  return heap.newPtrArray(ptrs, heap.ids.ArrayEventParam);
}

export function writeBlock(heap: AscHeap, block: ChainBlock): number {
  const optional = (value: bigint | undefined): number => (value === undefined ? 0 : heap.newBigInt(value));
  return heap.newStruct(
    [
      heap.newUint8ArrayFromHex(block.hash),
      heap.newUint8ArrayFromHex(block.parentHash),
      hashOrZero(heap, block.unclesHash),
      block.author ? heap.newUint8ArrayFromHex(block.author) : heap.newUint8Array(ZERO_ADDRESS),
      hashOrZero(heap, block.stateRoot),
      hashOrZero(heap, block.transactionsRoot),
      hashOrZero(heap, block.receiptsRoot),
      heap.newBigInt(block.number),
      heap.newBigInt(block.gasUsed ?? 0n),
      heap.newBigInt(block.gasLimit ?? 0n),
      heap.newBigInt(block.timestamp),
      heap.newBigInt(block.difficulty ?? 0n),
      heap.newBigInt(block.totalDifficulty ?? 0n),
      optional(block.size),
      optional(block.baseFeePerGas),
    ],
    heap.ids.EthereumBlock,
  );
}

/** The transaction of a log; without a lookup only hash and index are known (see ChainTransaction). */
export function writeTransaction(heap: AscHeap, log: ChainLog, tx: ChainTransaction | undefined): number {
  return heap.newStruct(
    [
      heap.newUint8ArrayFromHex(tx?.hash ?? log.transactionHash),
      heap.newBigInt(tx?.index ?? BigInt(log.transactionIndex)),
      tx ? heap.newUint8ArrayFromHex(tx.from) : heap.newUint8Array(ZERO_ADDRESS),
      tx?.to ? heap.newUint8ArrayFromHex(tx.to) : 0,
      heap.newBigInt(tx?.value ?? 0n),
      heap.newBigInt(tx?.gasLimit ?? 0n),
      heap.newBigInt(tx?.gasPrice ?? 0n),
      tx ? heap.newUint8ArrayFromHex(tx.input) : heap.newUint8Array(EMPTY),
      heap.newBigInt(tx?.nonce ?? 0n),
    ],
    heap.ids.EthereumTransaction,
  );
}

export function writeEvent(heap: AscHeap, log: ChainLog, params: readonly EventParam[], blockPtr: number, transactionPtr: number): number {
  const logIndex = BigInt(log.logIndex);
  return heap.newStruct(
    [
      heap.newUint8ArrayFromHex(log.address),
      heap.newBigInt(logIndex),
      heap.newBigInt(logIndex),
      0,
      blockPtr,
      transactionPtr,
      writeParams(heap, params),
      0,
    ],
    heap.ids.EthereumEvent,
  );
}
