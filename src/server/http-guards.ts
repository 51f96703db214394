import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';

/*
 * Guards shared by the facilitator's HTTP/WebSocket servers (status API, embedded subgraph server).
 * They listen on loopback by default, but a browser on the same machine can still reach them: a web
 * page may POST to http://127.0.0.1:<port>/graphql (its Origin is then the page's), or rebind its own
 * host name to 127.0.0.1 (its Host header is then that name). Both are refused; requests without an
 * Origin header come from non-browser clients (curl, the facilitator itself) and are allowed.
 */

/** 1 MiB: far above any GraphQL document the facilitator sends, far below what would hurt memory. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Per WebSocket message; a graphql-ws subscribe message carries one document. */
export const DEFAULT_MAX_WS_PAYLOAD_BYTES = 1024 * 1024;
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 50;

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'];
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

export interface RequestGuardOptions {
  /** The address the server listens on: allowed as Host/Origin too (unless a wildcard). */
  listenHost: string;
  /** More host names allowed in Host and Origin (e.g. a DNS name of this machine). */
  allowedHosts?: string[];
}

/** Host names without port or IPv6 brackets, lowercase. */
function hostnameOf(hostHeader: string): string {
  const trimmed = hostHeader.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(1, trimmed.indexOf(']'));
  if (isIP(trimmed) === 6) return trimmed;
  const colon = trimmed.lastIndexOf(':');
  return colon >= 0 ? trimmed.slice(0, colon) : trimmed;
}

export type RequestCheck = (req: IncomingMessage) => string | undefined;

/**
 * A check returning why a request (HTTP or WebSocket upgrade) is refused, or undefined when allowed:
 * an Origin header must name an allowed host; the Host header must too, unless the server listens
 * on a wildcard address (then remote clients use whatever name reaches the machine).
 */
export function requestGuard(options: RequestGuardOptions): RequestCheck {
  const listen = options.listenHost.toLowerCase().replace(/^\[|\]$/g, '');
  const allowed = new Set([...LOOPBACK_HOSTS, ...(options.allowedHosts ?? []).map((h) => h.toLowerCase())]);
  const wildcard = WILDCARD_HOSTS.has(listen);
  if (!wildcard) allowed.add(listen);
  return (req) => {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        return `Origin ${JSON.stringify(origin.slice(0, 100))} is not a URL`;
      }
      const originHost = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      // Listening on all addresses, the server's own pages (GraphiQL) come from whatever name reached it.
      const sameOrigin = wildcard && parsed.host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
      if (!allowed.has(originHost) && !sameOrigin) return `cross-origin request from ${JSON.stringify(origin.slice(0, 100))} refused: only ${[...allowed].join(', ')} may call this server`;
    }
    const host = req.headers.host;
    if (!wildcard && host !== undefined && !allowed.has(hostnameOf(host))) {
      return `Host ${JSON.stringify(host.slice(0, 100))} refused: this server answers to ${[...allowed].join(', ')}`;
    }
    return undefined;
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
}

/** The request body is over the limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body too large: the limit is ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads a request body as UTF-8, refusing past `limit` bytes without buffering the rest (declared by
 * Content-Length or not); a refused request is drained and closed by the caller's 413 response.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (error) => {
      if (!done) reject(error);
      done = true;
    });
  });
}

/**
 * Client protocol errors on a WebSocket (a message over maxPayload, a bad frame) are the client's
 * doing: ws closes the connection with the right code itself. They are kept from graphql-ws, which
 * would print each with its stack on stderr (a client could flood the log). Register before useServer.
 */
export function quietClientProtocolErrors(wss: WebSocketServer): void {
  wss.on('connection', (socket: WebSocket) => {
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      const code = (args[0] as { code?: unknown } | undefined)?.code;
      if (event === 'error' && typeof code === 'string' && code.startsWith('WS_ERR_')) return false;
      return emit(event, ...args);
    }) as typeof socket.emit;
  });
}
