import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace, PHONES } from '../../../server/src/test/fixtures';
import { expectStatus, TestServer } from '../../../server/src/test/harness';
import { launch, login, openPage, openTab, shot } from './test/browser';

let t: TestServer;
let browser: Browser;
let world: Awaited<ReturnType<typeof buildSpace>>;

beforeAll(async () => {
  t = await TestServer.start();
  browser = await launch();
  world = await buildSpace(t);
  const { owner, space } = world;
  expectStatus(
    await t.request('POST', `/v1/spaces/${space.id}/admins`, {
      token: owner,
      body: { phone: PHONES.viewer, role: 'viewer' },
    }),
    201,
  );
  expectStatus(
    await t.request('POST', `/v1/spaces/${space.id}/members`, {
      token: owner,
      body: { phone: PHONES.member, name: 'Marta', groupIds: [world.group.id] },
    }),
    201,
  );
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the dashboard', () => {
  let page: Page;

  it('signs in with an SMS code and lists only the spaces she administers', async () => {
    page = await openPage(browser);
    await page.goto(`${t.url}/admin/`);
    await page.getByLabel(/phone number/i).waitFor();
    await shot(page, '01-login');
    await login(page, t, PHONES.owner);
    // A space where the owner is only a member is not listed.
    const other = await t.login(PHONES.stranger);
    const foreign = expectStatus(
      await t.request('POST', '/v1/spaces', {
        token: other,
        body: { name: 'Elsewhere', timezone: 'UTC' },
      }),
      201,
    ).space;
    await t.request('POST', `/v1/spaces/${foreign.id}/members`, {
      token: other,
      body: { phone: PHONES.owner },
    });
    await page.getByRole('link', { name: 'HQ', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Elsewhere' }).count()).toBe(0);
    await expect
      .poll(() => page.getByText('Owner').first().isVisible())
      .toBe(true);
    await shot(page, '02-spaces');
  });

  it('shows Home: the plot of the space, members at a glance and insights', async () => {
    await page.getByRole('link', { name: 'HQ', exact: true }).click();
    await page.getByRole('heading', { name: 'Insights' }).waitFor();
    await page.getByRole('img', { name: /plot of the space/i }).waitFor();
    await expect
      .poll(() => page.locator('.stat').first().textContent())
      .toContain('1');
    await shot(page, '03-home');
  });

  it('adds a unit and shows its credentials once, with the command that starts it', async () => {
    await openTab(page, 'HQ', /units and doors/i);
    await page.getByLabel('New unit name').fill('Garage unit');
    await page.getByRole('button', { name: 'Add unit' }).click();
    const command = await page.getByTestId('unit-command').textContent();
    const password = await page.getByTestId('unit-password').textContent();
    expect(command).toMatch(
      /^npm run unit -- --url mqtt:\/\/\S+ --username unit_\S+ --password \S+$/,
    );
    expect(command).toContain(`--password ${password}`);
    await page.locator('tr[data-unit="Garage unit"]').waitFor();
    await page.getByRole('heading', { name: 'Delivery receipts' }).waitFor();
    await shot(page, '06-units');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    expect(await page.getByTestId('unit-command').count()).toBe(0);
  });

  it('shows the settings and the admins with their roles', async () => {
    await openTab(page, 'HQ', /settings/i);
    await page.locator(`tr[data-admin="${PHONES.viewer}"]`).waitFor();
    await shot(page, '07-settings');
    // A deep link (or a reload) opens the same screen: the server falls back to the page.
    await page.goto(`${t.url}/admin/spaces/${world.space.id}/settings`);
    await page.getByRole('heading', { name: 'Space settings' }).waitFor();
    const missing = await fetch(`${t.url}/admin/assets/nope.js`);
    expect(missing.status).toBe(404);
    const bare = await fetch(`${t.url}/admin`, { redirect: 'manual' });
    expect(bare.headers.get('location')).toBe('/admin/');
  });

  it('speaks Spanish', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('es');
    await page.getByRole('link', { name: 'Inicio' }).waitFor();
    await page.getByRole('link', { name: 'Inicio' }).click();
    await page.getByRole('heading', { name: 'Estadísticas' }).waitFor();
    await shot(page, '08-home-es');
    await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
  });

  it('lets a viewer see everything and change nothing', async () => {
    const viewer = await openPage(browser);
    await login(viewer, t, PHONES.viewer);
    await viewer.getByRole('link', { name: 'HQ', exact: true }).click();
    await viewer.getByText(/you are a viewer of this space/i).waitFor();
    await openTab(viewer, 'HQ', /user management/i);
    await viewer.locator(`tr[data-member="${PHONES.member}"]`).waitFor();
    expect(
      await viewer.getByRole('button', { name: 'Add member' }).isDisabled(),
    ).toBe(true);
    expect(
      await viewer.getByRole('button', { name: 'Add group' }).isDisabled(),
    ).toBe(true);
    expect(
      await viewer.getByRole('button', { name: 'Import CSV' }).isDisabled(),
    ).toBe(true);
    // She may open a member to read her access, but every field and Save are disabled.
    await viewer.getByRole('button', { name: `View ${PHONES.member}` }).click();
    const form = viewer.getByRole('form', { name: /edit marta/i });
    await form.waitFor();
    expect(await form.getByLabel('Name').isDisabled()).toBe(true);
    expect(await form.getByRole('button', { name: 'Save' }).isDisabled()).toBe(
      true,
    );
    expect(
      await form.getByRole('button', { name: 'Revoke' }).isDisabled(),
    ).toBe(true);
    await shot(viewer, '09-viewer-users');
    await openTab(viewer, 'HQ', /units and doors/i);
    expect(
      await viewer.getByRole('button', { name: 'Add unit' }).isDisabled(),
    ).toBe(true);
    expect(
      await viewer.getByRole('button', { name: 'Add door' }).isDisabled(),
    ).toBe(true);
    await openTab(viewer, 'HQ', /settings/i);
    expect(
      await viewer.getByRole('button', { name: 'Save' }).isDisabled(),
    ).toBe(true);
    expect(
      await viewer.getByRole('button', { name: /lock down/i }).isDisabled(),
    ).toBe(true);
    // Every enabled control left on the page is a filter, a link or a language switch: count writes.
    const writes: string[] = [];
    viewer.on(
      'request',
      (r) =>
        r.method() !== 'GET' &&
        r.url().includes('/v1/') &&
        writes.push(r.url()),
    );
    await viewer
      .getByRole('button', { name: 'Save' })
      .click({ force: true })
      .catch(() => {});
    expect(writes).toEqual([]);
    // And the server agrees: a viewer's write is refused.
    const token = await t.login(PHONES.viewer, 'api');
    const res = await t.request('PATCH', `/v1/spaces/${world.space.id}`, {
      token,
      body: { name: 'Mine' },
    });
    expect(res.status).toBe(403);
  });
});
