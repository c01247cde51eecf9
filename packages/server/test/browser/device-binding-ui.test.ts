import { createSecretKey } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signBoundCookie } from '../../../seshat/src/device-binding/signed-values.ts';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The "Protected: bound to this device" marker. Chromium on Linux cannot register a DBSC key (docs/device-binding.md),
 * so the test binds the browser's session in the store and gives the browser the bound cookie a refresh would have.
 */
describe('web UI: device-bound sessions', () => {
  let browser: Browser;
  let t: TestServer;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());
  afterEach(() => t?.close());

  it('marks a bound session "Protected: bound to this device"; an unbound one has no marker', async () => {
    t = await startTestServer();
    await t.addUser('alice@example.com');
    const context = await newDevice(browser);
    const page = await context.newPage();
    await signIn(page, t.url, 'alice@example.com', PASSWORD);
    const current = page.locator('.session-card.current');
    await expect.poll(() => current.getByText('Protected: bound to this device').count()).toBe(0);

    const token = (await context.cookies()).find((c) => c.name === t.config.cookieName)!.value;
    const id = token.slice(0, 28);
    await t.store.bindSessionKey(id, { key: { alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } }, at: t.clock.now() });
    t.server.manager.flushCache();
    const [secret] = await t.store.listBindingSecrets();
    const bound = signBoundCookie({ id: secret!.id, key: createSecretKey(secret!.secret) }, id, t.clock.now() + 600_000);
    await context.addCookies([{ name: `${t.config.cookieName}_bound`, value: bound, url: t.url }]);

    await page.reload();
    await current.getByText('Protected: bound to this device').waitFor();
  });
});
