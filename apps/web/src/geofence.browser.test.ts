import { afterAll, beforeAll, expect, test } from 'vitest';
import { loginInApp, phoneContext, shot } from './test/phone';
import { PHONES, startWorld, type World } from './test/world';

// The fixtures' space is in Barcelona (41.3874, 2.1686); give it a 200 m geofence.
const AT_THE_DOOR = { latitude: 41.3875, longitude: 2.1687 };
const IN_MADRID = { latitude: 40.4168, longitude: -3.7038 };
let w: World;
beforeAll(async () => {
  w = await startWorld();
  const res = await w.server.request('PATCH', `/v1/spaces/${w.space.id}`, {
    token: w.owner,
    body: { geofenceMeters: 200 },
  });
  expect(res.status).toBe(200);
});
afterAll(() => w?.stop());

test('too far: refused with a clear sentence; at the door: opened', async () => {
  const ctx = await phoneContext(w.browser, { geolocation: IN_MADRID });
  await ctx.grantPermissions(['geolocation']);
  const page = await ctx.newPage();
  await loginInApp(page, w.server, PHONES.member);
  const card = page.locator('[data-door="Front gate"]');
  await card.getByText('Opens within 200 m').waitFor();
  const sent = page.waitForRequest((r) => r.url().endsWith('/open'));
  await card.getByRole('button', { name: 'Open Front gate' }).click();
  const body = (await sent).postDataJSON();
  expect(body.location.lat).toBeCloseTo(IN_MADRID.latitude, 4);
  const progress = card.locator('.progress');
  await expect
    .poll(() => progress.textContent())
    .toBe('You are too far from the door. Get closer and try again.');
  expect(await progress.getAttribute('role')).toBe('alert');
  await shot(page, '13-geofence-too-far');

  await ctx.setGeolocation(AT_THE_DOOR);
  await card.getByRole('button', { name: 'Open Front gate' }).click();
  await expect
    .poll(() => progress.textContent(), { timeout: 5000 })
    .toBe('Opened');
  await ctx.close();
});

test('location denied: the app says how to allow it', async () => {
  const ctx = await phoneContext(w.browser);
  await ctx.clearPermissions(); // nothing granted: headless Chromium denies the prompt
  const page = await ctx.newPage();
  await loginInApp(page, w.server, PHONES.member);
  const card = page.locator('[data-door="Garage"]');
  await card.getByRole('button', { name: 'Open Garage' }).click();
  await expect
    .poll(() => card.locator('.progress').textContent(), { timeout: 15_000 })
    .toMatch(/^Location is blocked/);
  await shot(page, '14-geofence-denied');
  await ctx.close();
});
