import { readFileSync } from 'node:fs';
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
    await t.request('PATCH', '/v1/me', {
      token: owner,
      body: { name: 'Olga' },
    }),
    200,
  );
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
  expectStatus(
    await t.request('PATCH', `/v1/doors/${world.door.id}`, {
      token: owner,
      body: { name: 'Main gate', pulseMs: 800 },
    }),
    200,
  );
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the dashboard’s audit trail', () => {
  let page: Page;
  const rows = () => page.locator('table.audit tbody tr');

  it('lists every admin action beside the access log, newest first, with who and what changed', async () => {
    page = await openPage(browser);
    await login(page, t, PHONES.owner);
    await page.getByRole('link', { name: 'HQ', exact: true }).click();
    await openTab(page, 'HQ', /audit trail/i);
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
    // buildSpace made 5 (space, unit, 2 doors, group), then the viewer, the member, the door.
    await expect.poll(() => rows().count()).toBe(8);
    const first = rows().first();
    await expect.poll(() => first.textContent()).toContain('Changed a door');
    const text = (await first.textContent()) ?? '';
    expect(text).toContain('Olga (+34600000001)');
    expect(text).toContain('Door: Main gate');
    expect(text).toMatch(/name: Front gate → Main gate/);
    expect(text).toMatch(/pulseMs: 200 → 800/);
    expect(await rows().last().textContent()).toContain('Created the space');
    await shot(page, 'audit-01-trail');
  });

  it('a change made elsewhere appears at once', async () => {
    expectStatus(
      await t.request('PATCH', `/v1/groups/${world.group.id}`, {
        token: world.owner,
        body: { name: 'Neighbours' },
      }),
      200,
    );
    await expect
      .poll(() => rows().first().textContent())
      .toContain('Group: Neighbours');
    await expect.poll(() => rows().count()).toBe(9);
  });

  it('filters by object type and by who, and exports what it shows as CSV', async () => {
    await page.getByLabel('Object type').selectOption('door');
    await expect.poll(() => rows().count()).toBe(3);
    for (const text of await rows().allTextContents())
      expect(text).toMatch(/Door: /);
    await shot(page, 'audit-02-doors');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const lines = readFileSync(file, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,at,actor_user_id,actor_name,actor_phone,session_id,api_key_id,action,object_type,object_id,object_name,before,after',
    );
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).every((l) => l.includes(',door,'))).toBe(true);
    await page.getByLabel('Object type').selectOption('');
    const viewerId = (
      expectStatus(
        await t.request('GET', `/v1/spaces/${world.space.id}/admins`, {
          token: world.owner,
        }),
        200,
      ).admins as { userId: string; phone: string }[]
    ).find((a) => a.phone === PHONES.viewer)!.userId;
    await page.getByLabel('Who').selectOption(viewerId);
    await expect.poll(() => rows().count()).toBe(0);
    await page.getByText('No admin action matches these filters.').waitFor();
  });

  it('a viewer has no audit trail tab', async () => {
    const viewer = await openPage(browser);
    await login(viewer, t, PHONES.viewer);
    await viewer.getByRole('link', { name: 'HQ', exact: true }).click();
    const nav = viewer.getByRole('navigation', { name: 'Space sections' });
    await nav.getByRole('link', { name: /access control/i }).waitFor();
    expect(await nav.getByRole('link', { name: /audit trail/i }).count()).toBe(
      0,
    );
    await viewer.goto(`${t.url}/admin/spaces/${world.space.id}/audit`);
    await viewer.getByText(/only the space’s owners and admins/i).waitFor();
    await viewer.context().close();
  });
});
