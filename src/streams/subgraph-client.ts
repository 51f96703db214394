import { ApolloClient, HttpLink, InMemoryCache, type NormalizedCacheObject } from '@apollo/client/core';
import { print, type DocumentNode } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Observable } from 'rxjs';
import WebSocket from 'ws';
import type { EndpointStatus, EndpointSwitch } from '../failover/endpoint-pool';
import { metaDocument } from './documents';
import { SubgraphEndpoints, type SubgraphFailover } from './subgraph-endpoints';
import { classifyBlockMessage, classifyQueryError, SubscriptionsUnavailableError } from './subgraph-errors';

export interface SubgraphEndpoint {
  /** Names the subgraph in logs, e.g. `origin`. */
  name: string;
  /** graph-node query URL: http://host:port/subgraphs/name/<name>; or several graph-nodes by preference. */
  http: string | readonly string[];
  /** graphql-ws URL, for the subscription transport; with several graph-nodes, one per http URL, same order. */
  ws?: string | readonly string[];
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Several graph-nodes: when one is not used (lag) and how often they are probed. Without it, no probes. */
  failover?: SubgraphFailover;
  /** Told of every change of the graph-node used. */
  onSwitch?: (change: EndpointSwitch) => void;
}

const NO_PROBES: SubgraphFailover = { maxLagBlocks: Number.MAX_SAFE_INTEGER, healthCheckIntervalMs: Number.POSITIVE_INFINITY, probeTimeoutMs: 0 };

const listOf = (value: string | readonly string[]): readonly string[] => (typeof value === 'string' ? [value] : value);

export interface SubgraphHead {
  number: number;
  hash: string;
  hasIndexingErrors: boolean;
}

/** What a WebSocket attempt showed before connection_ack, in words safe to log (no URL, no raw text). */
function describeSocketFailure(event: unknown): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const { code, reason, message, error } = event as { code?: unknown; reason?: unknown; message?: unknown; error?: { code?: unknown } };
  if (error?.code === 'ECONNREFUSED') return 'the WebSocket connection was refused';
  const status = typeof message === 'string' ? /Unexpected server response: (\d+)/.exec(message) : null;
  if (status) return `the WebSocket upgrade was answered with HTTP ${status[1]}`;
  if (typeof code === 'number') {
    const why = typeof reason === 'string' && reason !== '' ? `: ${reason.slice(0, 80)}` : '';
    return `the WebSocket closed before connection_ack (code ${code}${why})`;
  }
  return typeof error?.code === 'string' ? `the WebSocket failed (${error.code})` : undefined;
}

/** The first GraphQL error's message of an `error` answer, cut short. */
function firstMessage(errors: unknown): string {
  const first: unknown = Array.isArray(errors) ? errors[0] : errors;
  const message = first !== null && typeof first === 'object' ? (first as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message.slice(0, 120) : 'no message';
}

/**
 * A subgraph's GraphQL API: queries over HTTP (@apollo/client, no caching: every read must see the
 * indexer's current state), subscriptions over graphql-ws. Knows, for all the streams of its endpoint,
 * whether the server turned out to have no subscriptions (graph-node ≥ 0.38 has none).
 */
export class SubgraphClient {
  private readonly apollo: ApolloClient<NormalizedCacheObject>;
  private readonly ws: WsClient | undefined;
  /** The current WebSocket attempt: acknowledged yet, and what failed before it was. */
  private socket: { acked: boolean; failure?: string } = { acked: false };
  private unavailable: string | undefined;
  private indexingErrors = false;
  /** The graph-nodes of this subgraph and which one is used. */
  readonly endpoints: SubgraphEndpoints;

  constructor(readonly endpoint: SubgraphEndpoint) {
    const timeoutMs = endpoint.timeoutMs ?? 15_000;
    const wsUrls = endpoint.ws === undefined ? undefined : listOf(endpoint.ws);
    let wsUrl: string | undefined;
    this.endpoints = new SubgraphEndpoints(listOf(endpoint.http), wsUrls, {
      ...(endpoint.failover ?? NO_PROBES),
      timeoutMs,
      onSwitch: (change) => {
        endpoint.onSwitch?.(change);
        // A subscription stays on its graph-node: closed when another is chosen, the streams subscribe again (with catch-up).
        if (wsUrl !== undefined && this.endpoints.wsUrl() !== wsUrl) void this.ws?.terminate();
      },
    });
    const httpLink = new HttpLink({ uri: listOf(endpoint.http)[0], fetch: this.endpoints.fetch });
    const noteFailure = (event: unknown) => {
      if (!this.socket.acked) this.socket.failure ??= describeSocketFailure(event);
    };
    this.ws = wsUrls
      ? createClient({
          url: () => (wsUrl = this.endpoints.wsUrl()!),
          webSocketImpl: WebSocket,
          lazy: true,
          keepAlive: 10_000,
          retryAttempts: 0, // the entity stream owns reconnection (with catch-up), not the socket
          on: {
            connecting: () => (this.socket = { acked: false }),
            connected: () => (this.socket.acked = true),
            error: noteFailure,
            closed: noteFailure,
          },
        })
      : undefined;
    this.apollo = new ApolloClient({
      link: httpLink,
      cache: new InMemoryCache(),
      defaultOptions: {
        query: { fetchPolicy: 'no-cache', errorPolicy: 'none' },
        watchQuery: { fetchPolicy: 'no-cache' },
      },
    });
  }

  /** Each graph-node of this subgraph: which is used, its health and head (a single one: always active). */
  endpointStatus(): EndpointStatus[] {
    return this.endpoints.endpoints();
  }

  /** False once a stream of this endpoint found the server without subscriptions (or no WebSocket URL): its streams poll. */
  get supportsSubscriptions(): boolean {
    return this.unavailable === undefined;
  }

  /** Records that the server has no subscriptions; true the first time only (the caller logs it once per endpoint). */
  markSubscriptionsUnavailable(reason: string): boolean {
    if (this.unavailable !== undefined) return false;
    this.unavailable = reason;
    return true;
  }

  /** Records `_meta.hasIndexingErrors`; true when it turned true (the caller says so once per failure and endpoint). */
  noteIndexingErrors(failed: boolean): boolean {
    const turned = failed && !this.indexingErrors;
    this.indexingErrors = failed;
    return turned;
  }

  async query<T>(document: DocumentNode, variables: Record<string, unknown> = {}): Promise<T> {
    try {
      const result = await this.apollo.query<T>({ query: document, variables });
      return result.data;
    } catch (error) {
      throw classifyQueryError(error, this.endpoint.name);
    }
  }

  /**
   * A subscription's results. A WebSocket that fails before connection_ack (refused, upgrade answered
   * with a non-101 status, closed at init) or an `error` answer before the first result fails it with
   * SubscriptionsUnavailableError; a failure after that is a transient one (Error).
   */
  subscribe<T>(document: DocumentNode, variables: Record<string, unknown> = {}): Observable<T> {
    const ws = this.ws;
    const name = this.endpoint.name;
    if (!ws) return new Observable<T>((subscriber) => subscriber.error(new SubscriptionsUnavailableError(name, 'no WebSocket URL is configured')));
    return new Observable<T>((subscriber) => {
      let answered = false;
      const failed = (error: unknown): Error => {
        if (!this.socket.acked) return new SubscriptionsUnavailableError(name, this.socket.failure ?? describeSocketFailure(error) ?? 'the WebSocket closed before connection_ack');
        // graphql-ws `error` message (the operation refused, e.g. a schema without Subscription): an array of GraphQL errors.
        // One saying the data is not there yet (not started syncing, block not yet indexed) comes from a server
        // that does serve subscriptions: a transient failure, not a reason to poll from now on.
        if (!answered && Array.isArray(error)) {
          return classifyBlockMessage(firstMessage(error), name, error) ?? new SubscriptionsUnavailableError(name, `subscribe was answered with an error: ${firstMessage(error)}`);
        }
        return new Error(`subscription to subgraph ${name} failed: ${describeSocketFailure(error) ?? firstMessage(error)}`);
      };
      const dispose = ws.subscribe<T>(
        { query: print(document), variables },
        {
          next: (result) => {
            if (result.errors && result.errors.length > 0) return subscriber.error(new Error(`subscription to subgraph ${name} failed: ${firstMessage(result.errors)}`));
            answered = true;
            if (result.data) subscriber.next(result.data as T);
          },
          error: (error: unknown) => subscriber.error(failed(error)),
          complete: () => subscriber.complete(),
        },
      );
      return () => dispose();
    });
  }

  async head(): Promise<SubgraphHead> {
    const data = await this.query<{ _meta: { block: { number: number; hash: string | null }; hasIndexingErrors: boolean } }>(
      metaDocument(),
    );
    return {
      number: data._meta.block.number,
      hash: data._meta.block.hash ?? '',
      hasIndexingErrors: data._meta.hasIndexingErrors,
    };
  }

  async close(): Promise<void> {
    this.apollo.stop();
    await this.ws?.dispose();
  }
}
