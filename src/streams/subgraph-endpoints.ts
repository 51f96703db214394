import { EndpointPool, type EndpointStatus, type EndpointSwitch } from '../failover/endpoint-pool';
import { redactUrl } from '../logging/redact-url';
import { metaDocument } from './documents';
import { print } from 'graphql';

/** Failover settings of a subgraph with several graph-nodes (resolved: defaults applied). */
export interface SubgraphFailover {
  /** A graph-node whose subgraph head is more than this many blocks behind the best one is not used. */
  maxLagBlocks: number;
  /** Each graph-node's `_meta` is queried this often while the subgraph is in use (ms). */
  healthCheckIntervalMs: number;
  probeTimeoutMs: number;
}

/** A graph-node that does not answer, answers too late, with an HTTP 5xx or a rate limit. */
export class SubgraphEndpointError extends Error {
  override readonly name = 'SubgraphEndpointError';
}

/**
 * The graph-nodes serving one subgraph, by preference (EndpointPool decides which is used). `fetch` is
 * what the GraphQL client sends queries with: a query whose graph-node fails (no answer, timeout, 5xx,
 * 429) goes to the next; any other answer, GraphQL errors included, is returned as is. The ws URL of
 * the subscription transport follows the active graph-node (the ws list names the same graph-nodes, in
 * the same order). Probes (`_meta`) run in the background of queries, at most once per interval.
 */
export class SubgraphEndpoints {
  private readonly pool: EndpointPool;
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly httpUrls: readonly string[],
    private readonly wsUrls: readonly string[] | undefined,
    private readonly options: SubgraphFailover & { timeoutMs: number; onSwitch?: (change: EndpointSwitch) => void },
  ) {
    this.pool = new EndpointPool(httpUrls.map((url) => redactUrl(url)), { maxLagBlocks: options.maxLagBlocks, onSwitch: options.onSwitch });
  }

  /** The ws URL of the active graph-node (the first when the lists differ in length). */
  wsUrl(): string | undefined {
    if (!this.wsUrls || this.wsUrls.length === 0) return undefined;
    return this.wsUrls.length === this.httpUrls.length ? this.wsUrls[this.pool.active() ?? 0] : this.wsUrls[0];
  }

  endpoints(): EndpointStatus[] {
    return this.pool.status();
  }

  /** A fetch for the GraphQL client: the request goes to the active graph-node, then to the others. */
  readonly fetch = async (_input: unknown, init?: RequestInit): Promise<Response> => {
    this.probeIfDue();
    let lastFault: SubgraphEndpointError | undefined;
    for (const index of this.pool.order()) {
      const response = await this.send(index, init, this.options.timeoutMs);
      if (response instanceof Response) return response;
      lastFault = response;
    }
    throw lastFault ?? new SubgraphEndpointError('no subgraph endpoint');
  };

  /** Queries every graph-node's `_meta` now (and waits); queries do this in the background. */
  async probe(): Promise<void> {
    this.lastProbeAt = Date.now();
    const body = JSON.stringify({ query: print(metaDocument()) });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    this.probing ??= Promise.all(this.httpUrls.map(async (_, index) => this.probeOne(index, init)))
      .then(() => undefined)
      .finally(() => {
        this.probing = undefined;
      });
    return this.probing;
  }

  private probeIfDue(): void {
    if (this.pool.size < 2 || this.probing || Date.now() - this.lastProbeAt < this.options.healthCheckIntervalMs) return;
    void this.probe();
  }

  private async probeOne(index: number, init: RequestInit): Promise<void> {
    const response = await this.send(index, init, this.options.probeTimeoutMs);
    if (!(response instanceof Response)) return; // send recorded the fault
    try {
      const payload = (await response.json()) as { data?: { _meta?: { block?: { number?: number } } } };
      const head = payload.data?._meta?.block?.number;
      if (typeof head === 'number') this.pool.probed(index, { head: BigInt(head) });
      else this.pool.fault(index, 'NoSubgraphHead');
    } catch {
      this.pool.fault(index, 'SubgraphEndpointError');
    }
  }

  /** One try on one graph-node: its answer, or the fault (recorded in the pool). */
  private async send(index: number, init: RequestInit | undefined, timeoutMs: number): Promise<Response | SubgraphEndpointError> {
    const name = this.pool.name(index);
    let response: Response;
    try {
      response = await fetch(this.httpUrls[index], { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      this.pool.fault(index, timedOut ? 'SubgraphTimeout' : 'SubgraphUnreachable');
      return new SubgraphEndpointError(timedOut ? `subgraph ${name}: no answer within ${timeoutMs} ms` : `subgraph ${name} cannot be reached`);
    }
    if (response.status >= 500 || response.status === 429) {
      this.pool.fault(index, `HTTP ${response.status}`);
      return new SubgraphEndpointError(`subgraph ${name} answered HTTP ${response.status}`);
    }
    this.pool.answered(index);
    return response;
  }
}
