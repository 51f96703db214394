import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { guardedGraphqlHttp, guardedGraphqlWsOptions, type GraphqlLimits } from '../server/guarded-graphql';
import { DEFAULT_MAX_WS_PAYLOAD_BYTES, quietClientProtocolErrors, requestGuard, sendJson } from '../server/http-guards';
import { graphiqlPage } from './graphiql';
import { createMetrics } from './metrics';
import { buildStatusSchema } from './schema';
import type { StatusSource } from './status-source';

export interface StatusListenOptions {
  /** Loopback unless told otherwise: the API shows operational data. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Host names browsers may use besides loopback and `host` (Origin/Host allow-list). */
  allowedHosts?: string[];
  limits?: GraphqlLimits;
  /** Per WebSocket message (default 1 MiB). */
  maxWsPayloadBytes?: number;
  /** How errors name where host and port came from (default the flags --status-host / --status-port). */
  settingNames?: { host: string; port: string };
}

export interface StatusServeOptions {
  source: StatusSource;
  /** Extra health checks; any false makes /health answer 503. */
  health?: () => Promise<Record<string, boolean>>;
}

export type StatusServerOptions = StatusListenOptions & StatusServeOptions;

export interface StatusServer {
  url: string;
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}

/** A status server listening, answering 503 until `serve` gives it what to serve. */
export interface BoundStatusServer extends StatusServer {
  serve(options: StatusServeOptions): void;
}

const GRAPHQL_PATH = '/graphql';

/**
 * Binds the status API's port first (so a bad host or a taken port fails before `start` writes
 * anything), answering 503 until `serve`. HTTP and WebSocket requests pass the Origin/Host guard
 * and the body, document and subscription limits.
 */
export async function bindStatusServer(options: StatusListenOptions = {}): Promise<BoundStatusServer> {
  const host = options.host ?? '127.0.0.1';
  const guard = requestGuard({ listenHost: host, allowedHosts: options.allowedHosts });
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let wsServer: { dispose(): Promise<void> | void } | undefined;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const refused = guard(req);
    if (refused) return sendJson(res, 403, { error: refused });
    if (!handler) return sendJson(res, 503, { error: 'the facilitator is starting' });
    handler(req, res);
  });
  const wss = new WebSocketServer({
    server,
    path: GRAPHQL_PATH,
    maxPayload: options.maxWsPayloadBytes ?? DEFAULT_MAX_WS_PAYLOAD_BYTES,
    verifyClient: (info: { req: IncomingMessage }, callback: (ok: boolean, code?: number, message?: string) => void) => {
      const refused = guard(info.req);
      if (refused) return callback(false, 403, refused);
      callback(handler !== undefined, 503, 'the facilitator is starting');
    },
  });

  // ws re-emits the http server's errors; listen errors are reported below, once.
  wss.on('error', () => undefined);
  quietClientProtocolErrors(wss);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      const names = options.settingNames ?? { host: '--status-host', port: '--status-port' };
      const fix = code === 'EADDRINUSE' || code === 'EACCES' ? `choose another ${names.port}` : `use 127.0.0.1 or an address of this machine for ${names.host}`;
      reject(new Error(`status API cannot listen on ${host}:${options.port ?? 0} (${code}): ${fix}`));
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}${GRAPHQL_PATH}`,
    wsUrl: `ws://${urlHost}:${port}${GRAPHQL_PATH}`,
    port,
    serve: (serve) => {
      const { schema, rootValue } = buildStatusSchema(serve.source);
      const graphqlHandler = guardedGraphqlHttp({ schema, rootValue, limits: options.limits });
      const registry = createMetrics(serve.source);
      wsServer = useServer({ schema, roots: { subscription: {} }, ...guardedGraphqlWsOptions(options.limits) }, wss);
      handler = (req, res) => {
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
            const checks = (await serve.health?.()) ?? {};
            const healthy = Object.values(checks).every(Boolean);
            return respond(healthy ? 200 : 503, 'application/json', JSON.stringify({ status: healthy ? 'ok' : 'degraded', checks }));
          }
          respond(404, 'application/json', JSON.stringify({ error: `no route ${path}: try ${GRAPHQL_PATH}, /metrics or /health` }));
        })().catch((error: unknown) => sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) }));
      };
    },
    close: () => (closing ??= (async () => {
      await wsServer?.dispose();
      await new Promise<void>((resolve) => {
        wss.close(() => server.close(() => resolve()));
        server.closeAllConnections();
      });
    })()),
  };
}

/** Serves the status API: GraphQL over HTTP (GraphiQL on GET), subscriptions over graphql-ws, /metrics, /health. */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const bound = await bindStatusServer(options);
  bound.serve(options);
  return bound;
}
