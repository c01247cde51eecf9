import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { tableProblems } from '../helpers/tables.ts';
import { PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Live sign-out in the browser: a session signed out from another device takes every open tab of this browser
 * back to sign-in at once, with the reason, without a click or a reload. Also the Security activity and Webhooks pages.
 */
describe('web UI: live sign-out, security activity, webhooks', () => {
  let browser: Browser;
  let t: TestServer;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestServer();
    await t.addUser('alice@example.com', 'admin');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('returns every tab of a browser to sign-in with the reason the moment another device signs it out', async () => {
    const laptop = await newDevice(browser);
    const first = await laptop.newPage();
    await signIn(first, t.url, 'alice@example.com', PASSWORD);
    const second = await laptop.newPage();
    await second.goto(`${t.url}/settings/security/activity`);
    await second.getByRole('heading', { level: 1, name: 'Security activity' }).waitFor();
    await second.getByText('Signed in').first().waitFor();

    const phone = await newDevice(browser);
    const other = await phone.newPage();
    await signIn(other, t.url, 'alice@example.com', PASSWORD);
    // The laptop's list grows by itself (sessions.changed), then the phone signs the laptop out.
    await first.locator('.session-card:not(.current)').first().waitFor();
    await other.locator('.session-card:not(.current)').first().getByRole('button', { name: /^Sign out/ }).click();
    const dialog = other.getByRole('dialog');
    if (await dialog.isVisible().catch(() => false)) await dialog.getByRole('button', { name: /^Sign out/ }).click();

    for (const page of [first, second]) {
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await page.getByText('You were signed out from another of your devices.').waitFor();
    }
    await laptop.close();
    await phone.close();
  });

  it('lets an admin add a webhook endpoint, shows its secret once and sends a test event', async () => {
    const context = await newDevice(browser);
    const page = await context.newPage();
    await signIn(page, t.url, 'alice@example.com', PASSWORD);
    await page.goto(`${t.url}/admin/webhooks`);
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/hooks');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = page.getByRole('textbox', { name: 'Signing secret' });
    await secret.waitFor();
    expect(await secret.inputValue()).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('webhook.test').waitFor();
    // The endpoints and the deliveries, as on a phone too: one card per row, each value under its column's name.
    expect(await tableProblems(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await tableProblems(page)).toEqual([]);
    await context.close();
  });
});
