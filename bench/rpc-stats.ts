import type { JsonRpc } from '../src/chain/json-rpc';
import type { Devnet } from '../src/devnet/devnet';

export interface MethodStats {
  calls: number;
  meanMs: number;
  maxMs: number;
}

/** Counts the JSON-RPC calls this process makes to the devnet's nodes (per method, with their latency). */
export class RpcStats {
  private readonly byMethod = new Map<string, { calls: number; totalMs: number; maxMs: number }>();

  /** Wraps the `request` of each of the devnet's two clients (the DirectSenders share them). */
  static attach(devnet: Devnet): RpcStats {
    const stats = new RpcStats();
    stats.wrap(devnet.origin.client.rpc, 'origin');
    stats.wrap(devnet.auxiliary.client.rpc, 'auxiliary');
    return stats;
  }

  private wrap(rpc: JsonRpc, side: string): void {
    const original = rpc.request.bind(rpc);
    const record = (method: string, ms: number) => {
      const key = `${side}.${method}`;
      const entry = this.byMethod.get(key) ?? { calls: 0, totalMs: 0, maxMs: 0 };
      entry.calls++;
      entry.totalMs += ms;
      entry.maxMs = Math.max(entry.maxMs, ms);
      this.byMethod.set(key, entry);
    };
    rpc.request = async <T>(method: string, params?: unknown[], options?: { timeoutMs?: number }): Promise<T> => {
      const started = performance.now();
      try {
        return await original<T>(method, params, options);
      } finally {
        record(method, performance.now() - started);
      }
    };
  }

  reset(): void {
    this.byMethod.clear();
  }

  summary(): { calls: number; byMethod: Record<string, MethodStats> } {
    const byMethod: Record<string, MethodStats> = {};
    let calls = 0;
    for (const [key, entry] of [...this.byMethod.entries()].sort((a, b) => b[1].calls - a[1].calls)) {
      calls += entry.calls;
      byMethod[key] = { calls: entry.calls, meanMs: Math.round((entry.totalMs / entry.calls) * 10) / 10, maxMs: Math.round(entry.maxMs) };
    }
    return { calls, byMethod };
  }
}
