import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
} from 'playwright-core';

const CHROMIUM = process.env.KEYWAY_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(
  new URL('../../../../test-artifacts/web/', import.meta.url),
);

/** Debian's Chromium, headless; never a downloaded browser (CI installs the package: .ci/run). */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
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

/** A phone: 390×844, touch, Madrid time, English unless told. */
export function phoneContext(
  browser: Browser,
  opts: {
    locale?: string;
    geolocation?: { latitude: number; longitude: number };
  } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: opts.locale ?? 'en-GB',
    timezoneId: 'Europe/Madrid',
    ...(opts.geolocation ? { geolocation: opts.geolocation } : {}),
  });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png` });
}

/** Logs in through the login screen with the code from the SMS outbox, as a person would. */
export async function loginInApp(
  page: Page,
  server: { url: string; lastCode(phone: string): string },
  phone: string,
  opts: { screenshot?: boolean } = {},
): Promise<void> {
  if (!phone.startsWith('+34'))
    throw new Error('loginInApp types Spanish numbers only');
  await page.goto(`${server.url}/app/`);
  await page.getByLabel('Country').selectOption('ES');
  await page
    .getByLabel('Phone number')
    .fill(phone.slice(3).replace(/(\d{3})(?=\d)/g, '$1 '));
  if (opts.screenshot) await shot(page, '01-login-phone');
  await page.getByRole('button', { name: 'Send me a code' }).click();
  const codeBox = page.getByLabel('Code from the SMS');
  await codeBox.waitFor();
  await codeBox.fill(server.lastCode(phone));
  if (opts.screenshot) await shot(page, '02-login-code');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** What watchDom waits for: an element matching `selector` (containing `text`), or none left. */
export interface DomCondition {
  selector: string;
  text?: string;
  gone?: boolean;
}

/**
 * Records the epoch ms at which the DOM first meets the condition (checked on every mutation),
 * so latencies are measured at the change, not at the next poll. Read it with seenAt().
 */
export function watchDom(page: Page, cond: DomCondition): Promise<void> {
  return page.evaluate((c) => {
    const w = window as unknown as {
      __kwSeen?: number | null;
      __kwTap?: number | null;
    };
    w.__kwSeen = null;
    w.__kwTap = null;
    // The instant the page gets the tap (for tap → screen latencies).
    document.addEventListener(
      'click',
      () => {
        w.__kwTap = Date.now();
      },
      { capture: true, once: true },
    );
    const met = () => {
      const els = [...document.querySelectorAll(c.selector)].filter(
        (el) => c.text === undefined || (el.textContent ?? '').includes(c.text),
      );
      return c.gone ? els.length === 0 : els.length > 0;
    };
    const obs = new MutationObserver(() => {
      if (w.__kwSeen == null && met()) {
        w.__kwSeen = Date.now();
        obs.disconnect();
      }
    });
    obs.observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  }, cond);
}

export async function seenAt(page: Page, timeoutMs = 10_000): Promise<number> {
  const handle = await page.waitForFunction(
    () => (window as unknown as { __kwSeen?: number | null }).__kwSeen ?? false,
    undefined,
    { timeout: timeoutMs, polling: 20 },
  );
  return (await handle.jsonValue()) as number;
}

/** When the page received the tap watched since watchDom (epoch ms). */
export async function tappedAt(page: Page): Promise<number> {
  return page.evaluate(
    () => (window as unknown as { __kwTap: number }).__kwTap,
  );
}
