import { RpcError } from './errors';

/** The subset of JSON-RPC the facilitator needs; every call has a timeout (a node may leave a call unanswered). */
export interface JsonRpc {
  readonly url: string;
  request<T = unknown>(method: string, params?: unknown[], options?: { timeoutMs?: number }): Promise<T>;
}

interface JsonRpcResponse {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** JSON-RPC over HTTP with fetch; one request per call. */
export class HttpJsonRpc implements JsonRpc {
  private nextId = 1;

  constructor(
    readonly url: string,
    private readonly defaultTimeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  async request<T = unknown>(method: string, params: unknown[] = [], options?: { timeoutMs?: number }): Promise<T> {
    const timeoutMs = options?.timeoutMs ?? this.defaultTimeoutMs;
    const body = JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params });
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : `cannot reach ${this.url} (${describeFetchError(error)})`;
      throw new RpcError(`${method}: ${reason}`, method, undefined, undefined, { cause: error });
    }
    if (!response.ok) {
      throw new RpcError(`${method}: HTTP ${response.status} from ${this.url}`, method);
    }
    const payload = (await response.json()) as JsonRpcResponse;
    if (payload.error) {
      throw new RpcError(`${method}: ${payload.error.message}`, method, payload.error.code, payload.error.data);
    }
    return payload.result as T;
  }
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return cause.message;
    return error.message;
  }
  return String(error);
}
