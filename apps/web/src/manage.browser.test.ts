import { afterAll, beforeAll, expect, test } from 'vitest';
import { recordFigure } from './test/figures';
import { loginInApp, phoneContext, seenAt, shot, watchDom } from './test/phone';
import { PHONES, startWorld, type World } from './test/world';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w?.stop());

test('an admin adds a member in advanced mode, edits her to basic, sees live events, revokes her', async () => {
  const ctx = await phoneContext(w.browser);
  const page = await ctx.newPage();
  page.on('dialog', (d) => void d.accept());
  await loginInApp(page, w.server, PHONES.owner);
  // Her own doors: as the owner she opens every door of the space.
  await page.getByRole('button', { name: 'Open Garage' }).waitFor();
  await page.getByRole('link', { name: 'Manage' }).click();
  const members = page.locator('.members li');
  await expect.poll(() => members.count()).toBe(1);
  expect(await members.first().textContent()).toContain('Marta');

  await page.getByRole('button', { name: 'Add member' }).click();
  const form = page.locator('form.member-form');
  await form.getByLabel('Phone number').fill('600 000 005');
  await form.getByLabel('Name').fill('Jordi');
  expect(
    await form.getByRole('checkbox', { name: 'Residents' }).isChecked(),
  ).toBe(true);
  await form
    .getByRole('radio', { name: 'Advanced: time frames and dates' })
    .check();
  const first = form.getByRole('group', { name: 'Time frame 1' });
  await first.getByLabel('From').fill('18:00');
  await first.getByLabel('To').fill('22:00');
  await form.getByRole('button', { name: 'Add time frame' }).click();
  const second = form.getByRole('group', { name: 'Time frame 2' });
  for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])
    await second.getByRole('checkbox', { name: day }).uncheck();
  await second.getByRole('checkbox', { name: 'Sat' }).check();
  await second.getByLabel('From').fill('22:00');
  await second.getByLabel('To').fill('02:00');
  await second.getByText('Runs overnight into the next day').waitFor();
  await form.getByLabel('Valid until').fill('2027-01-31');
  await shot(page, '18-member-form');
  await form.getByRole('button', { name: 'Save' }).click();

  const jordi = members.filter({ hasText: 'Jordi' });
  await jordi.waitFor();
  expect(await jordi.textContent()).toContain(
    'Mon–Fri 18:00–22:00 · Sat 22:00–02:00',
  );
  const listed = await w.server.request(
    'GET',
    `/v1/spaces/${w.space.id}/members`,
    { token: w.owner },
  );
  const stored = listed.body.members.find(
    (m: { name: string }) => m.name === 'Jordi',
  );
  expect(stored.phone).toBe(PHONES.evening);
  expect(stored.groupIds).toEqual([w.group.id]);
  expect(stored.access.timeFrames).toEqual([
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '18:00', to: '22:00' },
    { days: ['sat'], from: '22:00', to: '02:00' },
  ]);
  // The last millisecond of 31 January in Madrid (UTC+1 then).
  expect(new Date(stored.access.validUntil).toISOString()).toBe(
    '2027-01-31T22:59:59.999Z',
  );
  expect(stored.access.validFrom ?? null).toBeNull();

  // Live events: Marta opens from her phone; it appears here at once.
  const marta = await w.server.login(PHONES.member);
  await watchDom(page, {
    selector: '.events .ev',
    text: 'Marta opened Front gate',
  });
  const t0 = Date.now();
  const opened = await w.server.request('POST', `/v1/doors/${w.door.id}/open`, {
    token: marta,
    body: {},
  });
  expect(opened.status).toBe(200);
  recordFigure(
    'memberOpenToAdminEventMs',
    Math.round((await seenAt(page, 5000)) - t0),
  );
  await shot(page, '19-manage');

  await jordi.getByRole('button', { name: 'Edit Jordi' }).click();
  await form.getByRole('radio', { name: 'Basic: 24/7' }).check();
  await form.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => jordi.textContent()).toContain('24/7');

  await jordi.getByRole('button', { name: 'Revoke Jordi' }).click();
  await jordi.waitFor({ state: 'detached' });
  await expect.poll(() => members.count()).toBe(1);
  await ctx.close();
});
