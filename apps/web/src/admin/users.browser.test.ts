import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace, PHONES } from '../../../server/src/test/fixtures';
import { expectStatus, TestServer } from '../../../server/src/test/harness';
import { launch, login, openPage, openTab, shot } from './test/browser';

let t: TestServer;
let browser: Browser;
let world: Awaited<ReturnType<typeof buildSpace>>;
let page: Page;

beforeAll(async () => {
  t = await TestServer.start();
  browser = await launch();
  world = await buildSpace(t);
  page = await openPage(browser);
  await login(page, t, PHONES.owner);
  await page.getByRole('link', { name: 'HQ', exact: true }).click();
  await openTab(page, 'HQ', /user management/i);
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const members = async () =>
  expectStatus(
    await t.request('GET', `/v1/spaces/${world.space.id}/members`, {
      token: world.owner,
    }),
    200,
  ).members as {
    phone: string;
    name: string | null;
    access: any;
    groupIds: string[];
  }[];

describe('user management', () => {
  it('creates a group with its doors and geofence', async () => {
    await page.getByRole('button', { name: 'Add group' }).click();
    const form = page.getByRole('form', { name: 'New group' });
    await form.getByLabel('Name').fill('Night shift');
    await form.getByLabel('Front gate').check();
    await form.getByLabel(/geofence radius/i).fill('150');
    // No member is in it yet: the preview says nothing changes.
    await form.getByText(/no change to anyone/i).waitFor();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-group="Night shift"]').waitFor();
    expect(
      await page.locator('tr[data-group="Night shift"]').textContent(),
    ).toContain('150 m');
  });

  it('adds a member in advanced mode with several frames, overnight and dates, previewed first', async () => {
    await page.getByRole('button', { name: 'Add member' }).click();
    const form = page.getByRole('form', { name: 'New member' });
    await form.getByLabel('Phone').fill('+34 600 00 00 05');
    await form.getByLabel('Name').fill('Eva');
    await form
      .getByRole('group', { name: 'Groups' })
      .getByLabel('Night shift')
      .check();
    await form.getByLabel(/advanced/i).check();
    const f1 = form.getByRole('group', { name: 'Time frame 1' });
    await f1.getByLabel('From').fill('18:00');
    await f1.getByLabel('To').fill('22:00');
    await form.getByRole('button', { name: 'Add time frame' }).click();
    const f2 = form.getByRole('group', { name: 'Time frame 2' });
    for (const d of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])
      await f2.getByLabel(d).uncheck();
    for (const d of ['Sat', 'Sun']) await f2.getByLabel(d).check();
    await f2.getByLabel('From').fill('22:00');
    await f2.getByLabel('To').fill('06:00');
    await f2.getByText(/overnight/i).waitFor();
    await form.getByLabel(/valid until/i).fill('2099-12-31T23:59');
    // The rules package, before anything is saved: she gains the one door of her group.
    const line = form.locator('.preview .gain');
    await line.waitFor();
    expect(await line.textContent()).toMatch(
      /^Gives access to 1 member on 1 door from .+\.$/,
    );
    await shot(page, '04-users-member-preview');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-member="+34600000005"]').waitFor();
    const eva = (await members()).find((m) => m.phone === '+34600000005')!;
    expect(eva.name).toBe('Eva');
    expect(eva.access.timeFrames).toEqual([
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '18:00', to: '22:00' },
      { days: ['sat', 'sun'], from: '22:00', to: '06:00' },
    ]);
    expect(new Date(eva.access.validUntil).toISOString()).toBe(
      '2099-12-31T22:59:59.999Z',
    ); // Madrid, CET
    expect(
      await page.locator('tr[data-member="+34600000005"]').textContent(),
    ).toContain('18:00–22:00');
  });

  it('previews a group edit: taking its door away removes access for its member', async () => {
    await page.getByRole('button', { name: 'Edit Night shift' }).click();
    const form = page.getByRole('form', { name: 'Edit group Night shift' });
    await form.getByLabel('Front gate').uncheck();
    await form.getByLabel('Garage').check();
    await form.locator('.preview .lose').waitFor();
    expect(await form.locator('.preview .lose').textContent()).toMatch(
      /^Removes access for 1 member on 1 door from .+\.$/,
    );
    expect(await form.locator('.preview .gain').textContent()).toMatch(
      /^Gives access to 1 member on 1 door/,
    );
    await form.getByText(/details/i).click();
    await form
      .getByText(/Eva \(\+34600000005\) loses Front gate from/)
      .waitFor();
    await shot(page, '05-users-group-preview');
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it('imports members from a CSV and reports each rejected row and why', async () => {
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const panel = page.getByRole('region', { name: /import members/i });
    await panel
      .getByLabel(/paste the rows/i)
      .fill(
        [
          'phone,name,groups',
          '+34600000011,Ana,Residents',
          'not a phone,Bad,',
          '+34 600 000 011,Ana again,',
          '+34600000012,Luis,Cleaners',
          ',Nobody,',
          '+34600000013,Olga,Residents;Night shift',
        ].join('\n'),
      );
    await panel.getByRole('button', { name: 'Import' }).click();
    await panel.getByText('2 added, 4 rejected.').waitFor();
    const row = (line: number) =>
      panel.locator(`tr[data-line="${line}"]`).textContent();
    expect(await row(2)).toContain('Added');
    expect(await row(3)).toMatch(/Rejected|not valid|invalid/i);
    expect(await row(4)).toContain('already on an earlier line');
    expect(await row(5)).toContain('no group named “Cleaners”');
    expect(await row(6)).toContain('no phone number');
    expect(await row(7)).toContain('Added');
    await shot(page, '10-users-csv-import');
    const all = await members();
    expect(all.map((m) => m.phone).sort()).toEqual([
      '+34600000005',
      '+34600000011',
      '+34600000013',
    ]);
    const olga = all.find((m) => m.phone === '+34600000013')!;
    expect(olga.groupIds).toHaveLength(2);
    await page.locator('tr[data-member="+34600000013"]').waitFor();
  });

  it('revokes a member after showing what it removes', async () => {
    await page.getByRole('button', { name: 'Edit +34600000011' }).click();
    const form = page.getByRole('form', { name: /edit ana/i });
    await form.getByRole('button', { name: 'Revoke' }).click();
    await form.locator('.preview .lose').waitFor();
    expect(await form.locator('.preview .lose').textContent()).toMatch(
      /^Removes access for 1 member on 2 doors from now\.$/,
    );
    await form.getByRole('button', { name: /yes, revoke/i }).click();
    await expect
      .poll(() => page.locator('tr[data-member="+34600000011"]').count())
      .toBe(0);
    expect((await members()).some((m) => m.phone === '+34600000011')).toBe(
      false,
    );
  });
});
