import { RevertError } from './errors';
import type { JsonRpc } from './json-rpc';
import { ExecutionRevertedError, UnknownBlockError } from './node-errors';
import { mapConcurrently } from '../util/map-concurrently';

export type BlockTag = bigint | 'latest' | 'pending' | 'earliest';

export interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  stateRoot: string;
  timestamp: string;
  gasLimit: string;
  baseFeePerGas?: string;
  transactions: string[];
}

export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
}

export interface RpcReceipt {
  transactionHash: string;
  blockNumber: string;
  blockHash: string;
  status: string;
  gasUsed: string;
  effectiveGasPrice?: string;
  contractAddress: string | null;
  from: string;
  to: string | null;
  logs: RpcLog[];
}

export interface RpcProof {
  address: string;
  accountProof: string[];
  balance: string;
  codeHash: string;
  nonce: string;
  storageHash: string;
  storageProof: Array<{ key: string; value: string; proof: string[] }>;
}

export interface CallRequest {
  from?: string;
  to: string;
  data: string;
  value?: bigint;
  gas?: bigint;
}

export function toQuantity(value: bigint | number): string {
  return `0x${BigInt(value).toString(16)}`;
}

function tag(block: BlockTag): string {
  return typeof block === 'bigint' ? toQuantity(block) : block;
}

/** Blocks asked for in one JSON-RPC batch (providers commonly accept 100 or more). */
const BLOCK_BATCH = 100;
/** Batches in flight at once. */
const BATCHES_IN_FLIGHT = 4;
/** Single block requests in flight at once, without batches. */
const BLOCK_FETCHES = 16;

/** Typed JSON-RPC reads for one chain. Every call carries the JsonRpc's timeout. */
export class ChainClient {
  /** The node answered a batch with an error and the same calls singly without: no more batches. */
  private batchesRefused = false;

  constructor(
    readonly rpc: JsonRpc,
    readonly chainId: number,
  ) {}

  async getChainId(): Promise<number> {
    return Number(await this.rpc.request<string>('eth_chainId'));
  }

  async blockNumber(): Promise<bigint> {
    return BigInt(await this.rpc.request<string>('eth_blockNumber'));
  }

  async getBlock(block: BlockTag): Promise<RpcBlock> {
    const result = await this.rpc.request<RpcBlock | null>('eth_getBlockByNumber', [tag(block), false]);
    if (!result) throw new UnknownBlockError({ method: 'eth_getBlockByNumber', nodeMessage: `block ${String(block)} not found on chain ${this.chainId}` });
    return result;
  }

  /**
   * Headers of several blocks, in order: JSON-RPC batches of BLOCK_BATCH, BATCHES_IN_FLIGHT at a time,
   * when the transport has them, else (or once a batch failed where single calls then worked: a node without batches) one call each,
   * BLOCK_FETCHES at a time.
   */
  async getBlocks(numbers: readonly bigint[]): Promise<RpcBlock[]> {
    const batches: bigint[][] = [];
    for (let i = 0; i < numbers.length; i += BLOCK_BATCH) batches.push(numbers.slice(i, i + BLOCK_BATCH));
    return (await mapConcurrently(batches, BATCHES_IN_FLIGHT, (batch) => this.blockBatch(batch))).flat();
  }

  private async blockBatch(numbers: readonly bigint[]): Promise<RpcBlock[]> {
    const singly = () => mapConcurrently(numbers, BLOCK_FETCHES, (n) => this.getBlock(n));
    if (!this.rpc.batch || this.batchesRefused) return singly();
    let results: Array<RpcBlock | null>;
    try {
      results = await this.rpc.batch<RpcBlock | null>(numbers.map((n) => ({ method: 'eth_getBlockByNumber', params: [toQuantity(n), false] })));
    } catch {
      const blocks = await singly();
      this.batchesRefused = true; // the batch failed, the same calls one by one did not
      return blocks;
    }
    return results.map((block, i) => {
      if (!block) throw new UnknownBlockError({ method: 'eth_getBlockByNumber', nodeMessage: `block ${numbers[i]} not found on chain ${this.chainId}` });
      return block;
    });
  }

  async getBlockByHash(hash: string): Promise<RpcBlock | null> {
    return this.rpc.request<RpcBlock | null>('eth_getBlockByHash', [hash, false]);
  }

  async getBalance(address: string, block: BlockTag = 'latest'): Promise<bigint> {
    return BigInt(await this.rpc.request<string>('eth_getBalance', [address, tag(block)]));
  }

  async getTransactionCount(address: string, block: BlockTag = 'pending'): Promise<bigint> {
    return BigInt(await this.rpc.request<string>('eth_getTransactionCount', [address, tag(block)]));
  }

  async gasPrice(): Promise<bigint> {
    return BigInt(await this.rpc.request<string>('eth_gasPrice'));
  }

  async getCode(address: string): Promise<string> {
    return this.rpc.request<string>('eth_getCode', [address, 'latest']);
  }

  /** The receipt, or null while not mined. */
  async getReceipt(hash: string): Promise<RpcReceipt | null> {
    return this.rpc.request<RpcReceipt | null>('eth_getTransactionReceipt', [hash]);
  }

  async getLogs(filter: { fromBlock: bigint; toBlock: bigint; address?: string | string[]; topics?: (string | string[] | null)[] }): Promise<RpcLog[]> {
    return this.rpc.request<RpcLog[]>('eth_getLogs', [
      { ...filter, fromBlock: toQuantity(filter.fromBlock), toBlock: toQuantity(filter.toBlock) },
    ]);
  }

  async getProof(address: string, slots: string[], block: BlockTag): Promise<RpcProof> {
    return this.rpc.request<RpcProof>('eth_getProof', [address, slots, tag(block)]);
  }

  async sendRawTransaction(raw: string): Promise<string> {
    return this.rpc.request<string>('eth_sendRawTransaction', [raw]);
  }

  /**
   * eth_call; a revert becomes a RevertError carrying the reason (label names the call in the message).
   * Used both for reads and to simulate a transaction before sending it.
   */
  async call(request: CallRequest, block: BlockTag = 'latest', label = 'call'): Promise<string> {
    const params: Record<string, string> = { to: request.to, data: request.data };
    if (request.from) params.from = request.from;
    if (request.value !== undefined) params.value = toQuantity(request.value);
    if (request.gas !== undefined) params.gas = toQuantity(request.gas);
    try {
      return await this.rpc.request<string>('eth_call', [params, tag(block)]);
    } catch (error) {
      if (error instanceof ExecutionRevertedError) throw new RevertError(label, error.reason, { cause: error });
      throw error;
    }
  }
}
