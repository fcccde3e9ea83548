import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { errorBody } from '../errors';
import type { Metrics } from './registry';

/**
 * `GET /metrics`: on its own port (KEYWAY_METRICS_PORT, no auth: keep that port internal), and
 * on the API port behind `Authorization: Bearer <KEYWAY_METRICS_TOKEN>`. With neither set the
 * API port answers 404 and says which setting turns it on. Every request's duration goes into
 * keyway_http_request_duration_seconds, by route pattern (never by raw URL: ids would explode
 * the label set).
 */
export function mountMetrics(
  app: FastifyInstance,
  metrics: Metrics,
  config: Pick<Config, 'metricsToken'>,
): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.http.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', async (req, reply) => {
    const token = config.metricsToken;
    if (!token)
      return reply
        .code(404)
        .send(
          errorBody(
            'route_not_found',
            'Metrics are off on this port: set KEYWAY_METRICS_PORT (own port) or KEYWAY_METRICS_TOKEN (here, with a bearer token).',
          ),
        );
    const given = Buffer.from(
      /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '',
    );
    const want = Buffer.from(token);
    if (given.length !== want.length || !timingSafeEqual(given, want))
      return reply
        .code(401)
        .send(errorBody('unauthorized', 'A valid metrics token is required.'));
    return reply
      .header('content-type', metrics.contentType)
      .send(await metrics.text());
  });
}

/** The metrics' own listener (KEYWAY_METRICS_PORT), on KEYWAY_HOST. */
export async function startMetricsServer(
  metrics: Metrics,
  host: string,
  port: number,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(errorBody('route_not_found', 'Only GET /metrics here.')),
      );
      return;
    }
    metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(text);
      },
      () => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(errorBody('internal', 'Metrics could not be read.')),
        );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
