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
  await openTab(page, 'HQ', /settings/i);
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const doors = (token: string) =>
  t.request('GET', `/v1/spaces/${world.space.id}/doors`, { token });

describe('API keys in the dashboard', () => {
  it('makes a key with its scopes, shows the secret once, and the secret works', async () => {
    const section = page.getByRole('region', { name: 'API keys' });
    await section.getByText('No API keys yet.').waitFor();
    const form = section.getByRole('form', { name: 'New API key' });
    await form.getByLabel('Name').fill('Door board');
    await form.getByLabel('doors:read').check();
    await form.getByRole('button', { name: 'Create key' }).click();
    const secret = section.getByRole('status', {
      name: 'Secret of Door board',
    });
    await secret.waitFor();
    const value = (await secret.locator('code').textContent()) ?? '';
    expect(value).toMatch(/^kw_/);
    await section.locator('tr[data-key="Door board"]').waitFor();
    expect(
      await section.locator('tr[data-key="Door board"]').textContent(),
    ).toContain('doors:read');
    await shot(page, 'api-keys');
    expectStatus(await doors(value), 200);
    // Once hidden, the secret is nowhere on the page.
    await secret.getByRole('button', { name: 'Hide' }).click();
    expect(await page.content()).not.toContain(value);
  });

  it('rotates a key (the old secret stops) and revokes it after a confirmation', async () => {
    const section = page.getByRole('region', { name: 'API keys' });
    const row = section.locator('tr[data-key="Door board"]');
    await row.getByRole('button', { name: /rotate/i }).click();
    const secret = section.getByRole('status', {
      name: 'Secret of Door board',
    });
    await secret.waitFor();
    const fresh = (await secret.locator('code').textContent()) ?? '';
    expectStatus(await doors(fresh), 200);
    await row.getByRole('button', { name: /^revoke/i }).click();
    await row.getByRole('button', { name: 'Revoke “Door board” now' }).click();
    await section.getByText('No API keys yet.').waitFor();
    expect((await doors(fresh)).status).toBe(401);
  });
});
