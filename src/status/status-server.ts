import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHandler } from 'graphql-http/lib/use/http';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { graphiqlPage } from './graphiql';
import { createMetrics } from './metrics';
import { buildStatusSchema } from './schema';
import type { StatusSource } from './status-source';

export interface StatusServerOptions {
  source: StatusSource;
  /** Loopback unless told otherwise: the API shows operational data. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Extra health checks; any false makes /health answer 503. */
  health?: () => Promise<Record<string, boolean>>;
}

export interface StatusServer {
  url: string;
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';

/** Serves the status API: GraphQL over HTTP (GraphiQL on GET), subscriptions over graphql-ws, /metrics, /health. */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const { schema, rootValue } = buildStatusSchema(options.source);
  const graphqlHandler = createHandler({ schema, rootValue });
  const registry = createMetrics(options.source);

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const respond = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    void (async () => {
      if (path === GRAPHQL_PATH || path === '/') {
        if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
          return respond(200, 'text/html; charset=utf-8', graphiqlPage(GRAPHQL_PATH));
        }
        return graphqlHandler(req, res);
      }
      if (path === '/metrics') return respond(200, registry.contentType, await registry.metrics());
      if (path === '/health') {
        const checks = (await options.health?.()) ?? {};
        const healthy = Object.values(checks).every(Boolean);
        return respond(healthy ? 200 : 503, 'application/json', JSON.stringify({ status: healthy ? 'ok' : 'degraded', checks }));
      }
      respond(404, 'application/json', JSON.stringify({ error: `no route ${path}: try ${GRAPHQL_PATH}, /metrics or /health` }));
    })().catch((error: unknown) => {
      if (!res.headersSent) respond(500, 'application/json', JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
    });
  });

  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH });
  const wsServer = useServer({ schema, roots: { subscription: {} } }, wss);

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`status API cannot listen on ${host}:${options.port ?? 0} (${error.code ?? error.message}): choose another --status-port`)),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}${GRAPHQL_PATH}`,
    wsUrl: `ws://${host}:${port}${GRAPHQL_PATH}`,
    port,
    close: async () => {
      await wsServer.dispose();
      await new Promise<void>((resolve) => {
        wss.close(() => server.close(() => resolve()));
        server.closeAllConnections();
      });
    },
  };
}
