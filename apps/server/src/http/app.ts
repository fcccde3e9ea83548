import { buildAsyncApi, PathId } from '@keyway/protocol';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { AppError, errorBody, isDatabaseUnavailable } from '../errors';
import { mountMetrics } from '../metrics/endpoint';
import { authenticate, bearerToken, type Principal } from './authenticate';
import { mountDocs } from './docs';
import { answerWrongMethods } from './methods';
import { buildOpenApi } from './openapi';
import { readiness } from './ready';
import {
  isAudited,
  paramNames,
  type RouteDef,
  rejectNul,
  validate,
} from './route';
import { adminApp, webApp } from './static';
import { RequestTiming } from './timing';

const ANONYMOUS: Principal = { userId: '', sessionId: '' };

/** An API key calls only the routes that name one of its scopes (API.md "Integrations"). */
function allowKey(def: RouteDef, scopes: readonly string[]): void {
  if (!def.scope)
    throw new AppError(
      'insufficient_scope',
      `${def.operationId} is for people signed in, not for API keys.`,
    );
  if (!scopes.includes(def.scope))
    throw new AppError(
      'insufficient_scope',
      `${def.operationId} needs the scope ${def.scope}.`,
      { scope: def.scope },
    );
}

/** The HTTP surface: every route from the registry, JSON only, errors in the API.md shape. */
export function buildApp(
  ctx: AppContext,
  routes: RouteDef[],
  opts: {
    /** Serve HTTPS (and the sync socket as wss://) with this certificate and key. */
    https?: { cert: Buffer; key: Buffer } | undefined;
  } = {},
): FastifyInstance {
  // One instance type for both: an https.Server is an http.Server with TLS underneath.
  const app = Fastify({
    ...(opts.https
      ? { https: { cert: opts.https.cert, key: opts.https.key } }
      : {}),
    logger: false,
    bodyLimit: ctx.config.bodyLimitBytes,
    return503OnClosing: false,
    // Behind HAProxy the peer is the proxy: its X-Forwarded-For names the client (rate limits).
    trustProxy: ctx.config.trustProxy ?? false,
    // A malformed URL (bad %-encoding, a path segment over the router's limit) never reaches
    // setErrorHandler; answer it in the API.md error shape too.
    frameworkErrors: (_err, _req, reply: FastifyReply) => {
      reply
        .code(400)
        .send(errorBody('invalid_request', 'The URL is not valid.'));
    },
  });

  // Our own JSON parser: an empty body is "no body" (POST /open needs none), bad JSON is invalid_json.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    (_req, raw, done) => {
      const text = String(raw);
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(new AppError('invalid_json'), undefined);
      }
    },
  );

  answerWrongMethods(app); // before any route: it collects them as they are added

  for (const def of routes) {
    // Every path param is an id: checked here, so a handler gets a well-formed string.
    const params = z.strictObject(
      Object.fromEntries(paramNames(def.path).map((n) => [n, PathId])),
    );
    app.route({
      method: def.method,
      url: def.path.replace(/\{(\w+)\}/g, ':$1'),
      handler: async (req, reply) => {
        const timing = new RequestTiming(performance.now() - reply.elapsedTime);
        const principal =
          def.auth === 'user'
            ? await authenticate(
                ctx,
                bearerToken(req.headers.authorization),
                req.ip,
              )
            : ANONYMOUS;
        if (principal.apiKey) allowKey(def, principal.apiKey.scopes);
        rejectNul(req.params, 'path');
        const pathParams = validate(params, req.params, 'path');
        const body = def.body
          ? validate(def.body, req.body, 'body')
          : undefined;
        const query = def.query
          ? validate(def.query, req.query, 'query')
          : undefined;
        const request = {
          operationId: def.operationId,
          userId: principal.userId,
          sessionId: principal.sessionId,
          ...(principal.apiKey
            ? {
                apiKey: {
                  id: principal.apiKey.id,
                  name: principal.apiKey.name,
                },
              }
            : {}),
          audited: isAudited(def),
          audits: 0,
        };
        const out = await def.handler({
          body,
          query,
          params: pathParams as Record<string, string>,
          principal,
          ip: req.ip,
          ctx: { ...ctx, timing, request },
        });
        // An admin action that succeeded wrote its one audit entry (commands/tx.ts refuses a
        // transaction without it); one that wrote through no transaction at all is a bug.
        if (request.audited && out.status < 400 && request.audits !== 1)
          throw new Error(
            `${def.operationId} answered ${out.status} without its audit entry`,
          );
        if (out.headers) reply.headers(out.headers);
        reply.header('server-timing', timing.header());
        reply.code(out.status);
        return out.body === undefined ? reply.send() : reply.send(out.body);
      },
    });
  }

  if (ctx.metrics) mountMetrics(app, ctx.metrics, ctx.config);
  // Not serving. Draining: requests already running finish; a new one on a kept-alive
  // connection is told to go elsewhere, and the connection closes (a load balancer retries it on
  // another node). Cut off from the database (sync/fence.ts): nothing can be answered as current.
  app.addHook('onRequest', async (req, reply) => {
    if (ctx.draining) {
      if (req.url === '/healthz') return;
      reply.header('connection', 'close').header('retry-after', '1');
      if (req.url === '/readyz') return;
      return reply.code(503).send(errorBody('shutting_down'));
    }
    if (!ctx.isolated || /^\/(healthz|readyz|metrics)\b/.test(req.url)) return;
    reply.header('retry-after', '1');
    return reply.code(503).send(errorBody('node_isolated'));
  });
  // Built on first ask (tens of ms: every protocol schema converted twice), then kept.
  let openapi: ReturnType<typeof buildOpenApi> | undefined;
  app.get('/openapi.json', async () => {
    openapi ??= buildOpenApi(routes, { publicUrl: ctx.config.publicUrl });
    return openapi;
  });
  mountDocs(app); // GET /docs: that document, human-readable (Redoc, from node_modules)
  // The unit side (MQTT), with this deployment's broker as the units are told it.
  let asyncapi: ReturnType<typeof buildAsyncApi> | undefined;
  app.get('/asyncapi.json', async () => {
    asyncapi ??= buildAsyncApi({
      mqttUrl: ctx.unitMqttUrl,
      broker: ctx.config.mqttUrl ? 'mosquitto' : 'embedded',
    });
    return asyncapi;
  });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const r = await readiness(ctx);
    return reply.code(r.status).send(r.body);
  });
  app.register(webApp, { prefix: '/app' }); // the phone app (apps/web), built
  app.register(adminApp, { prefix: '/admin' }); // the dashboard (apps/web/admin.html), built

  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send(
        errorBody(
          'route_not_found',
          `No endpoint ${req.method} ${req.url.split('?')[0]}.`,
        ),
      );
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      return reply
        .code(err.status)
        .send(errorBody(err.code, err.message, err.details));
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status === 413)
      return reply.code(413).send(errorBody('payload_too_large'));
    if (status === 415)
      return reply.code(415).send(errorBody('unsupported_media_type'));
    if (status === 400)
      return reply.code(400).send(errorBody('invalid_json', err.message));
    if (status === 404)
      return reply.code(404).send(errorBody('route_not_found'));
    if (status === 405)
      return reply.code(405).send(errorBody('method_not_allowed'));
    if (isDatabaseUnavailable(err)) {
      ctx.log.warn(
        { err, method: req.method, url: req.url },
        'the database did not answer',
      );
      return reply
        .code(503)
        .header('retry-after', '1')
        .send(errorBody('database_unavailable'));
    }
    ctx.log.error({ err, method: req.method, url: req.url }, 'request failed');
    return reply.code(500).send(errorBody('internal'));
  });

  return app;
}
