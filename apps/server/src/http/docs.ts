import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

/** Redoc's self-contained browser bundle, from node_modules (no CDN): read once, then kept. */
const REDOC_BUNDLE = createRequire(import.meta.url).resolve(
  'redoc/bundles/redoc.standalone.js',
);
const { version: REDOC_VERSION } = createRequire(import.meta.url)(
  'redoc/package.json',
) as { version: string };
const SCRIPT = `/docs/redoc.standalone.js?v=${REDOC_VERSION}`;

/**
 * The docs page's own policy: scripts only from here; Redoc's styled-components insert <style>
 * elements (hence 'unsafe-inline' for styles, nothing else), its search runs in a blob: worker,
 * its icons are data: images. It fetches only /openapi.json. (Its footer's Redocly logo comes from
 * a CDN: blocked here, and Redoc then leaves it out.)
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
  "form-action 'none'",
].join('; ');

// Redoc starts by itself on a <redoc spec-url> element: no inline script for the CSP to allow.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Keyway API</title>
<link rel="icon" href="data:,">
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="${SCRIPT}"></script>
</body>
</html>
`;

/** GET /docs: the OpenAPI document (/openapi.json) as a human-readable reference (Redoc). */
export function mountDocs(app: FastifyInstance): void {
  let bundle: Promise<Buffer> | undefined;
  app.get('/docs', async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', DOCS_CSP)
      .send(PAGE),
  );
  app.get('/docs/redoc.standalone.js', async (_req, reply) => {
    bundle ??= readFile(REDOC_BUNDLE);
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      .send(await bundle);
  });
}
