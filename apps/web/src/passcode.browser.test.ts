import { afterAll, beforeAll, expect, test } from 'vitest';
import { loginInApp, phoneContext, shot } from './test/phone';
import { PHONES, startWorld, type World } from './test/world';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w?.stop());

test('with a passcode set, every open asks for it; a wrong one opens nothing', async () => {
  const ctx = await phoneContext(w.browser);
  const page = await ctx.newPage();
  await loginInApp(page, w.server, PHONES.member);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('New passcode (4 digits)').fill('2468');
  await page.getByLabel('Repeat the passcode').fill('2486');
  await page.getByRole('button', { name: 'Set passcode' }).click();
  await page.getByText('The two passcodes differ.').waitFor();
  await page.getByLabel('Repeat the passcode').fill('2468');
  await page.getByRole('button', { name: 'Set passcode' }).click();
  await page.getByText('A 4-digit passcode is asked at every open.').waitFor();

  // Only a salted PBKDF2 hash is stored on the device.
  const stored = await page.evaluate(() =>
    Object.entries(localStorage).filter(([k]) =>
      k.startsWith('keyway.passcode.'),
    ),
  );
  expect(stored).toHaveLength(1);
  const saved = JSON.parse(stored[0]![1]);
  expect(Object.keys(saved).sort()).toEqual(['hash', 'iterations', 'salt']);
  expect(saved.iterations).toBeGreaterThanOrEqual(100_000);
  expect(JSON.stringify(stored)).not.toContain('2468');

  await page.getByRole('link', { name: 'Doors' }).click();
  const card = page.locator('[data-door="Front gate"]');
  let opens = 0;
  page.on('request', (r) => {
    if (r.url().endsWith('/open')) opens++;
  });
  await card.getByRole('button', { name: 'Open Front gate' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open Front gate' });
  await dialog.waitFor();
  await shot(page, '11-passcode');
  await dialog.getByLabel('Passcode').fill('1111');
  await dialog.getByText('Wrong passcode. Try again.').waitFor();
  expect(opens).toBe(0);
  await shot(page, '12-passcode-wrong');

  // Esc cancels; nothing was sent.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect(opens).toBe(0);

  // Keyboard only: focus the button, Enter, type the code.
  await card.getByRole('button', { name: 'Open Front gate' }).focus();
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.keyboard.type('2468');
  await expect
    .poll(() => card.locator('.progress').textContent(), { timeout: 5000 })
    .toBe('Opened');
  expect(opens).toBe(1);

  // Removing it needs the current one.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Current passcode').fill('0000');
  await page.getByRole('button', { name: 'Remove passcode' }).click();
  await page.getByText('Wrong passcode. Try again.').waitFor();
  await page.getByLabel('Current passcode').fill('2468');
  await page.getByRole('button', { name: 'Remove passcode' }).click();
  await page.getByText('Ask a 4-digit passcode before every open.').waitFor();
  await ctx.close();
});
