import WebSocket from 'ws';
import type { Devnet } from '../src/devnet/devnet';

/**
 * When each block of a chain was mined, on this process's clock (performance.now()): the first time
 * the node announced it over an `eth_subscribe('newHeads')` WebSocket. Latencies of the floor and of the
 * facilitator are both read from it (block of StakeRequested → block of MintProgressed), so neither
 * depends on how fast its receipt polling happens to notice a block.
 */
export class BlockClock {
  private readonly seen = new Map<bigint, number>();
  private highest = -1n;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly socket: WebSocket,
    private readonly name: string,
  ) {}

  static async start(wsUrl: string, name: string): Promise<BlockClock> {
    const socket = new WebSocket(wsUrl);
    const clock = new BlockClock(socket, name);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const subscribed = new Promise<void>((resolve, reject) => {
      socket.on('message', (data: WebSocket.RawData) => {
        const message = JSON.parse(data.toString()) as { id?: number; error?: { message: string }; params?: { result?: { number?: string } } };
        if (message.id === 1) return message.error ? reject(new Error(`${name}: newHeads: ${message.error.message}`)) : resolve();
        const number = message.params?.result?.number;
        if (number) clock.record(BigInt(number));
      });
    });
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }));
    await subscribed;
    return clock;
  }

  private record(block: bigint): void {
    const now = performance.now();
    // Blocks announced together (or a skipped announcement) share the time the later one was seen.
    const from = this.highest < 0n ? block : this.highest + 1n;
    for (let b = from; b <= block; b++) if (!this.seen.has(b)) this.seen.set(b, now);
    if (block > this.highest) this.highest = block;
    for (const wake of this.waiters) wake();
  }

  /** performance.now() when `block` was announced; waits for it (up to timeoutMs) if it is not yet. */
  async minedAt(block: bigint, timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.seen.get(block);
      if (at !== undefined) return at;
      if (this.highest >= block) throw new Error(`${this.name}: block ${block} was mined before the block clock started`);
      if (Date.now() > deadline) throw new Error(`${this.name}: block ${block} not announced within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        this.waiters.add(wake);
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

export interface DevnetClocks {
  origin: BlockClock;
  auxiliary: BlockClock;
  close(): void;
}

export async function startDevnetClocks(devnet: Devnet): Promise<DevnetClocks> {
  const [origin, auxiliary] = await Promise.all([
    BlockClock.start(devnet.info.origin.wsUrl, 'origin'),
    BlockClock.start(devnet.info.auxiliary.wsUrl, 'auxiliary'),
  ]);
  return {
    origin,
    auxiliary,
    close: () => {
      origin.close();
      auxiliary.close();
    },
  };
}
