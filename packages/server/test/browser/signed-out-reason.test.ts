import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

describe('web UI: the sign-in page says why the session ended (issue #10 item 1, issue #16 item 17)', () => {
  let browser: Browser;
  let t: TestServer;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());
  beforeEach(async () => {
    t = await startTestServer();
    await t.addUser('alice@example.com');
  });
  afterEach(() => t.close());

  it('shows a plain banner after a password change on another device, also after reloads, until the next sign-in', async () => {
    const page = await (await newDevice(browser)).newPage();
    await signIn(page, t.url, 'alice@example.com', PASSWORD);
    const other = new Client(t.url);
    await other.login('alice@example.com');
    expect((await other.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new horse battery', signOutOtherSessions: true })).status).toBe(200);

    const banner = 'You were signed out because your password was changed on another device.';
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toContain(banner);
    // The 401 cleared the cookie, so the server cannot tell any more: the page still can.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toContain(banner);

    await page.getByLabel('E-mail address').fill('alice@example.com');
    await page.getByLabel('Password').fill('a brand new horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    // Signed in again: the reason is forgotten.
    await expect(page.evaluate(() => localStorage.getItem('seshat.sessionEnded'))).resolves.toBeNull();
  });
});
