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
 * JSON-RPC over HTTP with fetch; one request per call. Every failure is thrown as a NodeError subclass
 * (node-errors.ts), classified here once; messages name the endpoint redacted, never with its key.
 */
export class HttpJsonRpc implements JsonRpc {
  private nextId = 1;
  private readonly endpoint: string;
  /** fetch refuses URLs with credentials: `user:password@` goes in an Authorization header instead. */
  private readonly target: { url: string; authorization?: string };

  constructor(
    readonly url: string,
    private readonly defaultTimeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    this.endpoint = redactUrl(url);
    this.target = withoutCredentials(url);
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
    let response: Response;
    try {
      response = await fetch(this.target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.target.authorization ? { authorization: this.target.authorization } : {}) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw this.unanswered(method, error, timeoutMs);
    }
    if (!response.ok) throw classifyHttpStatus({ method, endpoint: this.endpoint }, response.status);
    return this.readPayload(method, response);
  }

  private async readPayload(method: string, response: Response): Promise<unknown> {
    try {
      return (await response.json()) as unknown;
    } catch (error) {
      throw new RpcTransportError({ method, endpoint: this.endpoint, nodeMessage: `${this.endpoint} answered with a body that is not JSON`, cause: safeCause(error) });
    }
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

/**
 * fetch's errors can repeat the URL (undici names it in some messages): the cause kept on our error is
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
