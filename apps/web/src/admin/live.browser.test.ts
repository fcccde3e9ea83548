import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace, PHONES } from '../../../server/src/test/fixtures';
import { expectStatus, TestServer } from '../../../server/src/test/harness';
import { UnitProcess, waitFor } from '../../../server/src/test/unit-process';
import { toLocalInput } from './model/format';
import { launch, login, openPage, openTab, shot } from './test/browser';

let t: TestServer;
let browser: Browser;
let unit: UnitProcess;
let world: Awaited<ReturnType<typeof buildSpace>>;
let owner: Page;

const api = (method: string, path: string, token: string, body?: unknown) =>
  t.request(method, path, { token, body });

beforeAll(async () => {
  t = await TestServer.start();
  browser = await launch();
  world = await buildSpace(t);
  const { space, group } = world;
  expectStatus(
    await api('POST', `/v1/spaces/${space.id}/admins`, world.owner, {
      phone: PHONES.admin,
      role: 'admin',
    }),
    201,
  );
  expectStatus(
    await api('POST', `/v1/spaces/${space.id}/members`, world.owner, {
      phone: PHONES.member,
      name: 'Marta',
      groupIds: [group.id],
    }),
    201,
  );
  unit = UnitProcess.spawn(world.credentials);
  await waitFor(async () => {
    const res = await api('GET', `/v1/spaces/${space.id}/units`, world.owner);
    return res.body.units.every((u: { online: boolean }) => u.online);
  }, 'the unit online');
  owner = await openPage(browser);
  await login(owner, t, PHONES.owner);
  await owner.getByRole('link', { name: 'HQ', exact: true }).click();
});
afterAll(async () => {
  await unit?.kill();
  await browser?.close();
  await t?.stop();
});

describe('live', () => {
  it('shows a door opened by a member in the live log within a second', async () => {
    await openTab(owner, 'HQ', /access control/i);
    await owner.locator('li[data-door="Front gate"]').waitFor();
    const marta = await t.login(PHONES.member, 'phone');
    const opened = expectStatus(
      await api('POST', `/v1/doors/${world.door.id}/open`, marta),
      200,
    );
    const t0 = Date.now();
    const row = owner.locator(`tr[data-event-id="${opened.event.id}"]`);
    await row.waitFor({ timeout: 1000 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await row.textContent()).toContain('Marta (+34600000004)');
    expect(await row.textContent()).toContain('Opened');
    // The sensor reports the door open, then closed again (sim driver, 300 ms): the board follows.
    await owner
      .locator('li[data-door="Front gate"]', { hasText: 'Closed' })
      .waitFor();
    // A refusal is logged live too, with its reason.
    const stranger = await t.login(PHONES.stranger, 'phone');
    await api('POST', `/v1/doors/${world.door.id}/open`, stranger);
    await api('PATCH', `/v1/spaces/${world.space.id}`, world.owner, {
      lockdown: true,
    });
    const refused = await api('POST', `/v1/doors/${world.door.id}/open`, marta);
    expect(refused.status).toBe(403);
    await owner
      .locator('tr.row-refused', { hasText: 'lockdown' })
      .waitFor({ timeout: 1000 });
    await api('PATCH', `/v1/spaces/${world.space.id}`, world.owner, {
      lockdown: false,
    });
    // Filter by type: only open attempts.
    await owner
      .getByRole('combobox', { name: 'Type' })
      .selectOption('door.open');
    await expect
      .poll(() => owner.locator('table.log tbody tr').count())
      .toBeGreaterThanOrEqual(2);
    const types = await owner
      .locator('table.log tbody tr td:nth-child(2)')
      .allTextContents();
    expect(new Set(types)).toEqual(new Set(['Open attempt']));
    await owner.getByRole('combobox', { name: 'Type' }).selectOption('');
    await shot(owner, '11-access-control');
    // CSV export of what the log shows.
    const [download] = await Promise.all([
      owner.waitForEvent('download'),
      owner.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = await (await download.createReadStream()).toArray();
    const text = Buffer.concat(csv).toString('utf8');
    expect(text.split('\r\n')[0]).toBe('at,type,door,who,result,reason,action');
    expect(text).toContain(`door.open,Front gate,Marta (+34600000004),granted`);
  });

  it('shows two admins each other’s edits without a reload', async () => {
    const other = await openPage(browser);
    await login(other, t, PHONES.admin);
    await other.getByRole('link', { name: 'HQ', exact: true }).click();
    await openTab(other, 'HQ', /user management/i);
    await openTab(owner, 'HQ', /user management/i);
    // The owner adds a group: it appears on the other admin's screen.
    await owner.getByRole('button', { name: 'Add group' }).click();
    const form = owner.getByRole('form', { name: 'New group' });
    await form.getByLabel('Name').fill('Cleaners');
    await form.getByLabel('Garage').check();
    await form.getByRole('button', { name: 'Save' }).click();
    await other.locator('tr[data-group="Cleaners"]').waitFor({ timeout: 2000 });
    // The other admin renames a member: the owner sees the new name.
    await other.getByRole('button', { name: `Edit ${PHONES.member}` }).click();
    const edit = other.getByRole('form', { name: /edit marta/i });
    await edit.getByLabel('Name').fill('Marta López');
    await edit.getByRole('button', { name: 'Save' }).click();
    await owner
      .locator(`tr[data-member="${PHONES.member}"]`, { hasText: 'Marta López' })
      .waitFor({ timeout: 2000 });
    await shot(other, '12-second-admin');
    await other.context().close();
  });

  it('answers "back in time" for an instant before a revocation', async () => {
    const temp = expectStatus(
      await api('POST', `/v1/spaces/${world.space.id}/members`, world.owner, {
        phone: '+34600000006',
        name: 'Temp',
        groupIds: [world.group.id],
        access: {
          timeFrames: [
            {
              days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
              from: '00:00',
              to: '00:00',
            },
          ],
        },
      }),
      201,
    ).member;
    await new Promise((r) => setTimeout(r, 1200));
    const before = new Date();
    await new Promise((r) => setTimeout(r, 1200));
    expectStatus(
      await api('DELETE', `/v1/members/${temp.id}`, world.owner),
      204,
    );
    await openTab(owner, 'HQ', /access control/i);
    const section = owner.getByRole('region', { name: 'Back in time' });
    const ask = async (at: Date) => {
      await section
        .getByLabel(/instant/i)
        .fill(toLocalInput(at, 'Europe/Madrid'));
      await section.getByRole('button', { name: 'Show' }).click();
      await section.locator('p.note', { hasText: /^At / }).waitFor();
    };
    await ask(before);
    const gate = section.locator('article[data-door="Front gate"]');
    // Her name is not in the audit trail of a deleted member: her phone number stands for her.
    await gate
      .getByText(
        /\+34600000006 could open — via Residents; inside .* 00:00–00:00/,
      )
      .waitFor();
    await gate
      .getByText(/Marta López could open — via Residents; basic mode, 24\/7/)
      .waitFor();
    expect(await gate.locator('h3').textContent()).toMatch(
      /Closed.*unit online/,
    );
    await section.getByText(/rebuilt from the audit log/).waitFor();
    await shot(owner, '13-back-in-time');
    await ask(new Date(Date.now() + 1000));
    await section
      .getByText(/Marta López could open/)
      .first()
      .waitFor();
    expect(await gate.getByText('+34600000006').count()).toBe(0);
  });

  it('shows insights from the log, the unit online, and delivery receipts of recent changes', async () => {
    await openTab(owner, 'HQ', /units and doors/i);
    await owner
      .locator('tr[data-unit="Gate unit"]', { hasText: 'Online' })
      .waitFor();
    // The sim unit applies every change: the latest admin change is "applied on 1 of 1" units.
    await owner.getByText('applied on 1 of 1').first().waitFor();
    await shot(owner, '14-units-live');
    await openTab(owner, 'HQ', /home/i);
    const perDoor = owner.getByRole('img', { name: 'Opens per door' });
    await perDoor.waitFor();
    expect(await perDoor.textContent()).toContain('Front gate');
    expect(
      await owner
        .getByRole('img', { name: 'Refusals by reason' })
        .textContent(),
    ).toContain('lockdown');
    await shot(owner, '03-home-insights');
  });
});
