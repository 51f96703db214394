import type { ChainClient } from '../src/chain/chain-client';
import type { BenchDevnet } from './bench-devnet';
import { counterTotal, cpuMs, type BenchFacilitator } from './facilitator-run';

const MB = 1024 * 1024;

/** The facilitator's V8 heap (used of total) and memory outside it, from its own /metrics: what the RSS is made of. */
async function memoryParts(metricsUrl: string): Promise<string> {
  const metrics = await (await fetch(metricsUrl)).text();
  const mb = (name: string) => Math.round(counterTotal(metrics, `facilitator_process_nodejs_${name}`) / MB);
  return `heap ${mb('heap_size_used_bytes')} of ${mb('heap_size_total_bytes')} MB, external ${mb('external_memory_bytes')} MB`;
}

/** Who has transactions waiting in a node's pool (txpool_inspect): role, count, lowest nonce, and the chain's nonce for them. */
async function poolSenders(client: ChainClient, roles: Map<string, string>): Promise<string> {
  const inspect = await client.rpc.request<{ pending: Record<string, Record<string, string>> }>('txpool_inspect');
  const senders = Object.entries(inspect.pending)
    .map(([address, byNonce]) => ({ address: address.toLowerCase(), nonces: Object.keys(byNonce).map(Number) }))
    .sort((a, b) => b.nonces.length - a.nonces.length)
    .slice(0, 3);
  const lines = await Promise.all(
    senders.map(async (s) => {
      const mined = await client.getTransactionCount(s.address, 'latest');
      return `${s.nonces.length} of ${roles.get(s.address) ?? 'other'} ${s.address.slice(0, 8)} from nonce ${Math.min(...s.nonces)} (mined ${mined})`;
    }),
  );
  return lines.join(', ');
}

/**
 * A line every tick about the chains and the processes under load: block rate, last block's fill, base
 * fee, the pool (and who waits in it when it fills up), and the CPU share of the facilitator and of each
 * anvil since the last line. Shows whether a slowdown is the facilitator's or the chain's own.
 */
export class SoakMonitor {
  private last: { at: number; heads: bigint[]; cpu: Array<number | null> } | undefined;
  private readonly roles: Map<string, string>;

  constructor(
    private readonly bench: BenchDevnet,
    private readonly facilitator: BenchFacilitator,
  ) {
    this.roles = new Map(bench.devnet.info.accounts.map((a) => [a.address, a.role as string]));
  }

  private async chain(name: string, client: ChainClient, head: bigint, previous: bigint | undefined, seconds: number): Promise<string> {
    const block = await client.getBlock(head);
    const pool = await client.rpc.request<{ pending: string; queued: string }>('txpool_status').catch(() => undefined);
    const pending = pool ? Number(pool.pending) : 0;
    const waiting = pending > 20 ? `; waiting: ${await poolSenders(client, this.roles).catch((e: unknown) => String(e))}` : '';
    const rate = previous === undefined ? '?' : (Number(head - previous) / seconds).toFixed(1);
    const gasUsed = (block as { gasUsed?: string }).gasUsed;
    const baseFee = block.baseFeePerGas ? `${BigInt(block.baseFeePerGas)} wei` : 'none';
    return `${name} #${head} (${rate} blocks/s, last block ${block.transactions.length} tx ${gasUsed ? Number(BigInt(gasUsed)) : '?'} gas, base fee ${baseFee}, pool ${pool ? `${pending}+${Number(pool.queued)}` : '?'}${waiting})`;
  }

  async line(): Promise<string> {
    const { origin, auxiliary } = this.bench.devnet;
    const now = performance.now();
    const heads = await Promise.all([origin.client.blockNumber(), auxiliary.client.blockNumber()]);
    const cpu = [this.facilitator.cpuMs(), cpuMs(origin.pid), cpuMs(auxiliary.pid)];
    const last = this.last;
    this.last = { at: now, heads, cpu };
    const seconds = last ? (now - last.at) / 1000 : 1;
    const share = (i: number) => {
      const before = last?.cpu[i];
      const after = cpu[i];
      return before === undefined || before === null || after === null ? '?' : `${Math.round((after - before) / (seconds * 10))}%`;
    };
    const chains = await Promise.all([
      this.chain('origin', origin.client, heads[0], last?.heads[0], seconds),
      this.chain('auxiliary', auxiliary.client, heads[1], last?.heads[1], seconds),
    ]);
    const memory = await memoryParts(this.facilitator.metricsUrl).catch((error: unknown) => `memory: ${String(error)}`);
    return `${memory}; CPU facilitator ${share(0)}, anvil origin ${share(1)}, anvil auxiliary ${share(2)}; ${chains.join('; ')}`;
  }
}
