import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

/** Issue 16 item 20: a failed load says what went wrong and offers "Try again", which loads the page. */
describe('web UI: a page whose data fails to load', () => {
  let browser: Browser;
  let t: TestServer;
  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestServer();
    await t.addUser('alice@example.com');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the error with a working "Try again" once the automatic retries are used up', async () => {
    const page = await (await newDevice(browser)).newPage();
    await signIn(page, t.url, 'alice@example.com', PASSWORD);
    await page.locator('.session-card').first().waitFor();

    // The server is briefly unavailable for the session list: the automatic retries all fail too.
    let failing = true;
    let refused = 0;
    await page.route('**/api/sessions', async (route) => {
      if (!failing || route.request().method() !== 'GET') return route.continue();
      refused++;
      return route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Service unavailable', status: 503, detail: 'The session store is not reachable.' }) });
    });
    await page.reload();
    const alert = page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Try again' }) });
    await alert.waitFor();
    expect(refused).toBeGreaterThanOrEqual(1);
    await expect(page.locator('.session-card').count()).resolves.toBe(0);

    failing = false;
    await alert.getByRole('button', { name: 'Try again' }).click();
    await page.locator('.session-card').first().waitFor();
    await expect(page.getByRole('button', { name: 'Try again' }).count()).resolves.toBe(0);
    await page.context().close();
  });
});
