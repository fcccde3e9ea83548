import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** `npm run build:web` writes the phone app here (apps/web/dist). */
export const WEB_DIST = fileURLToPath(
  new URL('../../../web/dist/', import.meta.url),
);

// The app talks only to its own origin (API and /v1/sync); icons in CSS are data: URLs.
const CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const error = (code: string, message: string) => ({ error: { code, message } });

/**
 * The phone app (apps/web), built, at /app/ — register with `{ prefix: '/app' }`. Hashed assets
 * are cached for good; everything else (index.html, sw.js, manifest) is revalidated so a deploy
 * shows at once. Any other path under /app/ is the single page's (its router reads the URL).
 * Until apps/web is built: 503 `web_not_built`, checked per request so a later build just works.
 */
export async function webApp(app: FastifyInstance, opts: { distDir?: string }) {
  const root = opts.distDir ?? WEB_DIST;
  let built = false;
  app.addHook('onRequest', async (_req, reply) => {
    built ||= existsSync(join(root, 'index.html'));
    if (!built)
      return reply
        .code(503)
        .send(
          error(
            'web_not_built',
            'The web app is not built: run `npm run build:web`.',
          ),
        );
  });

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: true,
    index: false,
    cacheControl: false,
    serveDotFiles: false,
    // The folder may not exist yet (see above): no start-up warning for that.
    suppressWarning: true,
    setHeaders: (reply: FastifyReply, path: string) => {
      const immutable = path.startsWith(join(root, 'assets'));
      reply.header(
        'cache-control',
        immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      reply.header('x-content-type-options', 'nosniff');
      if (path.endsWith('.html')) reply.header('content-security-policy', CSP);
    },
  });

  const page = (_req: unknown, reply: FastifyReply) =>
    reply.sendFile('index.html');
  app.get('/', { prefixTrailingSlash: 'slash' }, page);
  app.get('', { prefixTrailingSlash: 'no-slash' }, (_req, reply) =>
    reply.redirect('/app/', 301),
  );

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    // A missing file (has an extension, e.g. an old hashed asset) is a real 404; a path is a page.
    if ((req.method !== 'GET' && req.method !== 'HEAD') || /\.\w+$/.test(path))
      return reply.code(404).send(error('route_not_found', `No file ${path}.`));
    return page(req, reply);
  });
}
