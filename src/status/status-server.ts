import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { adminGuard } from '../server/admin-guard';
import { guardedGraphqlHttp, guardedGraphqlWsOptions, type GraphqlLimits } from '../server/guarded-graphql';
import { DEFAULT_MAX_WS_PAYLOAD_BYTES, quietClientProtocolErrors, requestGuard, sendJson } from '../server/http-guards';
import { graphiqlPage } from './graphiql';
import { createMetrics } from './metrics';
import { buildStatusSchema } from './schema';
import type { AdminActions, StatusSource } from './status-source';

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
  /** The admin actions and the token that unlocks them (POST /admin); none: /admin answers 404. */
  admin?: { token: string; actions: AdminActions };
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
const ADMIN_PATH = '/admin';

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
      const served = statusRoutes(serve, host, options);
      wsServer = useServer({ schema: served.schema, roots: { subscription: {} }, ...guardedGraphqlWsOptions(options.limits) }, wss);
      handler = served.handler;
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

/** The routes once there is something to serve: GraphQL (GraphiQL on GET), /admin, /metrics, /health. */
function statusRoutes(serve: StatusServeOptions, host: string, options: StatusListenOptions) {
  const { schema, rootValue } = buildStatusSchema(serve.source, serve.admin?.actions);
  const graphqlHandler = guardedGraphqlHttp({ schema, rootValue, limits: options.limits });
  const adminHandler = serve.admin
    ? adminHttp(host, serve.admin.token, guardedGraphqlHttp({
        schema,
        rootValue,
        limits: options.limits,
        context: (req) => ({ adminActor: `an operator (admin API from ${req.socket.remoteAddress ?? 'loopback'})` }),
      }))
    : undefined;
  const registry = createMetrics(serve.source);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
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
      if (path === ADMIN_PATH) {
        if (!adminHandler) return respond(404, 'application/json', JSON.stringify({ error: 'admin actions are not enabled on this server (no admin token)' }));
        return adminHandler(req, res);
      }
      if (path === '/metrics') return respond(200, registry.contentType, await registry.metrics());
      if (path === '/health') {
        const checks = (await serve.health?.()) ?? {};
        const healthy = Object.values(checks).every(Boolean);
        return respond(healthy ? 200 : 503, 'application/json', JSON.stringify({ status: healthy ? 'ok' : 'degraded', checks }));
      }
      respond(404, 'application/json', JSON.stringify({ error: `no route ${path}: try ${GRAPHQL_PATH}, ${ADMIN_PATH}, /metrics or /health` }));
    })().catch((error: unknown) => sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) }));
  };
  return { schema, handler };
}

/** POST /admin: the admin guard (loopback, bearer token) first, then GraphQL with the operator named in the context. */
function adminHttp(listenHost: string, token: string, graphql: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  const guard = adminGuard({ listenHost, token });
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refused = guard(req);
    if (!refused) return graphql(req, res);
    req.resume();
    if (refused.status === 401) res.setHeader('www-authenticate', 'Bearer realm="facilitator-admin"');
    sendJson(res, refused.status, { errors: [{ message: refused.error }] });
  };
}

/** Serves the status API: GraphQL over HTTP (GraphiQL on GET), subscriptions over graphql-ws, /metrics, /health; admin actions on POST /admin. */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const bound = await bindStatusServer(options);
  bound.serve(options);
  return bound;
}
