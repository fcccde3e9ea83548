import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { TestServer } from '../../../../server/src/test/harness';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'admin');

/** Debian's Chromium, headless, never talking to anything but the test server. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.KEYWAY_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** A fresh browser session (its own storage) at a desktop viewport, failing the test on page errors. */
export async function openPage(
  browser: Browser,
  lang = 'en-US',
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    locale: lang,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw new Error(`page error: ${e.message}`);
  });
  // A refused API call logs "Failed to load resource" by design; anything else (a CSP violation,
  // a React warning) is a bug.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      throw new Error(`console error: ${m.text()}`);
  });
  return page;
}

/** Signs in through the dashboard's own SMS-code form and waits for the spaces list. */
export async function login(
  page: Page,
  t: TestServer,
  phone: string,
): Promise<void> {
  await page.goto(`${t.url}/admin/`);
  await page.getByLabel(/phone number/i).fill(phone);
  await page.getByRole('button', { name: /text me a code/i }).click();
  await page.getByLabel(/6-digit code/i).waitFor();
  await page.getByLabel(/6-digit code/i).fill(t.lastCode(phone));
  await page.getByRole('button', { name: /^sign in$/i }).click();
  await page.getByRole('heading', { name: 'Your spaces' }).waitFor();
}

/** Goes to a space's tab by the dashboard's own links. */
export async function openTab(
  page: Page,
  space: string,
  tab: RegExp,
): Promise<void> {
  if (
    !(await page
      .getByRole('navigation', { name: 'Space sections' })
      .isVisible())
  ) {
    await page.getByRole('link', { name: 'Keyway dashboard' }).click();
    await page.getByRole('link', { name: space, exact: true }).click();
  }
  await page
    .getByRole('navigation', { name: 'Space sections' })
    .getByRole('link', { name: tab })
    .click();
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({
    path: join(ARTIFACTS, `${name}.png`),
    fullPage: true,
  });
}
