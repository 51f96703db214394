import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { classifyHttpStatus, classifyNodeError, RpcTimeoutError, RpcTransportError, type NodeError } from './node-errors';
import { redactUrl, redactUrlsIn } from '../logging/redact-url';

/** The subset of JSON-RPC the facilitator needs; every call has a timeout (a node may leave a call unanswered). */
export interface JsonRpc {
  readonly url: string;
  request<T = unknown>(method: string, params?: unknown[], options?: { timeoutMs?: number }): Promise<T>;
  /**
   * Several calls in one request (a JSON-RPC batch), results in the calls' order; the first call that
   * failed throws, classified. Optional: without it, callers make one request per call.
   */
  batch?<T = unknown>(calls: ReadonlyArray<{ method: string; params: unknown[] }>, options?: { timeoutMs?: number }): Promise<T[]>;
}

interface JsonRpcResponse {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Connections kept open to one node. Under load every step is several calls: fetch (undici) spent ~9% of
 * the facilitator's CPU on its web streams, abort signals and request objects around each of them;
 * node:http with kept-alive sockets does the same exchange with a fraction of that.
 */
const MAX_SOCKETS_PER_NODE = 64;

/** An answer that is not HTTP 200 (the status), or the body of a 200. */
type HttpAnswer = { ok: false; status: number } | { ok: true; body: string };

/**
 * JSON-RPC over HTTP (node:http, kept-alive connections); one request per call. Every failure is thrown as a NodeError subclass
 * (node-errors.ts), classified here once; messages name the endpoint redacted, never with its key.
 */
export class HttpJsonRpc implements JsonRpc {
  private nextId = 1;
  private readonly endpoint: string;
  /** `user:password@` of the URL goes in an Authorization header instead (never in a request line or a log). */
  private readonly target: { url: string; authorization?: string };
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(
    readonly url: string,
    private readonly defaultTimeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    this.endpoint = redactUrl(url);
    this.target = withoutCredentials(url);
    const secure = this.target.url.startsWith('https:');
    const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS_PER_NODE };
    this.agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = secure ? httpsRequest : httpRequest;
  }

  /** Closes the kept-alive connections (idle ones at once; busy ones when their answer is in). */
  close(): void {
    this.agent.destroy();
  }

  async request<T = unknown>(method: string, params: unknown[] = [], options?: { timeoutMs?: number }): Promise<T> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params });
    const payload = (await this.post(method, body, options?.timeoutMs)) as JsonRpcResponse;
    return this.resultOf<T>(method, payload);
  }

  async batch<T = unknown>(calls: ReadonlyArray<{ method: string; params: unknown[] }>, options?: { timeoutMs?: number }): Promise<T[]> {
    if (calls.length === 0) return [];
    const first = this.nextId;
    this.nextId += calls.length;
    const body = JSON.stringify(calls.map(({ method, params }, i) => ({ jsonrpc: '2.0', id: first + i, method, params })));
    const label = `batch of ${calls.length} ${calls[0].method}`;
    const payload = await this.post(label, body, options?.timeoutMs);
    // A node without batches answers with one error object (or something else that is not a list).
    if (!Array.isArray(payload)) {
      const error = (payload as JsonRpcResponse | null)?.error ?? { code: -32600, message: 'a batch answered with no list' };
      throw classifyNodeError({ method: label, endpoint: this.endpoint, code: error.code, nodeMessage: error.message, data: error.data });
    }
    const byId = new Map((payload as Array<JsonRpcResponse & { id?: unknown }>).map((response) => [response.id, response]));
    return calls.map(({ method }, i) => {
      const response = byId.get(first + i);
      if (!response) throw new RpcTransportError({ method, endpoint: this.endpoint, nodeMessage: `${this.endpoint} left call ${i + 1} of a batch unanswered` });
      return this.resultOf<T>(method, response);
    });
  }

  private resultOf<T>(method: string, payload: JsonRpcResponse): T {
    if (payload.error) {
      const { code, message, data } = payload.error;
      throw classifyNodeError({ method, endpoint: this.endpoint, code, nodeMessage: message, data });
    }
    return payload.result as T;
  }

  /** One HTTP request; the parsed JSON body of a 200 answer. */
  private async post(method: string, body: string, timeoutMs = this.defaultTimeoutMs): Promise<unknown> {
    let answer: HttpAnswer;
    try {
      answer = await this.exchange(body, timeoutMs);
    } catch (error) {
      throw this.unanswered(method, error, timeoutMs);
    }
    if (!answer.ok) throw classifyHttpStatus({ method, endpoint: this.endpoint }, answer.status);
    try {
      return JSON.parse(answer.body) as unknown;
    } catch (error) {
      throw new RpcTransportError({ method, endpoint: this.endpoint, nodeMessage: `${this.endpoint} answered with a body that is not JSON`, cause: safeCause(error) });
    }
  }

  /**
   * POSTs `body`; the status, or the whole body of a 2xx. Rejects on a connection failure or after
   * `timeoutMs` (TimeoutError). A kept-alive connection the node closed as it was reused is tried again
   * once on a fresh one (node's own advice): every call here may be repeated (a repeated broadcast is
   * "already known").
   */
  private exchange(body: string, timeoutMs: number, retryStale = true): Promise<HttpAnswer> {
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (this.target.authorization) headers.authorization = this.target.authorization;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const request = this.send(this.target.url, { method: 'POST', headers, agent: this.agent });
      const timer = setTimeout(() => request.destroy(timeoutError(timeoutMs)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        if (retryStale && request.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET') resolve(this.exchange(body, timeoutMs, false));
        else reject(error);
      };
      request.on('error', fail);
      request.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        if (status < 200 || status > 299) {
          response.resume(); // drained: the connection is reused
          clearTimeout(timer);
          resolve({ ok: false, status });
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('close', () => {
          if (!response.complete) fail(new Error('the connection closed before the answer was complete'));
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ ok: true, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.end(body);
    });
  }

  /** No answer: timed out, or the connection failed (refused, reset, DNS). */
  private unanswered(method: string, error: unknown, timeoutMs: number): NodeError {
    const input = { method, endpoint: this.endpoint, cause: safeCause(error) };
    if (error instanceof Error && error.name === 'TimeoutError') {
      return new RpcTimeoutError({ ...input, nodeMessage: `no answer within ${timeoutMs} ms` });
    }
    return new RpcTransportError({ ...input, nodeMessage: `cannot reach ${this.endpoint} (${describeFetchError(error)})` });
  }
}

function withoutCredentials(url: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (parsed.username === '' && parsed.password === '') return { url };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

function timeoutError(timeoutMs: number): Error {
  const error = new Error(`no answer within ${timeoutMs} ms`);
  error.name = 'TimeoutError';
  return error;
}

/**
 * Transport errors can repeat the URL (some name it in their message): the cause kept on our error is
 * a fresh Error with the URL redacted, carrying the low-level code (ECONNREFUSED, ...) only.
 */
function safeCause(error: unknown): Error {
  const low = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (low as { code?: unknown } | undefined)?.code;
  const safe = new Error(describeFetchError(error));
  safe.name = error instanceof Error ? error.name : 'Error';
  if (typeof code === 'string') Object.assign(safe, { code });
  return safe;
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const text = cause instanceof Error ? cause.message : error.message;
  return redactUrlsIn(text);
}
