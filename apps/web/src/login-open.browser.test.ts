import { afterAll, beforeAll, expect, test } from 'vitest';
import { recordFigure } from './test/figures';
import {
  loginInApp,
  phoneContext,
  seenAt,
  shot,
  tappedAt,
  watchDom,
} from './test/phone';
import { PHONES, startWorld, type World } from './test/world';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w?.stop());

test('she logs in with the SMS code, opens a door and sees it open, then finds it in her history', async () => {
  const ctx = await phoneContext(w.browser);
  const page = await ctx.newPage();
  await loginInApp(page, w.server, PHONES.member, { screenshot: true });

  const card = page.locator('article', {
    has: page.getByRole('heading', { name: 'Front gate' }),
  });
  await expect
    .poll(() => card.getByTestId('today').textContent())
    .toBe('Any time');
  await expect
    .poll(() => card.getByTestId('availability').textContent())
    .toBe('You can open now');
  await shot(page, '03-home');

  // Tap → "Opened": measured in the page, beside the server's own open round trip.
  await watchDom(page, {
    selector: '[data-door="Front gate"] [data-open-state="opened"]',
  });
  const response = page.waitForResponse((r) => r.url().endsWith('/open'));
  await card.getByRole('button', { name: 'Open Front gate' }).click();
  const openedAt = await seenAt(page);
  const tapAt = await tappedAt(page);
  const body = await (await response).json();
  expect(body.result).toBe('opened');
  recordFigure('tapToOpenedMs', Math.round(openedAt - tapAt));
  recordFigure('serverOpenRoundTripMs', body.event.data.roundTripMs);
  await expect
    .poll(() => card.locator('.progress').textContent())
    .toBe('Opened');
  // The unit's sensor reports the door open, live.
  await expect
    .poll(() => card.locator('.badge').textContent(), { timeout: 5000 })
    .toBe('Open');
  await shot(page, '04-opened');
  await expect
    .poll(() => card.locator('.badge').textContent(), { timeout: 5000 })
    .toBe('Closed');

  await page.getByRole('link', { name: 'History' }).click();
  await expect(
    page.getByRole('heading', { name: 'Your recent opens' }).isVisible(),
  ).resolves.toBe(true);
  await expect
    .poll(() => page.locator('.ev').first().textContent())
    .toContain('Front gate');
  await shot(page, '05-history');
  await ctx.close();
});

test('settings list her devices; revoking another session signs that phone out at once', async () => {
  const phoneA = await phoneContext(w.browser);
  const phoneB = await phoneContext(w.browser);
  const a = await phoneA.newPage();
  const b = await phoneB.newPage();
  await loginInApp(a, w.server, PHONES.member);
  await loginInApp(b, w.server, PHONES.member);

  await a.getByRole('link', { name: 'Settings' }).click();
  const devices = a.locator('.sessions li');
  await expect.poll(() => devices.count()).toBeGreaterThanOrEqual(3);
  await expect.poll(() => a.getByText('This device').count()).toBe(1);
  await shot(a, '06-settings');

  // Phone B was lost: sign it out from phone A.
  const sessionB = await b.evaluate(
    () => JSON.parse(localStorage.getItem('keyway.session')!).sessionId,
  );
  await a
    .locator(`[data-session="${sessionB}"]`)
    .getByRole('button', { name: /^Sign out / })
    .click();
  await a
    .locator(`[data-session="${sessionB}"]`)
    .waitFor({ state: 'detached' });
  await b
    .getByText('You were signed out on this device.')
    .waitFor({ timeout: 5000 });
  await shot(b, '06b-signed-out');

  // Log out: back to the login screen, and the token no longer works.
  const token = await a.evaluate(
    () => JSON.parse(localStorage.getItem('keyway.session')!).token,
  );
  await a.getByRole('button', { name: 'Log out' }).click();
  await a.getByRole('heading', { name: 'Sign in with your phone' }).waitFor();
  expect((await w.server.request('GET', '/v1/me', { token })).status).toBe(401);
  await phoneA.close();
  await phoneB.close();
});

test('in Spanish', async () => {
  const ctx = await phoneContext(w.browser, { locale: 'es-ES' });
  const page = await ctx.newPage();
  await page.goto(`${w.server.url}/app/`);
  await page.getByRole('heading', { name: 'Entra con tu teléfono' }).waitFor();
  await page.evaluate(() => localStorage.setItem('keyway.lang', 'en'));
  await loginInApp(page, w.server, PHONES.member);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('combobox', { name: 'Language' }).selectOption('es');
  await page.getByRole('link', { name: 'Puertas' }).click();
  const card = page.locator('article', {
    has: page.getByRole('heading', { name: 'Garage' }),
  });
  await expect
    .poll(() => card.getByTestId('today').textContent())
    .toBe('A cualquier hora');
  await card.getByRole('button', { name: 'Abrir Garage' }).waitFor();
  await shot(page, '07-home-es');
  await ctx.close();
});
