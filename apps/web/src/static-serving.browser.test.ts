import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { webApp } from '../../server/src/http/static';
import { WebServer } from './test/web-server';

// How the server serves the built app (apps/server/src/http/static.ts); no browser needed.
let s: WebServer;
beforeAll(async () => {
  s = await WebServer.start();
});
afterAll(() => s?.stop());

const get = (path: string) => fetch(`${s.url}${path}`, { redirect: 'manual' });

test('/app/ is the app: revalidated HTML with a CSP; hashed assets cached for good', async () => {
  const page = await get('/app/');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('cache-control')).toBe('no-cache');
  expect(page.headers.get('content-security-policy')).toContain(
    "default-src 'self'",
  );
  const html = await page.text();
  const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script).toBeDefined();
  const js = await get(script!);
  expect(js.status).toBe(200);
  expect(js.headers.get('cache-control')).toBe(
    'public, max-age=31536000, immutable',
  );

  const sw = await get('/app/sw.js');
  expect(sw.status).toBe(200);
  expect(sw.headers.get('content-type')).toMatch(/javascript/);
  expect(sw.headers.get('cache-control')).toBe('no-cache');
  const manifest = await (await get('/app/manifest.webmanifest')).json();
  expect(manifest).toMatchObject({
    start_url: '/app/',
    display: 'standalone',
    name: 'Keyway',
  });
  for (const icon of manifest.icons)
    expect((await get(icon.src)).status).toBe(200);
});

test('any in-app path falls back to the page; a missing file is a JSON 404; the API is untouched', async () => {
  expect((await get('/app')).headers.get('location')).toBe('/app/');
  const deep = await get('/app/history');
  expect(deep.status).toBe(200);
  expect(await deep.text()).toContain('<div id="root">');
  const missing = await get('/app/assets/gone-1234.js');
  expect(missing.status).toBe(404);
  expect((await missing.json()).error.code).toBe('route_not_found');
  const api = await get('/v1/nope');
  expect(api.status).toBe(404);
  expect((await api.json()).error.code).toBe('route_not_found');
  expect((await get('/app/../package.json')).status).not.toBe(200);
});

test('not built yet: 503 web_not_built, and a later build is served without a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-web-dist-'));
  const app = Fastify();
  app.register(webApp, { prefix: '/app', distDir: dir });
  try {
    const before = await app.inject({ method: 'GET', url: '/app/' });
    expect(before.statusCode).toBe(503);
    expect(before.json().error.code).toBe('web_not_built');
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><div id="root"></div>',
    );
    const after = await app.inject({ method: 'GET', url: '/app/settings' });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('root');
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
