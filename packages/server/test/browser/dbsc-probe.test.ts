import { chromium } from 'playwright-core';
import { expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../helpers/browser.ts';
import { PASSWORD, startTestServer } from '../helpers/server.ts';

const FLAGS: Record<string, string[]> = {
  none: [],
  features: ['--enable-features=DeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting'],
  featuresAndSwitch: ['--enable-features=DeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting,EnableBoundSessionCredentials', '--enable-bound-session-credentials-software-keys-for-manual-testing'],
};

it.each(Object.keys(FLAGS))('probe %s', async (variant) => {
  const t = await startTestServer({});
  const calls: string[] = [];
  t.server.app.addHook?.('onRequest', async () => {});
  await t.addUser('probe@example.com');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: process.env.PROBE_HEADED ? false : true, args: ['--no-sandbox', '--disable-gpu', ...FLAGS[variant]!] });
  try {
    const page = await browser.newPage();
    page.on('request', (r) => calls.push(`${r.method()} ${new URL(r.url()).pathname}`));
    const url = t.url.replace('127.0.0.1', 'localhost');
    await page.goto(url + '/api/auth/options');
    await page.evaluate(async (pw) => {
      await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'probe@example.com', password: pw }) });
    }, PASSWORD);
    await new Promise((r) => setTimeout(r, 4000));
    await page.goto(url + '/api/auth/session');
    const body = await page.textContent('body');
    console.log(variant, 'requests:', calls.join(', '), '\nsession:', body);
  } finally {
    await browser.close();
    await t.close();
  }
  expect(true).toBe(true);
}, 60_000);
