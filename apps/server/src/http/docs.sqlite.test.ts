import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServer } from '../test/harness';

// The docs page reads no database: this runs once, on SQLite (`.sqlite.test.ts`).
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(
  new URL('../../../../test-artifacts/', import.meta.url),
);

describe('GET /docs: the API reference (Redoc from node_modules) over /openapi.json', () => {
  let t: TestServer;
  let browser: Browser | undefined;
  beforeAll(async () => {
    t = await TestServer.start();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('answers a page that loads a script from this server, under a CSP that allows only this server’s scripts', async () => {
    const page = await fetch(`${t.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*(unsafe|https?:)/);
    const html = await page.text();
    expect(html).toContain('<redoc spec-url="/openapi.json">');
    expect(html).not.toMatch(/<script>|https?:\/\//); // no inline script, nothing from elsewhere
    const src = /<script src="([^"]+)">/.exec(html)?.[1];
    expect(src).toMatch(/^\/docs\//);

    const script = await fetch(`${t.url}${src}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const js = await script.text();
    expect(js.length).toBeGreaterThan(100_000);
    expect(js).toContain('Redoc');

    const post = await fetch(`${t.url}/docs`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([
      405,
      'GET, HEAD, OPTIONS',
    ]);
    const other = await fetch(`${t.url}/docs/other.js`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as any).error.code).toBe('route_not_found');
  });

  it('renders the operations in Chromium with no CSP violation and no request elsewhere', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    const page = await browser.newPage({
      viewport: { width: 1280, height: 900 },
    });
    const problems: string[] = [];
    const elsewhere: string[] = [];
    // Redoc's footer shows Redocly's logo from its CDN: the CSP blocks it (no request leaves) and
    // Redoc, on that error, leaves the logo out. Any other error or violation fails.
    const LOGO = /cdn\.redoc\.ly\/redoc\/logo-mini\.svg/;
    page.on('console', (m) => {
      if (m.type() === 'error' && !LOGO.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('response', (r) => {
      if (!r.url().startsWith(t.url) && !/^(data|blob):/.test(r.url()))
        elsewhere.push(r.url());
    });
    await page.goto(`${t.url}/docs`);
    await page
      .getByRole('heading', { name: /Keyway API/ })
      .first()
      .waitFor({ timeout: 20_000 });
    // Each operation is a heading of its own, its summary the title.
    await page
      .locator('h2', { hasText: /^Open a door: rules/ })
      .waitFor({ timeout: 20_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'docs.png') });
    expect(
      await page.locator('img[alt="redocly logo"]').count(),
      'the logo CSP blocks is left out',
    ).toBe(0);
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
  });
});
