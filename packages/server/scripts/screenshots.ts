/**
 * `npm run screenshots`: renders every page of the web UI into docs/screenshots/ from a real server
 * (temporary SQLite file, the default device parser, bundled GeoIP and risk rules) and Debian's Chromium.
 * Sessions come from real sign-ins; a manual clock places them in the past, and X-Forwarded-For from a
 * trusted proxy gives them addresses in several countries while everything runs on 127.0.0.1.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DAY, HOUR, ManualClock, MINUTE } from 'seshat';
import { createServer } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { launchBrowser, newDevice } from '../test/helpers/browser.ts';

const OUT = 'docs/screenshots';
const PASSWORD = 'correct horse battery';

const UA = {
  macChrome: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  windowsFirefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  linuxChrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
};

/**
 * Where each sign-in comes from: public addresses the bundled DB-IP database places in these cities, sent as
 * X-Forwarded-For from a trusted proxy (127.0.0.1), exactly as behind a real reverse proxy.
 */
const IP = {
  frankfurt: '80.239.137.0',
  amsterdam: '84.17.46.1',
  home: '192.168.1.20',
  lisbon: '213.13.146.142',
  rio: '200.147.67.142',
  london: '81.2.69.142',
  stockholm: '89.160.20.112',
  paris: '62.210.16.6',
};

const dir = mkdtempSync(join(tmpdir(), 'seshat-shots-'));
const now = Date.now();
const clock = new ManualClock(now);
const config = loadConfig({ PORT: '0', DATABASE_URL: join(dir, 'seshat.db'), LOG_LEVEL: 'silent', SESHAT_LOGIN_RATE_LIMIT: '1000', SESHAT_TRUSTED_PROXIES: '127.0.0.1' });
const server = await createServer({ config, clock, passwordCost: { N: 2 ** 10, r: 8, p: 1 }, logger: false });
const url = await server.app.listen({ port: 0, host: '127.0.0.1' });

/** Signs in through the API as if `ago` ms in the past, from a device and address; returns the cookie. */
async function signInAt(email: string, ua: string, ip: string, ago: number, remember = false): Promise<string> {
  clock.set(now - ago);
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', 'user-agent': ua, 'x-forwarded-for': ip },
    body: JSON.stringify({ email, password: PASSWORD, remember }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`);
  clock.set(now);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

async function call(cookie: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(url + path, {
    method,
    headers: { cookie, 'sec-fetch-site': 'same-origin', 'x-forwarded-for': IP.frankfurt, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

try {
  mkdirSync(OUT, { recursive: true });
  clock.set(now - 30 * DAY);
  await server.users.create({ email: 'ada@example.com', name: 'Ada Lovelace', role: 'admin', password: PASSWORD });
  await server.users.create({ email: 'grace@example.com', name: 'Grace Hopper', role: 'user', password: PASSWORD });
  await server.users.create({ email: 'alan@example.com', name: 'Alan Turing', role: 'user', password: PASSWORD });

  // Sign-ins in the order they happened (so the audit log reads newest first): Ada's remembered
  // laptop 12 days ago, her home PC 3 days ago, her phone 2 hours ago, a suspicious sign-in 20 minutes
  // ago; and the team's.
  const history: [email: string, ua: string, ip: string, ago: number, remember?: boolean][] = [
    ['ada@example.com', UA.macChrome, IP.frankfurt, 20 * DAY],
    ['ada@example.com', UA.linuxChrome, IP.amsterdam, 12 * DAY, true],
    ['grace@example.com', UA.linuxChrome, IP.london, 6 * DAY],
    ['ada@example.com', UA.windowsFirefox, IP.home, 3 * DAY],
    ['alan@example.com', UA.linuxChrome, IP.paris, 2 * DAY, true],
    ['grace@example.com', UA.iphone, IP.london, 1 * DAY],
    ['alan@example.com', UA.windowsFirefox, IP.paris, 5 * HOUR],
    ['ada@example.com', UA.iphone, IP.lisbon, 2 * HOUR],
    ['grace@example.com', UA.macChrome, IP.stockholm, 40 * MINUTE],
    ['ada@example.com', UA.android, IP.rio, 20 * MINUTE],
  ];
  const cookies = new Map<string, string>();
  for (const [email, ua, ip, ago, remember] of history) cookies.set(email, await signInAt(email, ua, ip, ago, remember));
  // Alan mistypes his password, then changes it.
  clock.set(now - 15 * MINUTE);
  await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify({ email: 'alan@example.com', password: 'guess' }),
  });
  await call(cookies.get('alan@example.com')!, 'POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: PASSWORD, signOutOtherSessions: false });
  // Ada, as admin (through a session she logs out of again): a setting, a revocation, a forced sign-out.
  const admin = await signInAt('ada@example.com', UA.macChrome, IP.frankfurt, 10 * MINUTE);
  clock.set(now - 5 * MINUTE);
  await call(admin, 'PATCH', '/api/admin/settings', { maxSessionsPerUser: 10 });
  const graceSessions = (await (await call(admin, 'GET', '/api/admin/sessions?user=grace@example.com')).json()) as { sessions: { id: string; device: { label: string } }[] };
  await call(admin, 'DELETE', `/api/admin/sessions/${graceSessions.sessions.find((s) => s.device.label === 'Chrome on Linux')!.id}`, { reason: 'Old kiosk session' });
  await call(admin, 'POST', `/api/admin/users/${(await server.users.findByEmail('alan@example.com'))!.id}/sign-out`, { reason: 'Laptop reported stolen' });
  clock.set(now);
  // API keys with some use.
  for (const name of ['CI deploy', 'Backup job']) {
    const { key } = (await (await call(admin, 'POST', '/api/api-keys', { name })).json()) as { key: string };
    for (let i = 0; i < (name === 'CI deploy' ? 42 : 3); i++) await fetch(`${url}/api/sessions`, { headers: { authorization: `Bearer ${key}` } });
  }
  await call(admin, 'POST', '/api/auth/logout');

  const browser = await launchBrowser();
  try {
    const shoot = async (page: Page, name: string, fullPage = true) => {
      // Relative times and fonts settle before the picture.
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
      console.log(`${OUT}/${name}.png`);
    };

    // Sign-in page.
    const context = await newDevice(browser, { userAgent: UA.macChrome });
    await context.setExtraHTTPHeaders({ 'x-forwarded-for': IP.frankfurt });
    const page = await context.newPage();
    await page.goto(`${url}/sign-in`);
    await page.getByLabel('E-mail address').fill('ada@example.com');
    await shoot(page, 'sign-in');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await page.locator('.session-card').nth(4).waitFor();
    await shoot(page, 'sessions');

    // Confirm dialog for one session.
    await page.locator('.session-card:not(.current)').first().getByRole('button', { name: /^Sign out/ }).click();
    await page.getByRole('dialog').waitFor();
    await shoot(page, 'confirm-dialog', false);
    await page.keyboard.press('Escape');

    // Details of the suspicious session.
    await page.getByRole('link', { name: /^Details of Chrome on Android/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Session details' }).waitFor();
    await page.locator('.detail-list').waitFor();
    await shoot(page, 'session-details');

    await page.getByRole('link', { name: 'Team sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Team sessions' }).waitFor();
    await page.getByText(/^Showing/).waitFor();
    await shoot(page, 'admin-sessions');

    await page.getByRole('link', { name: 'Session settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Session settings' }).waitFor();
    await page.getByLabel('7 days').waitFor();
    await shoot(page, 'admin-settings');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    await shoot(page, 'audit-log');

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await page.getByLabel('New key name').fill('Monitoring');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('New API key').waitFor();
    await shoot(page, 'api-keys');

    // Phone-sized: 375 px wide.
    const phone = await newDevice(browser, { userAgent: UA.iphone, width: 375, height: 812 });
    await phone.setExtraHTTPHeaders({ 'x-forwarded-for': IP.lisbon });
    const mobile = await phone.newPage();
    await mobile.goto(`${url}/sign-in`);
    await mobile.getByLabel('E-mail address').fill('ada@example.com');
    await mobile.getByLabel('Password').fill(PASSWORD);
    await mobile.getByRole('button', { name: 'Sign in' }).click();
    await mobile.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await mobile.locator('.session-card').nth(5).waitFor();
    await shoot(mobile, 'mobile-sessions', false);
    await mobile.goto(`${url}/admin/sessions`);
    await mobile.getByText(/^Showing/).waitFor();
    await shoot(mobile, 'mobile-admin-sessions', false);
  } finally {
    await browser.close();
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
