import type { FastifyInstance } from 'fastify';
import { errorBody } from '../errors';

/**
 * A known path asked with a method it does not serve answers 405 with `Allow` (RFC 9110
 * §15.5.6), and `OPTIONS` on it answers 204 with `Allow` (§9.3.7); an unknown path stays 404
 * route_not_found. Runs in onRequest, so a wrong or unknown method never reaches body parsing.
 * Call before any route is registered: the table is filled from onRoute.
 */
export function answerWrongMethods(app: FastifyInstance): void {
  const table = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  app.addHook('onRoute', (route) => {
    // A wildcard (the built apps' files) owns no fixed set of paths; its not-found handler answers.
    if (route.url.includes('*')) return;
    let entry = table.get(route.url);
    if (!entry) {
      entry = { pattern: patternOf(route.url), methods: new Set() };
      table.set(route.url, entry);
    }
    for (const m of [route.method].flat()) entry.methods.add(m);
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!req.is404) return;
    const path = req.url.split('?')[0] ?? '';
    const methods = new Set<string>();
    for (const { pattern, methods: m } of table.values())
      if (pattern.test(path)) for (const x of m) methods.add(x);
    if (methods.size === 0) return; // unknown path: the not-found handler answers 404
    methods.add('OPTIONS');
    const allow = [...methods].sort().join(', ');
    reply.header('allow', allow);
    if (req.method === 'OPTIONS') return reply.code(204).send();
    return reply
      .code(405)
      .send(
        errorBody(
          'method_not_allowed',
          `${req.method} is not served on ${path}; it answers ${allow}.`,
        ),
      );
  });
}

/** Fastify's `/v1/doors/:doorId` as a RegExp over a request path (a param is one segment). */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((seg) =>
      seg.startsWith(':')
        ? '[^/]+'
        : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}
