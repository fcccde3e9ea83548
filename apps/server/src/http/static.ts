import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

const dist = (folder: string) =>
  fileURLToPath(new URL(`../../../web/${folder}/`, import.meta.url));

/** `npm run build:web` writes the phone app here (apps/web/dist). */
export const WEB_DIST = dist('dist');

const csp = (imgSrc: string) =>
  [
    "default-src 'self'",
    `img-src ${imgSrc}`,
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');

const error = (code: string, message: string) => ({ error: { code, message } });

export interface BuiltApp {
  /** Default folder of the build; `distDir` at registration overrides it (tests). */
  root: string;
  /** The single page, relative to the folder. */
  page: string;
  /** Where the app lives (for the redirect of the bare prefix). */
  prefix: string;
  notBuilt: { code: 'web_not_built' | 'admin_not_built'; message: string };
  /** The CSP's img-src. */
  imgSrc: string;
}

/**
 * A built single-page app under a prefix. Hashed assets are cached for good; everything else
 * (the page, sw.js, manifest) is revalidated so a deploy shows at once. Any other path under the
 * prefix is the page's (its router reads the URL). Until the app is built: 503 with a stable code,
 * checked per request so a later build just works.
 */
export function builtApp(spec: BuiltApp) {
  return async (app: FastifyInstance, opts: { distDir?: string }) => {
    const root = opts.distDir ?? spec.root;
    const CSP = csp(spec.imgSrc);
    let built = false;
    app.addHook('onRequest', async (_req, reply) => {
      built ||= existsSync(join(root, spec.page));
      if (!built)
        return reply
          .code(503)
          .send(error(spec.notBuilt.code, spec.notBuilt.message));
    });

    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: true,
      index: false,
      cacheControl: false,
      serveDotFiles: false,
      // Two apps are served: neither may claim reply.sendFile.
      decorateReply: false,
      // The folder may not exist yet (see above): no start-up warning for that.
      suppressWarning: true,
      setHeaders: (reply: FastifyReply, path: string) => {
        const immutable = path.startsWith(join(root, 'assets'));
        reply.header(
          'cache-control',
          immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
        reply.header('x-content-type-options', 'nosniff');
        if (path.endsWith('.html'))
          reply.header('content-security-policy', CSP);
      },
    });

    const page = async (_req: unknown, reply: FastifyReply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', CSP)
        .send(await readFile(join(root, spec.page)));
    app.get('/', { prefixTrailingSlash: 'slash' }, page);
    app.get('', { prefixTrailingSlash: 'no-slash' }, (_req, reply) =>
      reply.redirect(`${spec.prefix}/`, 301),
    );

    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0] ?? '';
      // A missing file (has an extension, e.g. an old hashed asset) is a real 404; a path is a page.
      if (
        (req.method !== 'GET' && req.method !== 'HEAD') ||
        /\.\w+$/.test(path)
      )
        return reply
          .code(404)
          .send(error('route_not_found', `No file ${path}.`));
      return page(req, reply);
    });
  };
}

/** The phone app (apps/web), at /app/ — register with `{ prefix: '/app' }`. Icons in CSS are data: URLs. */
export const webApp = builtApp({
  root: WEB_DIST,
  page: 'index.html',
  prefix: '/app',
  notBuilt: {
    code: 'web_not_built',
    message: 'The web app is not built: run `npm run build:web`.',
  },
  imgSrc: "'self' data:",
});

/**
 * The dashboard (apps/web/admin.html), at /admin/ — register with `{ prefix: '/admin' }`. Map
 * tiles come from the tile server the bundle was built with (VITE_TILE_URL), unknown here: images
 * may come from any https origin, nothing else may.
 */
export const adminApp = builtApp({
  root: dist('dist-admin'),
  page: 'admin.html',
  prefix: '/admin',
  notBuilt: {
    code: 'admin_not_built',
    message: 'The dashboard is not built: run `npm run build:admin`.',
  },
  imgSrc: "'self' data: blob: https:",
});
