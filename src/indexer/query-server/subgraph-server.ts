import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { guardedGraphqlHttp, guardedGraphqlWsOptions, type GraphqlLimits } from '../../server/guarded-graphql';
import { DEFAULT_MAX_WS_PAYLOAD_BYTES, quietClientProtocolErrors, requestGuard, sendJson } from '../../server/http-guards';
import type { EntityStore } from '../entity-store/entity-store';
import { buildSubgraphSchema } from './subgraph-schema';

export interface ServedSubgraph {
  /** Served at /subgraphs/name/<name>. */
  name: string;
  /** Reported by _meta.deployment and in graph-node-style errors. */
  deployment: string;
  store: EntityStore;
  /** Whether indexing stopped on a deterministic error (`_meta.hasIndexingErrors`); default never. */
  hasIndexingErrors?: () => boolean;
}

export interface SubgraphServer {
  port: number;
  url(name: string): string;
  wsUrl(name: string): string;
  close(): Promise<void>;
}

const PREFIX = '/subgraphs/name/';

/**
 * graph-node's query API for several subgraphs on one port: POST (or GET) /subgraphs/name/<name> over
 * HTTP, and subscriptions over graphql-ws on the same path.
 */
export interface SubgraphServerOptions {
  host?: string;
  port?: number;
  subgraphs: ServedSubgraph[];
  /** Host names browsers may use besides loopback and `host` (Origin/Host allow-list). */
  allowedHosts?: string[];
  limits?: GraphqlLimits;
  /** Per WebSocket message (default 1 MiB). */
  maxWsPayloadBytes?: number;
}

export async function startSubgraphServer(options: SubgraphServerOptions): Promise<SubgraphServer> {
  const host = options.host ?? '127.0.0.1';
  const guard = requestGuard({ listenHost: host, allowedHosts: options.allowedHosts });
  const routes = new Map<string, { schema: GraphQLSchema; http: ReturnType<typeof guardedGraphqlHttp>; wss: WebSocketServer; dispose: () => Promise<void> }>();
  for (const subgraph of options.subgraphs) {
    const schema = buildSubgraphSchema(subgraph.store, subgraph.deployment, subgraph.hasIndexingErrors);
    const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxWsPayloadBytes ?? DEFAULT_MAX_WS_PAYLOAD_BYTES });
    quietClientProtocolErrors(wss);
    const ws = useServer({ schema, ...guardedGraphqlWsOptions(options.limits) }, wss);
    routes.set(subgraph.name, { schema, http: guardedGraphqlHttp({ schema, limits: options.limits }), wss, dispose: async () => { await ws.dispose(); } });
  }
  const routeOf = (url: string | undefined) => {
    const path = (url ?? '/').split('?')[0].replace(/\/+$/, '');
    return path.startsWith(PREFIX) ? { name: decodeURIComponent(path.slice(PREFIX.length)), route: routes.get(decodeURIComponent(path.slice(PREFIX.length))) } : undefined;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const refused = guard(req);
    if (refused) return sendJson(res, 403, { errors: [{ message: refused }] });
    const found = routeOf(req.url);
    if (!found?.route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: found ? `subgraph \`${found.name}\` not found` : `no route ${req.url}: query ${PREFIX}<name>` }] }));
      return;
    }
    found.route.http(req, res).catch((error: unknown) => sendJson(res, 500, { errors: [{ message: error instanceof Error ? error.message : String(error) }] }));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refused = guard(req);
    if (refused) {
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ errors: [{ message: refused }] })}`);
      return;
    }
    const found = routeOf(req.url);
    if (!found?.route) {
      socket.write('HTTP/1.1 404 Not Found\r\n\r\n');
      socket.destroy();
      return;
    }
    const { wss } = found.route;
    wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`subgraph server cannot listen on ${host}:${options.port ?? 0} (${error.code ?? error.message})`)),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (name) => `http://${host}:${port}${PREFIX}${name}`,
    wsUrl: (name) => `ws://${host}:${port}${PREFIX}${name}`,
    close: async () => {
      for (const route of routes.values()) {
        await route.dispose();
        for (const client of route.wss.clients) client.terminate();
        route.wss.close();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
