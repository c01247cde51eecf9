/**
 * `npm run screenshots`: renders the web UI into docs/screenshots/ from a real server (temporary SQLite file,
 * the default device parser, bundled GeoIP, network and risk rules) and Debian's Chromium, with the realistic
 * data set of the browser tests (test/helpers/realistic-data.ts): ten kinds of device, long e-mail addresses,
 * sign-ins minutes apart from several countries. Light and dark, 1280 and 375 px, and one in German.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from 'seshat';
import { createServer } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { loadNetworks } from '../src/network.ts';
import { launchBrowser, newDevice } from '../test/helpers/browser.ts';
import { ADMIN, IP, PASSWORD, seedRealisticData, UA } from '../test/helpers/realistic-data.ts';

const OUT = 'docs/screenshots';

const dir = mkdtempSync(join(tmpdir(), 'seshat-shots-'));
const clock = new ManualClock(Date.now());
const config = loadConfig({
  PORT: '0',
  DATABASE_URL: join(dir, 'seshat.db'),
  LOG_LEVEL: 'silent',
  SESHAT_LOGIN_RATE_LIMIT: '1000',
  SESHAT_TRUSTED_PROXIES: '127.0.0.1',
  SESHAT_HELP_URL: 'https://help.example.com/sessions',
});
const server = await createServer({ config, clock, passwordCost: { N: 2 ** 10, r: 8, p: 1 }, logger: false });
const url = await server.app.listen({ port: 0, host: '127.0.0.1' });

async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
  console.log(`${OUT}/${name}.png`);
}

async function signedIn(browser: Browser, options: { width?: number; height?: number; colorScheme?: 'light' | 'dark'; locale?: string; sessionsTitle?: string } = {}): Promise<Page> {
  const context = await newDevice(browser, { userAgent: UA.macChrome, ...options });
  await context.setExtraHTTPHeaders({ 'x-forwarded-for': IP.frankfurt });
  const page = await context.newPage();
  await page.goto(`${url}/sign-in`);
  await page.locator('#email').fill(ADMIN);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#password').press('Enter');
  await page.getByRole('heading', { level: 1, name: options.sessionsTitle ?? 'Sessions' }).waitFor();
  await page.locator('.session-card').nth(9).waitFor();
  return page;
}

try {
  mkdirSync(OUT, { recursive: true });
  await seedRealisticData(url, server, clock);
  await loadNetworks();

  const browser = await launchBrowser();
  try {
    // Sign-in page.
    const first = await (await newDevice(browser, { userAgent: UA.macChrome })).newPage();
    await first.goto(`${url}/sign-in`);
    await first.locator('#email').fill(ADMIN);
    await shoot(first, 'sign-in');

    const page = await signedIn(browser);
    // One flagged session's reasons, opened.
    await page.locator('.session-card:not(.current) .risk-why summary').first().click();
    await shoot(page, 'sessions');

    await page.locator('#others-heading + button').click();
    await page.getByRole('dialog').waitFor();
    await shoot(page, 'confirm-dialog', false);
    await page.keyboard.press('Escape');

    await page.getByRole('link', { name: /^Details of MyCompanyApp on Android/ }).click();
    await page.locator('.detail-list').waitFor();
    await shoot(page, 'session-details');

    await page.getByRole('link', { name: 'Team sessions' }).click();
    await page.getByText(/^Showing/).waitFor();
    await shoot(page, 'admin-sessions');

    await page.getByRole('link', { name: 'Session settings' }).click();
    await page.locator('fieldset').first().waitFor();
    await shoot(page, 'admin-settings');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('tbody tr').first().waitFor();
    await shoot(page, 'audit-log');

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator('.chart-area svg').first().waitFor();
    await shoot(page, 'admin-overview');

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('New key name').fill('Monitoring');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('New API key').waitFor();
    await shoot(page, 'api-keys');

    // Dark.
    const dark = await signedIn(browser, { colorScheme: 'dark' });
    await shoot(dark, 'sessions-dark');
    await dark.goto(`${url}/admin/sessions`);
    await dark.getByText(/^Showing/).waitFor();
    await shoot(dark, 'admin-sessions-dark');
    await dark.goto(`${url}/admin/overview`);
    await dark.locator('.chart-area svg').first().waitFor();
    await shoot(dark, 'admin-overview-dark');

    // Phone-sized: 375 px wide, light and dark.
    const mobile = await signedIn(browser, { width: 375, height: 812 });
    await shoot(mobile, 'mobile-sessions', false);
    await mobile.goto(`${url}/admin/sessions`);
    await mobile.getByText(/^Showing/).waitFor();
    await shoot(mobile, 'mobile-admin-sessions', false);
    const mobileDark = await signedIn(browser, { width: 375, height: 812, colorScheme: 'dark' });
    await shoot(mobileDark, 'mobile-sessions-dark', false);

    // German, from the browser's language.
    const german = await signedIn(browser, { locale: 'de-DE', sessionsTitle: 'Sitzungen' });
    await shoot(german, 'sessions-de');
  } finally {
    await browser.close();
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
