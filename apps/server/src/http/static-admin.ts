import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** `npm run build:admin` writes the dashboard here (apps/web/dist-admin/admin.html and assets/). */
export const ADMIN_DIST = fileURLToPath(
  new URL('../../../web/dist-admin/', import.meta.url),
);

// Same origin for the API and /v1/sync. Map tiles come from the tile server the bundle was built
// with (VITE_TILE_URL), unknown here: images may come from any https origin, nothing else may.
const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob: https:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const error = (code: string, message: string) => ({ error: { code, message } });

/**
 * The dashboard (apps/web, admin.html), built, at /admin/ — register with `{ prefix: '/admin' }`,
 * beside the phone app (static.ts), hence a second @fastify/static with `decorateReply: false`:
 * admin.html is read and sent here. Hashed assets are cached for good, the page revalidated.
 * Any other path under /admin/ is the single page's. Not built yet: 503 `admin_not_built`.
 */
export async function adminApp(
  app: FastifyInstance,
  opts: { distDir?: string },
) {
  const root = opts.distDir ?? ADMIN_DIST;
  let built = false;
  app.addHook('onRequest', async (_req, reply) => {
    built ||= existsSync(join(root, 'admin.html'));
    if (!built)
      return reply
        .code(503)
        .send(
          error(
            'admin_not_built',
            'The dashboard is not built: run `npm run build:admin`.',
          ),
        );
  });

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: true,
    index: false,
    decorateReply: false,
    cacheControl: false,
    serveDotFiles: false,
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

  const page = async (_req: unknown, reply: FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', CSP)
      .send(await readFile(join(root, 'admin.html')));
  app.get('/', { prefixTrailingSlash: 'slash' }, page);
  app.get('', { prefixTrailingSlash: 'no-slash' }, (_req, reply) =>
    reply.redirect('/admin/', 301),
  );

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    // A missing file (it has an extension) is a real 404; any other path is a page of the SPA.
    if ((req.method !== 'GET' && req.method !== 'HEAD') || /\.\w+$/.test(path))
      return reply.code(404).send(error('route_not_found', `No file ${path}.`));
    return page(req, reply);
  });
}
