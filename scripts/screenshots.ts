/**
 * `npm run screenshots`: renders every page of the web UI into docs/screenshots/ from a real server
 * (temporary SQLite file) and Debian's Chromium. The sessions come from real sign-ins through the
 * API; only their device and place are demo fixtures (chosen by an `x-demo-device` header), so the
 * pictures show several devices and countries while everything runs on 127.0.0.1.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DAY, HOUR, ManualClock, MINUTE } from '../src/core/clock.ts';
import type { SessionEnrichment, SignInContext } from '../src/core/session-manager.ts';
import { createServer } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
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

const place = (city: string, region: string, country: string, countryCode: string) => ({ city, region, country, countryCode });

/** Demo devices and places, keyed by the `x-demo-device` header of the sign-in request. */
const fixtures: Record<string, SessionEnrichment> = {
  'mac-chrome': {
    ip: '203.0.113.24',
    device: { browser: 'Chrome', browserVersion: '131.0', os: 'macOS', osVersion: '10.15.7', deviceType: 'desktop', deviceModel: 'Mac', label: 'Chrome on macOS' },
    location: place('Berlin', 'Berlin', 'Germany', 'DE'),
  },
  iphone: {
    ip: '198.51.100.7',
    device: { browser: 'Mobile Safari', browserVersion: '17.4', os: 'iOS', osVersion: '17.4', deviceType: 'mobile', deviceModel: 'iPhone', label: 'Safari on iPhone' },
    location: place('Lisbon', 'Lisbon', 'Portugal', 'PT'),
  },
  'windows-firefox': {
    ip: '192.168.1.20',
    device: { browser: 'Firefox', browserVersion: '133.0', os: 'Windows', osVersion: '10', deviceType: 'desktop', deviceModel: null, label: 'Firefox on Windows' },
    location: null,
  },
  android: {
    ip: '100.64.12.9',
    device: { browser: 'Chrome Mobile', browserVersion: '131.0', os: 'Android', osVersion: '14', deviceType: 'mobile', deviceModel: 'Pixel 8', label: 'Chrome on Android' },
    location: place('São Paulo', 'São Paulo', 'Brazil', 'BR'),
    risk: { suspicious: true, reasons: ['First sign-in from Brazil', 'New device for this account'] },
  },
  'linux-chrome': {
    ip: '203.0.113.80',
    device: { browser: 'Chrome', browserVersion: '131.0', os: 'Linux', osVersion: null, deviceType: 'desktop', deviceModel: null, label: 'Chrome on Linux' },
    location: place('Amsterdam', 'North Holland', 'Netherlands', 'NL'),
  },
};

function demoEnricher(context: SignInContext): SessionEnrichment {
  const key = context.headers?.['x-demo-device'];
  return (typeof key === 'string' && fixtures[key]) || {};
}

const dir = mkdtempSync(join(tmpdir(), 'seshat-shots-'));
const now = Date.now();
const clock = new ManualClock(now);
const config = loadConfig({ PORT: '0', DATABASE_URL: join(dir, 'seshat.db'), LOG_LEVEL: 'silent', SESHAT_LOGIN_RATE_LIMIT: '1000' });
const server = await createServer({ config, clock, enrich: demoEnricher, passwordCost: { N: 2 ** 10, r: 8, p: 1 }, logger: false });
const url = await server.app.listen({ port: 0, host: '127.0.0.1' });

/** Signs in through the API as if `ago` ms in the past, from a demo device; returns the cookie. */
async function signInAt(email: string, device: string, ago: number, remember = false): Promise<string> {
  clock.set(now - ago);
  const ua = { 'mac-chrome': UA.macChrome, iphone: UA.iphone, 'windows-firefox': UA.windowsFirefox, android: UA.android, 'linux-chrome': UA.linuxChrome }[device]!;
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', 'user-agent': ua, 'x-demo-device': device },
    body: JSON.stringify({ email, password: PASSWORD, remember }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`);
  clock.set(now);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

async function call(cookie: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(url + path, {
    method,
    headers: { cookie, 'sec-fetch-site': 'same-origin', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
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
  const history: [email: string, device: string, ago: number, remember?: boolean][] = [
    ['ada@example.com', 'linux-chrome', 12 * DAY, true],
    ['grace@example.com', 'linux-chrome', 6 * DAY],
    ['ada@example.com', 'windows-firefox', 3 * DAY],
    ['alan@example.com', 'linux-chrome', 2 * DAY, true],
    ['grace@example.com', 'iphone', 1 * DAY],
    ['alan@example.com', 'windows-firefox', 5 * HOUR],
    ['ada@example.com', 'iphone', 2 * HOUR],
    ['grace@example.com', 'mac-chrome', 40 * MINUTE],
    ['ada@example.com', 'android', 20 * MINUTE],
  ];
  const cookies = new Map<string, string>();
  for (const [email, device, ago, remember] of history) cookies.set(email, await signInAt(email, device, ago, remember));
  // Alan mistypes his password, then changes it.
  clock.set(now - 15 * MINUTE);
  await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify({ email: 'alan@example.com', password: 'guess' }),
  });
  await call(cookies.get('alan@example.com')!, 'POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: PASSWORD, signOutOtherSessions: false });
  // Ada, as admin (through a session she logs out of again): a setting, a revocation, a forced sign-out.
  const admin = await signInAt('ada@example.com', 'mac-chrome', 10 * MINUTE);
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
    await context.setExtraHTTPHeaders({ 'x-demo-device': 'mac-chrome' });
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
    await page.locator('.session-card.suspicious').getByRole('link', { name: /^Details/ }).click();
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
    await phone.setExtraHTTPHeaders({ 'x-demo-device': 'iphone' });
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
