import { ApolloClient, HttpLink, InMemoryCache, split, type NormalizedCacheObject } from '@apollo/client/core';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import type { DocumentNode } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Observable } from 'rxjs';
import WebSocket from 'ws';
import { metaDocument } from './documents';

export interface SubgraphEndpoint {
  /** Names the subgraph in logs, e.g. `origin`. */
  name: string;
  /** graph-node query URL: http://host:port/subgraphs/name/<name>. */
  http: string;
  /** graphql-ws URL, for the subscription transport. */
  ws?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
}

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

  constructor(readonly endpoint: SubgraphEndpoint) {
    const timeoutMs = endpoint.timeoutMs ?? 15_000;
    const httpLink = new HttpLink({
      uri: endpoint.http,
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    });
    this.ws = endpoint.ws
      ? createClient({
          url: endpoint.ws,
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
