import {
  decodeLog,
  decodeParameters,
  encodeEventSignature,
  encodeFunctionCall,
  encodeFunctionSignature,
  encodeParameters,
  jsonInterfaceMethodToString,
} from 'web3-eth-abi';
import type { AbiEventFragment, AbiFunctionFragment, AbiParameter } from 'web3-types';
import { abiOf, type Abi, type MosaicContractName } from './artifacts';

export interface DecodedEvent {
  name: string;
  address: string;
  args: Record<string, unknown>;
  logIndex: number;
  blockNumber: bigint;
  transactionHash: string;
}

export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  logIndex?: string | number;
  blockNumber?: string | number;
  transactionHash?: string;
}

/** ABI encoding and decoding for one contract type; no I/O (calls and sends go through chain/). */
export class ContractInterface {
  private readonly functions = new Map<string, AbiFunctionFragment>();
  private readonly eventsByTopic = new Map<string, AbiEventFragment>();
  readonly constructorInputs: readonly AbiParameter[];

  constructor(
    readonly name: string,
    readonly abi: Abi,
  ) {
    let ctorInputs: readonly AbiParameter[] = [];
    for (const fragment of abi) {
      if (fragment.type === 'function') {
        const fn = fragment as AbiFunctionFragment;
        // Overloads are not used by the Mosaic contracts the facilitator calls; keep the first.
        if (!this.functions.has(fn.name)) this.functions.set(fn.name, fn);
      } else if (fragment.type === 'event') {
        const ev = fragment as AbiEventFragment;
        this.eventsByTopic.set(encodeEventSignature(jsonInterfaceMethodToString(ev)), ev);
      } else if (fragment.type === 'constructor') {
        ctorInputs = (fragment as { inputs?: readonly AbiParameter[] }).inputs ?? [];
      }
    }
    this.constructorInputs = ctorInputs;
  }

  static of(name: MosaicContractName): ContractInterface {
    return new ContractInterface(name, abiOf(name));
  }

  fn(method: string): AbiFunctionFragment {
    const fragment = this.functions.get(method);
    if (!fragment) throw new Error(`${this.name} has no function ${method}`);
    return fragment;
  }

  selector(method: string): string {
    return encodeFunctionSignature(jsonInterfaceMethodToString(this.fn(method)));
  }

  encodeCall(method: string, args: readonly unknown[]): string {
    return encodeFunctionCall(this.fn(method), args as unknown[]);
  }

  /** Refuses, at first use, a typed read whose ABI output is not one value of that kind (`int` covers uint* and int*). */
  expectOutput(method: string, kind: 'int' | 'address' | 'bool' | 'bytes32'): void {
    const outputs = this.fn(method).outputs ?? [];
    const type = outputs.length === 1 ? String(outputs[0].type) : `(${outputs.map((o) => String(o.type)).join(',')})`;
    const matches = kind === 'int' ? /^u?int\d*$/.test(type) : type === kind;
    if (!matches) throw new Error(`${this.name}.${method} returns ${type}, not ${kind}`);
  }

  /** The function a calldata calls and its decoded arguments (the inverse of encodeCall). */
  decodeCall(data: string): { method: string; args: unknown[] } {
    for (const [method, fragment] of this.functions) {
      if (!data.startsWith(this.selector(method))) continue;
      const inputs = (fragment.inputs ?? []) as AbiParameter[];
      const decoded = inputs.length === 0 ? {} : decodeParameters(inputs, `0x${data.slice(10)}`);
      return { method, args: inputs.map((_input, index) => (decoded as Record<number, unknown>)[index]) };
    }
    throw new Error(`${this.name} has no function with selector ${data.slice(0, 10)}`);
  }

  /** Return data of a call (the inverse of decodeResult). */
  encodeResult(method: string, values: readonly unknown[]): string {
    const outputs = (this.fn(method).outputs ?? []) as AbiParameter[];
    return outputs.length === 0 ? '0x' : encodeParameters(outputs, values as unknown[]);
  }

  /** Decodes a call's return data into an array of outputs (bigint for integers). */
  decodeResult(method: string, data: string): unknown[] {
    const outputs = this.fn(method).outputs ?? [];
    if (outputs.length === 0) return [];
    const decoded = decodeParameters(outputs as AbiParameter[], data);
    return outputs.map((_output, index) => decoded[index]);
  }

  encodeDeploy(bytecode: string, args: readonly unknown[]): string {
    if (this.constructorInputs.length === 0) return bytecode;
    const encoded = encodeParameters(this.constructorInputs as AbiParameter[], args as unknown[]);
    return bytecode + encoded.replace(/^0x/, '');
  }

  eventTopic(eventName: string): string {
    for (const [topic, ev] of this.eventsByTopic) if (ev.name === eventName) return topic;
    throw new Error(`${this.name} has no event ${eventName}`);
  }

  /** Decodes the logs this ABI knows (matching topic0); logs of other contracts' events are skipped. */
  decodeLogs(logs: readonly RawLog[], onlyAddress?: string): DecodedEvent[] {
    const decoded: DecodedEvent[] = [];
    for (const log of logs) {
      if (onlyAddress && log.address.toLowerCase() !== onlyAddress.toLowerCase()) continue;
      const ev = this.eventsByTopic.get(log.topics[0]);
      if (!ev) continue;
      const inputs = (ev.inputs ?? []) as AbiParameter[];
      const raw = decodeLog(inputs, log.data, log.topics.slice(1)) as Record<string, unknown>;
      const args: Record<string, unknown> = {};
      for (const input of inputs) if (input.name) args[input.name] = raw[input.name];
      decoded.push({
        name: ev.name,
        address: log.address.toLowerCase(),
        args,
        logIndex: Number(log.logIndex ?? 0),
        blockNumber: BigInt(log.blockNumber ?? 0),
        transactionHash: log.transactionHash ?? '',
      });
    }
    return decoded;
  }
}
