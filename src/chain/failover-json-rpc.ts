import { EndpointPool, type EndpointStatus, type EndpointSwitch, type ProbeResult } from '../failover/endpoint-pool';
import type { Logger } from '../logging/logger';
import { redactUrl } from '../logging/redact-url';
import { HttpJsonRpc, type JsonRpc } from './json-rpc';
import { isEndpointFault, RpcTransportError } from './node-errors';

export interface FailoverOptions {
  /** Each call's timeout on one endpoint (ms). */
  timeoutMs: number;
  /** The chain every endpoint must answer for; one that answers another chain id is never used. */
  chainId: number;
  /** An endpoint more than this many blocks behind the best one is not used. */
  maxLagBlocks: number;
  /** Endpoints are probed (eth_chainId, eth_blockNumber) at most this often, while the chain is in use (ms). */
  healthCheckIntervalMs: number;
  /** A probe not answered within this is a fault (ms). */
  probeTimeoutMs: number;
  logger?: Logger;
  /** Told of every change of the active endpoint (after it is logged). */
  onSwitch?: (change: EndpointSwitch) => void;
  /** Makes the JSON-RPC of one URL (tests: fakes); default HTTP. */
  connect?: (url: string, timeoutMs: number) => JsonRpc;
}

/** The endpoints of a JSON-RPC that has several: what the status API and the metrics show. */
export interface EndpointsView {
  endpoints(): EndpointStatus[];
  switches(): Array<{ from: string; to: string; count: number }>;
}

/**
 * JSON-RPC over several endpoints of one chain, listed by preference (EndpointPool decides which is
 * used). A call that fails because of its endpoint (isEndpointFault: no answer, timeout, HTTP error,
 * rate limit) is tried on the next endpoint; any other answer (a revert, nonce too low, already known)
 * is the chain's and is returned as is. Transactions are signed here, so a raw transaction sent again
 * to another endpoint is the same transaction: at worst a duplicate ("already known"), handled as ever.
 * Probes run in the background of calls, at most once per interval: an idle chain is not probed.
 */
export class FailoverJsonRpc implements JsonRpc, EndpointsView {
  readonly url: string;
  private readonly endpointRpcs: JsonRpc[];
  private readonly pool: EndpointPool;
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  private probing: Promise<void> | undefined;

  constructor(
    urls: readonly string[],
    private readonly options: FailoverOptions,
  ) {
    const connect = options.connect ?? ((url: string, timeoutMs: number) => new HttpJsonRpc(url, timeoutMs));
    this.url = urls[0];
    this.endpointRpcs = urls.map((url) => connect(url, options.timeoutMs));
    this.pool = new EndpointPool(
      urls.map((url) => redactUrl(url)),
      { maxLagBlocks: options.maxLagBlocks, onSwitch: (change) => this.switched(change) },
    );
  }

  async request<T = unknown>(method: string, params: unknown[] = [], options?: { timeoutMs?: number }): Promise<T> {
    return this.onSomeEndpoint(method, (rpc) => rpc.request<T>(method, params, options));
  }

  /** A JSON-RPC batch on the endpoint in use, failing over as a single call does (calls one by one where an endpoint has no batch). */
  async batch<T = unknown>(calls: ReadonlyArray<{ method: string; params: unknown[] }>, options?: { timeoutMs?: number }): Promise<T[]> {
    return this.onSomeEndpoint(calls[0]?.method ?? 'batch', (rpc) =>
      rpc.batch ? rpc.batch<T>(calls, options) : Promise.all(calls.map((call) => rpc.request<T>(call.method, call.params, options))),
    );
  }

  /** `call` on the preferred endpoint that answers: the next one only on an endpoint fault, never on the node's answer. */
  private async onSomeEndpoint<T>(method: string, call: (rpc: JsonRpc) => Promise<T>): Promise<T> {
    this.probeIfDue();
    let lastFault: unknown;
    for (const index of this.pool.order()) {
      try {
        const result = await call(this.endpointRpcs[index]);
        this.pool.answered(index);
        return result;
      } catch (error) {
        if (!isEndpointFault(error)) {
          this.pool.answered(index);
          throw error;
        }
        this.pool.fault(index, error.name);
        lastFault = error;
      }
    }
    throw lastFault ?? new RpcTransportError({ method, nodeMessage: `every endpoint of chain ${this.options.chainId} answers for another chain` });
  }

  endpoints(): EndpointStatus[] {
    return this.pool.status();
  }

  switches(): Array<{ from: string; to: string; count: number }> {
    return this.pool.switches();
  }

  /** Probes every endpoint now (and waits for the answers); calls do this in the background. */
  async probe(): Promise<void> {
    this.lastProbeAt = Date.now();
    this.probing ??= Promise.all(this.endpointRpcs.map(async (rpc, index) => this.pool.probed(index, await this.probeOne(rpc)))).then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private probeIfDue(): void {
    if (this.pool.size < 2 || this.probing || Date.now() - this.lastProbeAt < this.options.healthCheckIntervalMs) return;
    void this.probe();
  }

  private async probeOne(rpc: JsonRpc): Promise<ProbeResult> {
    const timeoutMs = this.options.probeTimeoutMs;
    try {
      const [chainId, head] = await Promise.all([
        rpc.request<string>('eth_chainId', [], { timeoutMs }),
        rpc.request<string>('eth_blockNumber', [], { timeoutMs }),
      ]);
      if (Number(chainId) !== this.options.chainId) return { wrongChain: `WrongChainId ${Number(chainId)}` };
      return { head: BigInt(head) };
    } catch (error) {
      return { fault: error instanceof Error ? error.name : 'Error' };
    }
  }

  private switched(change: EndpointSwitch): void {
    this.options.logger?.warn({ chainId: this.options.chainId, from: change.from, to: change.to, reason: change.reason }, 'RPC endpoint switched');
    this.options.onSwitch?.(change);
  }
}

/** The endpoints of a JSON-RPC, when it has a pool of them (a FailoverJsonRpc); undefined for any other. */
export function endpointsOf(rpc: JsonRpc): EndpointsView | undefined {
  return rpc instanceof FailoverJsonRpc ? rpc : undefined;
}

/** A chain's JSON-RPC endpoints by preference, with their failover settings resolved (defaults applied). */
export interface RpcEndpoints {
  /** http(s) URLs, preferred first. */
  urls: readonly string[];
  /** ws(s) URLs for newHeads, preferred first (default: each of urls as ws://). */
  wsUrls?: readonly string[];
  timeoutMs: number;
  maxLagBlocks: number;
  healthCheckIntervalMs: number;
  probeTimeoutMs: number;
}

const sharedRpcs = new Map<string, FailoverJsonRpc>();

/**
 * One FailoverJsonRpc per chain and endpoint list for the whole process: the transaction engine, the
 * embedded indexer and the status API of a chain see one pool, probed once (it holds no timer or socket,
 * so it needs no stopping). The first caller's logger tells of switches.
 */
export function sharedChainRpc(endpoints: RpcEndpoints, chainId: number, logger?: Logger): FailoverJsonRpc {
  const key = `${chainId}\n${endpoints.urls.join('\n')}`;
  let rpc = sharedRpcs.get(key);
  if (!rpc) {
    rpc = new FailoverJsonRpc(endpoints.urls, { ...endpoints, chainId, logger });
    sharedRpcs.set(key, rpc);
  }
  return rpc;
}
