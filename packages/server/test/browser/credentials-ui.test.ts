import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureAdmin } from '../../src/app.ts';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

/** Step-up and the required password change, in the browser (issue 10.3, issue 14.20). */
describe('web UI: step-up and required password changes', () => {
  let browser: Browser;
  let t: TestServer;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(() => t.close());

  it('asks for the password over the dialog once the sign-in is old, then finishes the action; not again within the window', async () => {
    await t.addUser('alice@example.com');
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await (await newDevice(browser)).newPage();
      await signIn(page, t.url, 'alice@example.com', PASSWORD);
      pages.push(page);
    }
    const me = pages[2]!;
    await me.reload();
    await me.locator('.session-card.current').waitFor();
    t.clock.advance(11 * 60_000);

    await me.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await me.getByRole('dialog', { name: 'Sign out all other sessions?' }).getByRole('button', { name: 'Sign out 2 sessions' }).click();
    const prompt = me.getByRole('dialog', { name: 'Confirm it is you' });
    await prompt.getByLabel('Password').fill('not my password');
    await prompt.getByRole('button', { name: 'Continue' }).click();
    await prompt.getByRole('alert').waitFor();
    await prompt.getByLabel('Password').fill(PASSWORD);
    await prompt.getByRole('button', { name: 'Continue' }).click();
    await me.getByText('Signed out 2 other sessions.').waitFor();
    // Still signed in: a step-up refusal is not a sign-out.
    await me.locator('.session-card.current').waitFor();
    expect(await me.getByRole('dialog', { name: 'Confirm it is you' }).count()).toBe(0);
  });

  it('a generated first-admin password leads straight to choosing a new one', async () => {
    let printed = '';
    await ensureAdmin(t.server, (line) => (printed += line));
    const password = /one-time password: (\S+)/.exec(printed)![1]!;
    const page = await (await newDevice(browser)).newPage();
    await page.goto(`${t.url}/sign-in`);
    await page.getByLabel('E-mail address').fill('admin@seshat.local');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/Choose a new password before you continue/).waitFor();
    await page.getByLabel('Current password').fill(password);
    await page.getByLabel('New password', { exact: true }).fill('a brand new long passphrase');
    await page.getByLabel('Repeat new password').fill('a brand new long passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await page.locator('.session-card.current').waitFor();
  });
});
