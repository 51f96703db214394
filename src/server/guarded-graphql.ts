import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_QUERY_LIMITS, parseWithLimits, queryLimitsRule, validateWithLimits, type QueryLimits } from './graphql-limits';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION, readBody, sendJson } from './http-guards';

/* GraphQL over HTTP and over graphql-ws with the body, document and subscription limits applied. */

export interface GraphqlLimits {
  query?: QueryLimits;
  maxBodyBytes?: number;
  maxSubscriptionsPerConnection?: number;
}

/**
 * A node:http handler for GraphQL over HTTP (graphql-http), reading the body itself so that a body
 * over the limit is answered 413 without being buffered, and validating documents with the limits.
 */
export function guardedGraphqlHttp(options: {
  schema: GraphQLSchema;
  rootValue?: unknown;
  limits?: GraphqlLimits;
  /** The resolvers' context of a request (default none). */
  context?: (req: IncomingMessage) => Record<string, unknown>;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limits = options.limits ?? {};
  const maxBodyBytes = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const handle = createHandler<IncomingMessage, unknown, Record<string, unknown> | undefined>({
    schema: options.schema,
    rootValue: options.rootValue,
    parse: parseWithLimits(limits.query ?? DEFAULT_QUERY_LIMITS),
    validationRules: [queryLimitsRule(limits.query ?? DEFAULT_QUERY_LIMITS)],
    context: options.context ? (req) => options.context!(req.raw) : undefined,
  });
  return async (req, res) => {
    let body = '';
    if (req.method === 'POST') {
      try {
        body = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return sendJson(res, 413, { errors: [{ message: error.message }] });
        throw error;
      }
    }
    const [responseBody, init] = await handle({ url: req.url ?? '/', method: req.method ?? 'GET', headers: req.headers, body, raw: req, context: undefined });
    res.writeHead(init.status, init.statusText, init.headers);
    res.end(responseBody);
  };
}

/** graphql-ws server options applying the document limits and a cap on subscriptions per connection. */
export function guardedGraphqlWsOptions(limits: GraphqlLimits = {}) {
  const maxSubscriptions = limits.maxSubscriptionsPerConnection ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION;
  return {
    parse: parseWithLimits(limits.query ?? DEFAULT_QUERY_LIMITS),
    validate: validateWithLimits(limits.query ?? DEFAULT_QUERY_LIMITS),
    // graphql-ws has registered the new id already when this runs: count it.
    onSubscribe: (ctx: { subscriptions: Record<string, unknown> }): readonly GraphQLError[] | undefined =>
      Object.keys(ctx.subscriptions).length > maxSubscriptions
        ? [new GraphQLError(`too many subscriptions on this connection: the limit (maxSubscriptionsPerConnection) is ${maxSubscriptions}`)]
        : undefined,
  };
}
