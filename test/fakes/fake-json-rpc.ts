import type { RpcReceipt } from '../../src/chain/chain-client';
import type { JsonRpc } from '../../src/chain/json-rpc';
import { classifyNodeError } from '../../src/chain/node-errors';
import type { MosaicContractName } from '../../src/mosaic/artifacts';
import { contractInterface } from '../../src/mosaic/contracts';

type CallHandler = (...args: unknown[]) => unknown;

const hex = (value: bigint) => `0x${value.toString(16)}`;

/**
 * The JsonRpc port in memory: eth_call is answered by per-contract handlers (arguments decoded and
 * results encoded with the real ABIs), balances, receipts and pending transactions come from maps.
 * Unknown methods and unregistered calls throw, so a test sees every read it did not expect.
 */
export class FakeJsonRpc implements JsonRpc {
  readonly url = 'fake://json-rpc';
  readonly requests: Array<{ method: string; params: unknown[] }> = [];
  readonly balances = new Map<string, bigint>();
  readonly receipts = new Map<string, RpcReceipt>();
  /** Transactions a node knows but has not mined (eth_getTransactionByHash without a receipt). */
  readonly pending = new Set<string>();
  head = 100n;
  /**
   * The fee market: with `baseFee` the latest block carries it (type 2: eth_feeHistory's next base fee and
   * eth_maxPriorityFeePerGas answer), without it the chain is legacy (eth_gasPrice answers `gasPrice`).
   */
  fees: { baseFee?: bigint; priority: bigint; gasPrice: bigint } = { priority: 0n, gasPrice: 1n };
  private readonly contracts = new Map<string, { name: MosaicContractName; handlers: Record<string, CallHandler> }>();

  constructor(readonly chainId: number) {}

  /** Answers eth_call to `address` with `handlers[method](...decodedArgs)`. */
  contract(address: string, name: MosaicContractName, handlers: Record<string, CallHandler>): this {
    const existing = this.contracts.get(address.toLowerCase());
    this.contracts.set(address.toLowerCase(), { name, handlers: { ...existing?.handlers, ...handlers } });
    return this;
  }

  /** Node errors to answer with, once each, for the next request of their method (classified as HttpJsonRpc does). */
  readonly failures: Array<{ method: string; nodeMessage: string; code?: number }> = [];

  async request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    this.requests.push({ method, params });
    const failure = this.failures.findIndex((f) => f.method === method);
    if (failure >= 0) {
      const [{ nodeMessage, code }] = this.failures.splice(failure, 1);
      throw classifyNodeError({ method, endpoint: this.url, code: code ?? -32000, nodeMessage });
    }
    return this.answer(method, params) as T;
  }

  private answer(method: string, params: unknown[]): unknown {
    switch (method) {
      case 'eth_chainId':
        return `0x${this.chainId.toString(16)}`;
      case 'eth_blockNumber':
        return `0x${this.head.toString(16)}`;
      case 'eth_getBalance':
        return `0x${(this.balances.get(String(params[0]).toLowerCase()) ?? 0n).toString(16)}`;
      case 'eth_getTransactionReceipt':
        return this.receipts.get(String(params[0])) ?? null;
      case 'eth_getTransactionByHash': {
        const hash = String(params[0]);
        if (this.receipts.has(hash)) return { hash, blockNumber: this.receipts.get(hash)!.blockNumber };
        return this.pending.has(hash) ? { hash, blockNumber: null } : null;
      }
      case 'eth_call':
        return this.call(params[0] as { to: string; data: string });
      case 'eth_getBlockByNumber':
        return { number: `0x${this.head.toString(16)}`, ...(this.fees.baseFee !== undefined ? { baseFeePerGas: hex(this.fees.baseFee) } : {}) };
      case 'eth_gasPrice':
        return hex(this.fees.gasPrice);
      case 'eth_maxPriorityFeePerGas':
        return hex(this.fees.priority);
      case 'eth_feeHistory':
        return { baseFeePerGas: [hex(this.fees.baseFee ?? 0n)], reward: [[hex(this.fees.priority)]] };
      default:
        throw new Error(`FakeJsonRpc: no answer for ${method}`);
    }
  }

  private call(request: { to: string; data: string }): string {
    const contract = this.contracts.get(request.to.toLowerCase());
    if (!contract) throw new Error(`FakeJsonRpc: eth_call to unknown contract ${request.to}`);
    const iface = contractInterface(contract.name);
    const { method, args } = iface.decodeCall(request.data);
    const handler = contract.handlers[method];
    if (!handler) throw new Error(`FakeJsonRpc: ${contract.name}.${method} not answered`);
    return iface.encodeResult(method, [handler(...args)]);
  }
}
