import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

/** Issue 10 item 4: an admin view lists the sessions people reported with "This wasn't me". */
describe('web UI: reported sessions for admins', () => {
  let browser: Browser;
  let t: TestServer;
  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestServer();
    await t.addUser('admin@example.com', 'admin');
    await t.addUser('alice@example.com');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('"Reported sessions" opens the audit log filtered to reports', async () => {
    const suspicious = new Client(t.url);
    const { session } = await suspicious.login('alice@example.com');
    const alice = new Client(t.url);
    await alice.login('alice@example.com');
    expect((await alice.post(`/api/sessions/${session.id}/report`)).status).toBeLessThan(300);

    const page = await (await newDevice(browser)).newPage();
    await signIn(page, t.url, 'admin@example.com', PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reported sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await expect.poll(() => page.getByLabel('Action', { exact: true }).inputValue()).toBe('session.reported');
    await expect.poll(() => page.locator('table tbody tr').count()).toBe(1);
    await page.context().close();
  });
});
