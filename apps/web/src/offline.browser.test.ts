import type { WebSocket } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { recordFigure } from './test/figures';
import { loginInApp, phoneContext, seenAt, shot, watchDom } from './test/phone';
import { PHONES, startWorld, type World } from './test/world';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w?.stop());

test('server stopped: offline banner, last known state even after a reload; back: resumes with what changed', async () => {
  const ctx = await phoneContext(w.browser);
  const page = await ctx.newPage();
  const frames: string[] = [];
  page.on('websocket', (ws: WebSocket) =>
    ws.on('framereceived', (f) => frames.push(String(f.payload))),
  );
  await loginInApp(page, w.server, PHONES.member);
  await page.locator('[data-door="Front gate"]').waitFor();
  // The service worker has cached the shell and controls the page.
  await page.waitForFunction(
    () => navigator.serviceWorker.controller !== null,
    undefined,
    {
      timeout: 10_000,
    },
  );
  const banner = page.getByTestId('offline-banner');
  expect(await banner.textContent()).toBe('');

  await w.server.halt();
  await expect
    .poll(() => banner.textContent(), { timeout: 5000 })
    .toBe('Offline — showing the last known state');
  await page.locator('[data-door="Front gate"]').waitFor();
  await shot(page, '15-offline');

  // Reopened with the server down: the shell from the service worker, the view from storage.
  await page.reload();
  await page.locator('[data-door="Front gate"]').waitFor({ timeout: 5000 });
  await expect
    .poll(() => banner.textContent(), { timeout: 5000 })
    .toBe('Offline — showing the last known state');
  await shot(page, '16-offline-reopened');

  // Back, but this phone has no network yet: the admin changes things meanwhile.
  await ctx.setOffline(true);
  await w.server.resume();
  const patch = (path: string, body: unknown) =>
    w.server
      .request('PATCH', path, { token: w.owner, body })
      .then((r) => r.status);
  expect(await patch(`/v1/doors/${w.door.id}`, { name: 'Main gate' })).toBe(
    200,
  );
  expect(
    await patch(`/v1/members/${w.member.id}`, {
      access: { timeFrames: [{ days: ['sat'], from: '22:00', to: '02:00' }] },
    }),
  ).toBe(200);
  expect(
    await patch(`/v1/groups/${w.group.id}`, { doorIds: [w.door.id] }),
  ).toBe(200);

  // Network back: it resumes from its cursor (changes, not a new snapshot) and converges.
  frames.length = 0;
  await watchDom(page, { selector: '[data-door="Main gate"]' });
  const onlineAt = Date.now();
  await ctx.setOffline(false);
  const seen = await seenAt(page, 15_000);
  recordFigure('networkBackToConvergedMs', Math.round(seen - onlineAt));
  await expect.poll(() => banner.textContent(), { timeout: 5000 }).toBe('');
  await expect.poll(() => page.locator('[data-door]').count()).toBe(1);
  expect(await page.locator('[data-door="Garage"]').count()).toBe(0);
  const first = JSON.parse(frames.find((f) => !f.includes('"heartbeat"'))!);
  expect(first.type).toBe('change');
  await shot(page, '17-back-online');
  await ctx.close();
});
