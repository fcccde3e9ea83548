import { afterAll, beforeAll, expect, test } from 'vitest';
import { recordFigure } from './test/figures';
import { FlowingClock, madridTomorrow } from './test/flowing-clock';
import { loginInApp, phoneContext, seenAt, shot, watchDom } from './test/phone';
import { PHONES, startWorld, type World } from './test/world';

// The seed note's story (PRODUCT.md): her schedule moves from 20:00 to 18:00 and her phone shows
// it at once, with no refresh; at 18:00 the button becomes active; revoked, the door vanishes.
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const clock = new FlowingClock(madridTomorrow(17, 58));
let w: World;
beforeAll(async () => {
  w = await startWorld({
    clock,
    member: {
      access: { timeFrames: [{ days: ALL_DAYS, from: '20:00', to: '22:00' }] },
    },
  });
});
afterAll(() => w?.stop());

test('schedule moved to 18:00 shows at once, the button opens at 18:00, revoke removes the door', async () => {
  const ctx = await phoneContext(w.browser);
  const page = await ctx.newPage();
  // Server and phone agree on the time: tomorrow, just before 18:00 in Madrid, running.
  await page.clock.install({ time: clock.now() });
  await loginInApp(page, w.server, PHONES.member);
  const card = page.locator('[data-door="Front gate"]');
  const button = card.locator('button.open-btn');
  await expect.poll(() => button.textContent()).toBe('Opens at 20:00');
  expect(await button.isDisabled()).toBe(true);
  expect(await card.getByTestId('today').textContent()).toBe('20:00–22:00');

  const story = madridTomorrow(17, 59, 52);
  clock.set(story);
  await page.clock.setSystemTime(story);
  await shot(page, '08-before-18h');

  // The admin moves her evening to 18:00 through the API; the screen follows by itself.
  const pageAhead = (await page.evaluate(() => Date.now())) - Date.now();
  await watchDom(page, {
    selector: '[data-door="Front gate"] [data-testid="today"]',
    text: '18:00–22:00',
  });
  const changedAt = Date.now();
  const patch = await w.server.request('PATCH', `/v1/members/${w.member.id}`, {
    token: w.owner,
    body: {
      access: { timeFrames: [{ days: ALL_DAYS, from: '18:00', to: '22:00' }] },
    },
  });
  expect(patch.status).toBe(200);
  const shownAt = (await seenAt(page, 1000)) - pageAhead; // within a second, or it fails
  recordFigure('adminChangeToScreenMs', Math.round(shownAt - changedAt));
  expect(await button.textContent()).toBe('Opens at 18:00');
  expect(await button.isDisabled()).toBe(true);

  // 18:00: the server pushes her new status and the button wakes up, no tap, no reload.
  await watchDom(page, {
    selector: '[data-door="Front gate"] button.open-btn:not([disabled])',
  });
  const enabledAt = await seenAt(page, 15_000);
  const sixPm = madridTomorrow(18, 0).getTime();
  recordFigure('buttonActiveAfter18hMs', Math.round(enabledAt - sixPm));
  expect(enabledAt - sixPm).toBeGreaterThanOrEqual(0);
  expect(enabledAt - sixPm).toBeLessThan(1500);
  await expect
    .poll(() => card.getByTestId('availability').textContent())
    .toBe('You can open now · until 22:00');
  await card.getByRole('button', { name: 'Open Front gate' }).click();
  await expect
    .poll(() => card.locator('.progress').textContent(), { timeout: 5000 })
    .toBe('Opened');
  await shot(page, '09-after-18h-opened');

  // Revoked: the door disappears at once, and an open a moment later is refused.
  const token = await page.evaluate(
    () => JSON.parse(localStorage.getItem('keyway.session')!).token,
  );
  await watchDom(page, { selector: '[data-door]', gone: true });
  const revokedAt = Date.now();
  const del = await w.server.request('DELETE', `/v1/members/${w.member.id}`, {
    token: w.owner,
  });
  expect(del.status).toBe(204);
  const refused = await w.server.request(
    'POST',
    `/v1/doors/${w.door.id}/open`,
    { token, body: {} },
  );
  expect(refused.status).toBe(404);
  const goneAt = (await seenAt(page, 1000)) - pageAhead;
  recordFigure('revokeToDoorGoneMs', Math.round(goneAt - revokedAt));
  await page.getByText('No doors yet.', { exact: false }).waitFor();
  await shot(page, '10-revoked');
  await ctx.close();
});
