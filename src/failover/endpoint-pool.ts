/**
 * Which of several endpoints of one service (a chain's JSON-RPC nodes, a subgraph's graph-nodes) is
 * used: the one owner of that decision. Endpoints are listed by preference; the active one is the
 * first that is healthy and does not lag the best head by more than `maxLagBlocks`. A fault marks an
 * endpoint down until a probe or a request finds it answering again, so the preferred endpoint is
 * used again as soon as it is back.
 */

/** What the pool knows of one endpoint. */
export interface EndpointStatus {
  /** The endpoint redacted (never its key), unique in its pool: what logs, status and metrics show. */
  endpoint: string;
  /** Position in the configured list: 0 is the preferred endpoint. */
  preference: number;
  /** Used now for every request. */
  active: boolean;
  /** Answered its last request or probe. */
  healthy: boolean;
  /** The head block its last probe saw (undefined before the first probe). */
  head?: bigint;
  /** Blocks behind the best healthy endpoint (0 for the best; undefined without a head). */
  lagBlocks?: bigint;
  /** The class of the fault that put it down (undefined while healthy). */
  fault?: string;
}

/** The active endpoint changed: from whom, to whom, and why. */
export interface EndpointSwitch {
  from: string;
  to: string;
  /** e.g. `RpcTransportError on <from>`, `<from> lags 12 blocks`, `<to> is healthy again`. */
  reason: string;
}

interface EndpointState {
  readonly name: string;
  healthy: boolean;
  /** Answers for another chain: never used. */
  excluded: boolean;
  head?: bigint;
  fault?: string;
}

export interface EndpointPoolOptions {
  /** An endpoint whose head is more than this many blocks behind the best healthy endpoint is not used. */
  maxLagBlocks: number;
  /** Told of every change of the active endpoint. */
  onSwitch?: (change: EndpointSwitch) => void;
}

/** A probe's finding: the endpoint's head, a fault (no answer in time, an error), or the wrong chain. */
export type ProbeResult = { head: bigint } | { fault: string } | { wrongChain: string };

export class EndpointPool {
  private readonly states: EndpointState[];
  private activeIndex: number | undefined;
  /** Switches of the active endpoint so far, by `from` and `to` endpoint. */
  private readonly switchCounts = new Map<string, { from: string; to: string; count: number }>();

  constructor(
    names: readonly string[],
    private readonly options: EndpointPoolOptions,
  ) {
    if (names.length === 0) throw new Error('an endpoint pool needs at least one endpoint');
    this.states = uniqueNames(names).map((name) => ({ name, healthy: true, excluded: false }));
    this.activeIndex = 0;
  }

  get size(): number {
    return this.states.length;
  }

  /**
   * Endpoints to try for a request, best first: the usable ones (healthy, not lagging) in preference
   * order, then the others in preference order, as a last resort (with every endpoint down, each is
   * still tried, as a single endpoint always is). Endpoints of another chain are never tried.
   */
  order(): number[] {
    const candidates = this.states.map((_, index) => index).filter((index) => !this.states[index].excluded);
    const usable = candidates.filter((index) => this.usable(index));
    return [...usable, ...candidates.filter((index) => !usable.includes(index))];
  }

  /** The endpoint requests go to first, or undefined when every endpoint answers for another chain. */
  active(): number | undefined {
    return this.order()[0];
  }

  name(index: number): string {
    return this.states[index].name;
  }

  /** A request failed because of the endpoint (no answer, timeout, 5xx, rate limit). */
  fault(index: number, fault: string): void {
    const state = this.states[index];
    const wasHealthy = state.healthy;
    state.healthy = false;
    state.fault = fault;
    if (wasHealthy) this.settle(() => `${fault} on ${state.name}`);
  }

  /** A request was answered (whatever its result): the endpoint is up. */
  answered(index: number): void {
    const state = this.states[index];
    if (state.healthy) return;
    state.healthy = true;
    state.fault = undefined;
    this.settle(() => `${state.name} answers again`);
  }

  /** What a health probe found. */
  probed(index: number, result: ProbeResult): void {
    const state = this.states[index];
    if ('fault' in result) return this.fault(index, result.fault);
    if ('wrongChain' in result) {
      state.excluded = true;
      state.healthy = false;
      state.fault = result.wrongChain;
      return this.settle(() => `${state.name} answers for another chain`);
    }
    state.excluded = false;
    state.healthy = true;
    state.fault = undefined;
    state.head = result.head;
    this.settle(() => this.describeLag());
  }

  status(): EndpointStatus[] {
    const best = this.bestHead();
    const active = this.active();
    return this.states.map((state, index) => ({
      endpoint: state.name,
      preference: index,
      active: index === active,
      healthy: state.healthy,
      head: state.head,
      lagBlocks: state.head !== undefined && best !== undefined ? maxBigint(0n, best - state.head) : undefined,
      fault: state.fault,
    }));
  }

  /** How often the active endpoint changed, by from and to. */
  switches(): Array<{ from: string; to: string; count: number }> {
    return [...this.switchCounts.values()].map((entry) => ({ ...entry }));
  }

  private usable(index: number): boolean {
    const state = this.states[index];
    if (!state.healthy || state.excluded) return false;
    const best = this.bestHead();
    return state.head === undefined || best === undefined || best - state.head <= BigInt(this.options.maxLagBlocks);
  }

  private bestHead(): bigint | undefined {
    let best: bigint | undefined;
    for (const state of this.states) {
      if (state.healthy && state.head !== undefined && (best === undefined || state.head > best)) best = state.head;
    }
    return best;
  }

  /** Recomputes the active endpoint; a change is counted and told with its reason. */
  private settle(reason: () => string): void {
    const next = this.active();
    const previous = this.activeIndex;
    this.activeIndex = next;
    if (next === previous || next === undefined || previous === undefined) return;
    const change = { from: this.states[previous].name, to: this.states[next].name };
    const key = `${change.from}\n${change.to}`;
    const entry = this.switchCounts.get(key) ?? { ...change, count: 0 };
    entry.count += 1;
    this.switchCounts.set(key, entry);
    this.options.onSwitch?.({ ...change, reason: next < previous && this.usable(next) ? `${change.to} is usable again` : reason() });
  }

  private describeLag(): string {
    const lagging = this.status().find((s) => s.healthy && s.lagBlocks !== undefined && s.lagBlocks > BigInt(this.options.maxLagBlocks));
    return lagging ? `${lagging.endpoint} lags ${lagging.lagBlocks} blocks behind the best endpoint` : 'a probe';
  }
}

/** Redacted names can collide (one provider, two keys): the second and later get `#<position>`. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name, index) => {
    const unique = seen.has(name) ? `${name}#${index + 1}` : name;
    seen.add(unique);
    return unique;
  });
}

function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
