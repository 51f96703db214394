import { ApolloClient, HttpLink, InMemoryCache, split, type NormalizedCacheObject } from '@apollo/client/core';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import type { DocumentNode } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Observable } from 'rxjs';
import WebSocket from 'ws';
import type { EndpointStatus, EndpointSwitch } from '../failover/endpoint-pool';
import { metaDocument } from './documents';
import { SubgraphEndpoints, type SubgraphFailover } from './subgraph-endpoints';

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

/**
 * A subgraph's GraphQL API through @apollo/client: queries over HTTP, subscriptions over graphql-ws.
 * No caching: every read must see the indexer's current state.
 */
export class SubgraphClient {
  private readonly apollo: ApolloClient<NormalizedCacheObject>;
  private readonly ws: WsClient | undefined;
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
    this.ws = wsUrls
      ? createClient({
          url: () => (wsUrl = this.endpoints.wsUrl()!),
          webSocketImpl: WebSocket,
          lazy: true,
          keepAlive: 10_000,
          retryAttempts: 0, // the entity stream owns reconnection (with catch-up), not the socket
        })
      : undefined;
    const link = this.ws
      ? split(
          ({ query }) => {
            const definition = getMainDefinition(query);
            return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
          },
          new GraphQLWsLink(this.ws),
          httpLink,
        )
      : httpLink;
    this.apollo = new ApolloClient({
      link,
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

  get supportsSubscriptions(): boolean {
    return this.ws !== undefined;
  }

  async query<T>(document: DocumentNode, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await this.apollo.query<T>({ query: document, variables });
    return result.data;
  }

  subscribe<T>(document: DocumentNode, variables: Record<string, unknown> = {}): Observable<T> {
    if (!this.ws) throw new Error(`subgraph ${this.endpoint.name} has no WebSocket URL: cannot subscribe`);
    return new Observable<T>((subscriber) => {
      const subscription = this.apollo.subscribe<T>({ query: document, variables, fetchPolicy: 'no-cache' }).subscribe({
        next: (result) => {
          if (result.errors && result.errors.length > 0) {
            subscriber.error(new Error(result.errors.map((e) => e.message).join('; ')));
          } else if (result.data) {
            subscriber.next(result.data);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => subscription.unsubscribe();
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
