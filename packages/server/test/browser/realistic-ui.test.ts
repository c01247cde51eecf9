import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, horizontalOverflow } from '../helpers/axe.ts';
import { launchBrowser, newDevice } from '../helpers/browser.ts';
import { tableProblems } from '../helpers/tables.ts';
import { ADMIN, PASSWORD, PEOPLE, seedRealisticData, UA } from '../helpers/realistic-data.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { loadNetworks } from '../../src/network.ts';

/**
 * Issue 16, "must show": with real-looking data (ten kinds of device, 60-character e-mails, sign-ins minutes
 * apart from several countries) every page and dialog fits 1280 and 375 px without sideways scrolling, and axe
 * finds nothing in the light or the dark theme.
 */
describe('web UI with realistic data', () => {
  let browser: Browser;
  let t: TestServer;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestServer({ env: { SESHAT_TRUSTED_PROXIES: '127.0.0.1', SESHAT_HELP_URL: 'https://help.example.com/sessions' } });
    await seedRealisticData(t.url, t.server, t.clock);
    await loadNetworks();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function open(width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
    const context = await newDevice(browser, { width, height: 800, colorScheme, userAgent: UA.macChrome });
    return context.newPage();
  }

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(`${t.url}/sign-in`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await page.locator('.session-card.current').waitFor();
  }

  /** Fits, axe-clean, and every table captioned and (on phones) labelled cell by cell, as it is now. */
  async function check(page: Page, what: string): Promise<void> {
    expect(await horizontalOverflow(page), `${what}: horizontal overflow`).toEqual([]);
    expect(await axeViolations(page), `${what}: axe`).toEqual([]);
    expect(await tableProblems(page), `${what}: tables`).toEqual([]);
  }

  async function dialog(page: Page, openIt: () => Promise<void>, what: string): Promise<void> {
    await openIt();
    await page.locator('dialog[open]').waitFor();
    await check(page, what);
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' }).catch(() => page.locator('dialog[open]').waitFor({ state: 'hidden' }));
  }

  for (const width of [1280, 375]) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`every page and dialog fits ${width} px and is axe-clean (${scheme})`, async () => {
        const page = await open(width, scheme);
        await page.goto(`${t.url}/sign-in`);
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        await check(page, 'sign-in');

        await signIn(page, ADMIN);
        await expect.poll(() => page.locator('.session-card').count()).toBeGreaterThanOrEqual(10);
        // Ten kinds of device, each named and with its own icon.
        const labels = await page.locator('.session-card .session-label').allTextContents();
        for (const label of ['MyCompanyApp on Android', 'curl', 'Unknown device', 'Safari on iPad', 'Firefox on Ubuntu', 'Edge on Windows', 'Chrome on Android', 'Safari on iPhone', 'Chrome on Windows', 'Chrome on macOS']) {
          expect(labels, label).toContain(label);
        }
        await expect.poll(() => page.locator('.session-card [data-device="app"]').count()).toBe(1);
        await expect.poll(() => page.locator('.session-card [data-device="cli"]').count()).toBe(1);
        await expect.poll(() => page.locator('.session-card [data-device="unknown"]').count()).toBe(1);
        await page.getByText('Galaxy S23 Ultra').first().waitFor();
        // The network (ISP) of each located session, and the token's last characters.
        await page.getByText('MEO - SERVICOS DE COMUNICACOES E MULTIMEDIA S.A.').first().waitFor();
        await expect.poll(() => page.locator('.session-card .mono').filter({ hasText: /^…[\w-]{8}$/ }).count()).toBeGreaterThanOrEqual(10);
        await check(page, 'sessions');
        // At 375 px each navigation group is one row, and the top bar shows the whole e-mail address.
        const rows = await page.evaluate(() => [...document.querySelectorAll('.sidebar ul')].map((ul) => new Set([...ul.querySelectorAll('a')].map((a) => a.getBoundingClientRect().top)).size));
        if (width === 375) expect(rows).toEqual([1, 1]);
        await expect(page.locator('.account-name').evaluate((el) => el.scrollWidth <= el.clientWidth)).resolves.toBe(true);
        // The reasons behind a flagged sign-in, opened.
        const why = page.locator('.risk-why summary').first();
        if ((await why.count()) > 0) {
          await why.click();
          await check(page, 'sessions, "Why?" open');
        }
        await dialog(page, () => page.locator('.session-card:not(.current) .session-actions').first().getByRole('button', { name: /^Sign out/ }).click(), 'sign out one');
        await dialog(page, () => page.locator('#others-heading + button').click(), 'sign out all others');

        await page.getByRole('link', { name: /^Details of MyCompanyApp on Android/ }).click();
        await page.locator('.detail-list').waitFor();
        await check(page, 'session details');

        for (const [path, ready] of [
          ['/settings/security/password', 'form'],
          ['/settings/api-keys', 'form'],
          ['/admin/settings', 'fieldset'],
          ['/admin/audit', 'tbody tr'],
          ['/admin/overview', '.chart-area svg'],
          ['/no/such/page', 'h1'],
        ] as const) {
          await page.goto(t.url + path);
          await page.locator(ready).first().waitFor();
          await check(page, path);
        }
        // The force-sign-out reason is visible in the audit log.
        await page.goto(`${t.url}/admin/audit`);
        await page.getByText('Laptop reported stolen at the Lisbon office; new one issued').waitFor();

        await page.goto(`${t.url}/admin/settings`);
        await page.locator('fieldset').first().waitFor();
        await dialog(page, () => page.getByRole('button', { name: 'Save settings' }).click(), 'settings confirmation');

        await page.goto(`${t.url}/admin/sessions`);
        await page.getByText(/^Showing/).waitFor();
        await check(page, '/admin/sessions');
        const long = PEOPLE[0]!.email;
        await dialog(page, () => page.getByRole('button', { name: `Sign out everywhere (${long})` }).click(), 'sign out everywhere');
        await dialog(page, () => page.getByRole('button', { name: new RegExp(`^Sign out ${long.replace(/[.]/g, '\\.')}'s session`) }).first().click(), 'sign out a team session');
        await dialog(page, () => page.getByRole('main').getByRole('button', { name: 'Sign out everyone' }).click(), 'sign out everyone');
        // The person page of the long address: their sessions, the policy in effect, API keys, recent events.
        await page.getByRole('link', { name: long }).first().click();
        await page.getByRole('heading', { level: 2, name: 'Recent audit events' }).waitFor();
        await page.getByRole('heading', { level: 2, name: 'API keys' }).waitFor();
        await page.locator('tbody tr').first().waitFor();
        await check(page, 'person page');
        await page.context().close();
      });
    }
  }

  it('a non-admin gets a permission page on /admin/*, axe-clean', async () => {
    const page = await open(375, 'dark');
    await signIn(page, PEOPLE[0]!.email);
    await page.goto(`${t.url}/admin/audit`);
    await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
    await check(page, 'forbidden');
    await page.context().close();
  });
});
