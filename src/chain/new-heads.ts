import WebSocket from 'ws';
import { backoffDelay } from '../errors/backoff';
import type { Logger } from '../logging/logger';
import { redactUrl } from '../logging/redact-url';

/** Where new blocks are announced: a listener is called with each new head's number. */
export interface HeadSource {
  onHead(listener: (head: bigint) => void): () => void;
}

/** A head source held by one user until it releases it. */
export interface HeldHeads {
  heads: HeadSource;
  release(): void;
}

/** Gets a head source when a loop starts (undefined: none, poll only); released when the loop stops. */
export type HeadsProvider = () => HeldHeads | undefined;

/**
 * The WebSocket counterpart of an HTTP JSON-RPC URL (same host, port, path and query: anvil, geth and
 * most providers serve both), or undefined for a URL that is neither http(s) nor ws(s).
 */
export function wsUrlFor(rpcUrl: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(rpcUrl);
  } catch {
    return undefined;
  }
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  else if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return undefined;
  return parsed.toString();
}

/** Reconnects after 1 s doubling up to a minute: a node without WebSocket costs one attempt a minute. */
const RECONNECT_BACKOFF = { initialMs: 1_000, maxMs: 60_000 };

/**
 * `eth_subscribe('newHeads')` over the node's WebSocket, reconnecting with backoff. It only wakes
 * pollers early: whoever listens keeps its own polling (and its own reads of the head), so a node
 * without WebSocket, or a dropped connection, only costs the poll interval again.
 */
export class NewHeads implements HeadSource {
  private readonly listeners = new Set<(head: bigint) => void>();
  private readonly wsUrls: readonly string[];
  private socket: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Which of wsUrls the next connection goes to: the next one after a failure, back to the first after a full round. */
  private next = 0;
  /** The current connection got its subscription: once it closes, reconnecting starts with the preferred endpoint. */
  private subscribed = false;
  private stopped = true;

  /** `wsUrl`: one URL, or several by preference (a connection that fails moves on to the next). */
  constructor(
    wsUrl: string | readonly string[],
    private readonly logger: Logger,
  ) {
    this.wsUrls = typeof wsUrl === 'string' ? [wsUrl] : wsUrl;
  }

  onHead(listener: (head: bigint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => undefined);
    this.socket?.terminate();
    this.socket = undefined;
  }

  private connect(): void {
    const wsUrl = this.wsUrls[this.next];
    const socket = new WebSocket(wsUrl, { handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on('open', () => socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] })));
    socket.on('message', (data: WebSocket.RawData) => this.receive(data.toString()));
    socket.on('error', (error: Error & { code?: unknown }) => {
      if (this.failures === 0) this.logger.info({ endpoint: redactUrl(wsUrl), errorName: error.name, code: error.code }, 'newHeads subscription unavailable: polling');
    });
    socket.on('close', () => this.reconnectLater(socket));
  }

  private receive(text: string): void {
    let message: { id?: number; error?: unknown; params?: { result?: { number?: unknown } } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.id === 1) {
      if (message.error) this.socket?.close();
      else this.failures = 0;
      if (!message.error) this.subscribed = true;
      return;
    }
    const number = message.params?.result?.number;
    if (typeof number !== 'string') return;
    const head = BigInt(number);
    for (const listener of this.listeners) listener(head);
  }

  private reconnectLater(socket: WebSocket): void {
    if (this.stopped || this.socket !== socket) return;
    this.socket = undefined;
    this.failures += 1;
    this.next = this.subscribed ? 0 : (this.next + 1) % this.wsUrls.length;
    this.subscribed = false;
    // The other endpoints at once; the backoff after a whole round failed.
    const delay = this.next === 0 ? backoffDelay(Math.ceil(this.failures / this.wsUrls.length), RECONNECT_BACKOFF) : 0;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

const shared = new Map<string, { heads: NewHeads; users: number }>();

/**
 * One subscription per node URL (or list of them: the endpoints of a chain, by preference) for the whole process (the transaction engine and the embedded indexer
 * of a chain share it), started on first use and stopped when its last user releases it. Undefined
 * when the URL has no WebSocket counterpart.
 */
export function acquireNewHeads(rpcUrl: string | { urls: readonly string[]; wsUrls?: readonly string[] }, logger: Logger): HeldHeads | undefined {
  const wsUrls = typeof rpcUrl === 'string' ? [wsUrlFor(rpcUrl)] : (rpcUrl.wsUrls ?? rpcUrl.urls.map(wsUrlFor));
  const usable = wsUrls.filter((url): url is string => url !== undefined);
  if (usable.length === 0) return undefined;
  const key = usable.join('\n');
  let entry = shared.get(key);
  if (!entry) {
    entry = { heads: new NewHeads(usable, logger), users: 0 };
    shared.set(key, entry);
    entry.heads.start();
  }
  entry.users += 1;
  const held = entry;
  let released = false;
  return {
    heads: held.heads,
    release: () => {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users > 0) return;
      held.heads.stop();
      if (shared.get(key) === held) shared.delete(key);
    },
  };
}
