import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { GraphQLError, Kind, OperationTypeNode, validate, type DocumentNode, type GraphQLResolveInfo, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { guardedGraphqlWsOptions, type GraphqlLimits } from '../../server/guarded-graphql';
import { DEFAULT_QUERY_LIMITS, parseWithLimits, queryLimitsRule } from '../../server/graphql-limits';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_WS_PAYLOAD_BYTES, quietClientProtocolErrors, readBody, requestGuard, sendJson } from '../../server/http-guards';
import { graphiqlPage } from '../../status/graphiql';
import type { EntityStore } from '../entity-store/entity-store';
import { apiModel } from './api-model';
import { executeQuery, type QueryResultBody, type SubgraphQueryContext } from './execute-query';
import { errors } from './query-errors';
import { buildApiSchema } from './subgraph-schema';

export interface ServedSubgraph {
  /** Served at /subgraphs/name/<name>. */
  name: string;
  /** The deployment hash: served at /subgraphs/id/<deployment>, reported by _meta.deployment and in errors. */
  deployment: string;
  store: EntityStore;
  /** The subgraph's start block: queries at older blocks are refused, as graph-node does (default 0). */
  startBlock?: bigint;
  /** Whether indexing stopped on a deterministic error (`_meta.hasIndexingErrors`); default never. */
  hasIndexingErrors?: () => boolean;
}

export interface SubgraphServer {
  port: number;
  url(name: string): string;
  wsUrl(name: string): string;
  close(): Promise<void>;
}

export interface SubgraphServerOptions {
  host?: string;
  port?: number;
  subgraphs: ServedSubgraph[];
  /** Host names browsers may use besides loopback and `host` (Origin/Host allow-list). */
  allowedHosts?: string[];
  limits?: GraphqlLimits;
  /** Per WebSocket message (default 1 MiB). */
  maxWsPayloadBytes?: number;
  /** Serve subscriptions over graphql-ws (an extension: graph-node ≥ 0.38 has none). Default true. */
  subscriptions?: boolean;
}

/** graph-node's response headers (graph/src/data/query/result.rs `as_http_response`). */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Content-Type, User-Agent',
  'access-control-allow-methods': 'GET, OPTIONS, POST',
};

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...CORS, 'content-type': contentType, ...headers });
  res.end(body);
}

const sendResult = (res: ServerResponse, body: QueryResultBody) => send(res, 200, 'application/json', JSON.stringify(body), { 'graph-attestable': 'true' });
/** server/http/src/service.rs `client_error`: 400 `{"error": …}`. */
const clientError = (res: ServerResponse, message: string) => send(res, 400, 'application/json', JSON.stringify({ error: message }));

interface Route {
  context: SubgraphQueryContext;
  wss?: WebSocketServer;
  dispose: () => Promise<void>;
}

/** server/http/src/request.rs `parse_graphql_request`: the body's query and variables, or the client error. */
function parseRequest(body: string): { query: string; variables?: Record<string, unknown> } | string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return (error as Error).message;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'Request data is not an object';
  const object = json as Record<string, unknown>;
  if (!('query' in object)) return 'The "query" field is missing in request data';
  if (typeof object.query !== 'string') return 'The "query" field is not a string';
  const variables = object.variables;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return 'Invalid query variables provided';
  return { query: object.query, variables: (variables ?? undefined) as Record<string, unknown> | undefined };
}

/** Parsed, and within the document limits (the facilitator's, not graph-node's: its validation is off). */
function parseDocument(query: string, schema: GraphQLSchema, limits: GraphqlLimits | undefined): DocumentNode | QueryResultBody {
  const bounds = limits?.query ?? DEFAULT_QUERY_LIMITS;
  let document: DocumentNode;
  try {
    document = parseWithLimits(bounds)(query);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { errors: [{ message: error.message, ...(error.locations ? { locations: [...error.locations] } : {}) }] };
  }
  const refused = validate(schema, document, [queryLimitsRule(bounds)]);
  return refused.length > 0 ? { errors: refused.map((e) => ({ message: e.message })) } : document;
}

async function answerQuery(req: IncomingMessage, res: ServerResponse, route: Route | undefined, target: string, options: SubgraphServerOptions): Promise<void> {
  if (req.headers['content-type'] === undefined) return clientError(res, 'Content-Type header is required');
  if (!(Number(req.headers['content-length']) > 0) && req.headers['transfer-encoding'] === undefined) return clientError(res, 'Body is required');
  let body: string;
  try {
    body = await readBody(req, options.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return sendJson(res, 413, { errors: [{ message: error.message }] });
    throw error;
  }
  const request = parseRequest(body);
  if (typeof request === 'string') return clientError(res, request);
  if (!route) return sendResult(res, { errors: [{ message: errors.deploymentNotFound(target).message }] });
  const document = parseDocument(request.query, route.context.schema, options.limits);
  if (!('kind' in document)) return sendResult(res, document);
  sendResult(res, await executeQuery(route.context, document, request.variables));
}

/** The route of a path: by name (`/subgraphs/name/<name>`) or deployment (`/subgraphs/id/<hash>`), and whether it asks for GraphiQL. */
function targetOf(url: string | undefined): { by: 'name' | 'id'; target: string; graphiql: boolean } | undefined {
  const segments = (url ?? '/').split('?')[0].split('/').filter((s) => s !== '').map(decodeURIComponent);
  if (segments[0] !== 'subgraphs' || (segments[1] !== 'name' && segments[1] !== 'id') || segments.length < 3) return undefined;
  const graphiql = segments[segments.length - 1] === 'graphql' && segments.length > 3;
  const rest = segments.slice(2, graphiql ? -1 : undefined);
  if (segments[1] === 'id' && rest.length !== 1) return undefined;
  return { by: segments[1], target: rest.join('/'), graphiql };
}

/**
 * Lets I/O callbacks run between the steps of building routes (tens of milliseconds of CPU): an
 * embedded indexer starts following its chains first, and its first eth_getLogs goes out meanwhile.
 */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

async function openRoute(subgraph: ServedSubgraph, options: SubgraphServerOptions): Promise<Route> {
  const model = apiModel(subgraph.store.schema.sdl);
  await yieldToIo();
  const context = {
    store: subgraph.store,
    model,
    deployment: subgraph.deployment,
    startBlock: subgraph.startBlock ?? 0n,
    hasIndexingErrors: subgraph.hasIndexingErrors ?? (() => false),
  } as SubgraphQueryContext;
  if (options.subscriptions === false) {
    context.schema = buildApiSchema(model);
    return { context, dispose: async () => undefined };
  }
  // Built once: a subscription runs again after every commit that touches its type (a schema build costs
  // ~1 ms of CPU and garbage; per push it was 8% of the facilitator's CPU under load).
  const querySchema = buildApiSchema(model);
  await yieldToIo();
  const run = async (info: GraphQLResolveInfo, variables: Record<string, unknown>) => {
    const operation: OperationDefinitionNode = { ...info.operation, operation: OperationTypeNode.QUERY, selectionSet: { kind: Kind.SELECTION_SET, selections: info.fieldNodes } };
    const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...Object.values(info.fragments)] };
    const result = await executeQuery({ ...context, schema: querySchema }, document, variables);
    if (result.errors?.length) throw new GraphQLError(result.errors[0].message);
    return result.data?.[info.path.key];
  };
  context.schema = buildApiSchema(model, { changes$: subgraph.store.changes$, run });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxWsPayloadBytes ?? DEFAULT_MAX_WS_PAYLOAD_BYTES });
  quietClientProtocolErrors(wss);
  const ws = useServer({ schema: context.schema as GraphQLSchema, ...guardedGraphqlWsOptions(options.limits) }, wss);
  return { context, wss, dispose: async () => ws.dispose() };
}

/**
 * graph-node's query API (server/http/src/service.rs) for several subgraphs on one port: POST to
 * /subgraphs/name/<name> or /subgraphs/id/<deployment>, GraphiQL at …/graphql (GET redirects there),
 * OPTIONS for CORS, every query answered 200; plus subscriptions over graphql-ws on the name path.
 * Browsers from origins not allowed by the request guard are still refused (403).
 */
export async function startSubgraphServer(options: SubgraphServerOptions): Promise<SubgraphServer> {
  const host = options.host ?? '127.0.0.1';
  const guard = requestGuard({ listenHost: host, allowedHosts: options.allowedHosts });
  const byName = new Map<string, Route>();
  const byId = new Map<string, Route>();
  for (const subgraph of options.subgraphs) {
    const route = await openRoute(subgraph, options);
    byName.set(subgraph.name, route);
    byId.set(subgraph.deployment, route);
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const refused = guard(req);
    if (refused) return sendJson(res, 403, { errors: [{ message: refused }] });
    const path = (req.url ?? '/').split('?')[0];
    const found = targetOf(req.url);
    if (req.method === 'GET' && path === '/') {
      return send(res, 200, 'application/json', JSON.stringify({ message: 'Access deployed subgraphs by deployment ID at /subgraphs/id/<ID> or by name at /subgraphs/name/<NAME>' }));
    }
    if (!found) return send(res, 200, 'application/json', JSON.stringify({ message: 'Not found' }));
    if (req.method === 'OPTIONS') return send(res, 200, 'text/html; charset=utf-8', '');
    if (req.method === 'GET' && found.graphiql) return send(res, 200, 'text/html; charset=utf-8', graphiqlPage(path.replace(/\/graphql\/?$/, '')));
    if (req.method === 'GET') return send(res, 302, 'text/plain; charset=utf-8', 'Redirecting...', { location: `${path.replace(/\/+$/, '')}/graphql` });
    if (req.method !== 'POST' || found.graphiql) return send(res, 200, 'application/json', JSON.stringify({ message: 'Not found' }));
    const route = (found.by === 'name' ? byName : byId).get(found.target);
    answerQuery(req, res, route, found.target, options).catch((error: unknown) => send(res, 500, 'text/plain; charset=utf-8', `Internal server error: ${error instanceof Error ? error.name : 'error'}`));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refused = guard(req);
    if (refused) {
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ errors: [{ message: refused }] })}`);
      return;
    }
    const found = targetOf(req.url);
    const wss = found && !found.graphiql ? (found.by === 'name' ? byName : byId).get(found.target)?.wss : undefined;
    if (!wss) {
      socket.write('HTTP/1.1 404 Not Found\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`subgraph server cannot listen on ${host}:${options.port ?? 0} (${error.code ?? error.message})`)),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const PREFIX = '/subgraphs/name/';
  return {
    port,
    url: (name) => `http://${host}:${port}${PREFIX}${name}`,
    wsUrl: (name) => `ws://${host}:${port}${PREFIX}${name}`,
    close: async () => {
      for (const route of byName.values()) {
        await route.dispose();
        for (const client of route.wss?.clients ?? []) client.terminate();
        route.wss?.close();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
