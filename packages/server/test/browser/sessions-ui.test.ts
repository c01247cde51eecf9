import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

/** Every session card that is not this device. */
const otherCards = (page: Page) => page.locator('.session-card:not(.current)');

describe('web UI: sign-in and my sessions', () => {
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

  it('signs in, with a clear message for wrong credentials and the remember-me choice from settings', async () => {
    const context = await newDevice(browser);
    const page = await context.newPage();
    await page.goto(`${t.url}/settings/security/sessions`);
    // Not signed in: the sign-in page, which keeps where we wanted to go.
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.getByLabel('Keep me signed in for 30 days').waitFor();
    await page.getByText(/Don't use this on a shared or public device/).waitFor();
    await expect(page.getByRole('link', { name: 'DB-IP' }).first().getAttribute('href')).resolves.toBe('https://db-ip.com');
    await expect(page.getByRole('link', { name: 'RouteViews' }).getAttribute('href')).resolves.toBe('https://www.routeviews.org');

    await page.getByLabel('E-mail address').fill('alice@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('The e-mail address or password is not correct.');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Keep me signed in for 30 days').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings/security/sessions');
    const current = page.locator('.session-card.current');
    await current.getByText('This device').waitFor();
    await current.getByRole('button', { name: /^Sign out on this device/ }).waitFor();
    // The current session cannot be revoked from the list, only logged out of.
    await expect.poll(() => current.getByRole('button', { name: /^Sign out (?!on this device)/ }).count()).toBe(0);
    await page.getByText('You are not signed in anywhere else.').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Sign out all other sessions' }).count()).toBe(0);
    // The remember-me choice reached the server: a persistent cookie.
    const cookie = (await context.cookies()).find((c) => c.name === t.config.cookieName);
    expect(cookie?.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 86400);

    // With remember-me switched off by an admin, the checkbox is gone.
    await t.server.manager.updateSettings({ userId: 'system', role: 'admin' }, { rememberMe: { enabled: false } });
    const other = await (await newDevice(browser)).newPage();
    await other.goto(`${t.url}/sign-in`);
    await other.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect.poll(() => other.getByLabel(/Keep me signed in/).count()).toBe(0);
    await context.close();
    await other.context().close();
  });

  it('explains rate limiting with the retry time, and an unreachable server', async () => {
    const limited = await startTestServer({ env: { SESHAT_LOGIN_RATE_LIMIT: '2' } });
    try {
      const page = await (await newDevice(browser)).newPage();
      await page.goto(`${limited.url}/sign-in`);
      await page.getByLabel('E-mail address').fill('nobody@example.com');
      await page.getByLabel('Password').fill('wrong password');
      for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(/^Too many sign-in attempts\. Try again in \d+ (seconds?|minutes?)\.$/).waitFor();

      await limited.close();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The server could not be reached. Check your connection and try again.').waitFor();
      await page.context().close();
    } finally {
      await limited.close().catch(() => {});
    }
  });

  it('revokes another session; that browser lands on the sign-in page on its next request', async () => {
    const laptop = await (await newDevice(browser)).newPage();
    const phone = await (await newDevice(browser, { userAgent: IPHONE })).newPage();
    await signIn(phone, t.url, 'alice@example.com', PASSWORD);
    await signIn(laptop, t.url, 'alice@example.com', PASSWORD);

    await expect.poll(() => otherCards(laptop).count()).toBe(1);
    await expect(laptop.locator('.session-card').first().getAttribute('class')).resolves.toContain('current');
    await otherCards(laptop).getByRole('button', { name: /^Sign out/ }).click();
    const dialog = laptop.getByRole('dialog', { name: 'Sign out this session?' });
    await dialog.waitFor();
    // The dialog names what is being signed out: device and place.
    await expect(dialog.textContent()).resolves.toMatch(/will be signed out/);
    await dialog.getByRole('button', { name: 'Sign out' }).click();
    await laptop.getByRole('status').getByText(/^Signed out /).waitFor();
    await expect.poll(() => otherCards(laptop).count()).toBe(0);
    await dialog.waitFor({ state: 'hidden' });

    // The phone hears it on its live stream and shows sign-in with the reason, without a click.
    await phone.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await phone.getByText('You were signed out from another of your devices.').waitFor();
    await laptop.context().close();
    await phone.context().close();
  });

  it('signs out all other sessions after a confirmation listing them', async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await (await newDevice(browser)).newPage();
      await signIn(page, t.url, 'alice@example.com', PASSWORD);
      pages.push(page);
    }
    const [first, second, me] = pages as [Page, Page, Page];
    await me.reload();
    await me.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await expect.poll(() => otherCards(me).count()).toBe(2);
    await me.getByRole('button', { name: 'Sign out all other sessions' }).click();
    const dialog = me.getByRole('dialog', { name: 'Sign out all other sessions?' });
    await expect.poll(() => dialog.getByRole('listitem').count()).toBe(2);
    await dialog.getByRole('button', { name: 'Sign out 2 sessions' }).click();
    await me.getByText('Signed out 2 other sessions.').waitFor();
    await expect.poll(() => otherCards(me).count()).toBe(0);
    await expect.poll(() => me.getByRole('button', { name: 'Sign out all other sessions' }).count()).toBe(0);

    // One comes back to its tab (the UI checks its session then), the other reloads.
    await first.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await first.getByText('You were signed out from another of your devices.').waitFor();
    await second.reload();
    await second.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    // This device is still signed in.
    await me.reload();
    await me.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    for (const page of pages) await page.context().close();
  });

  it('shows session details from GET /api/sessions/:id', async () => {
    const phone = await (await newDevice(browser, { userAgent: IPHONE })).newPage();
    await signIn(phone, t.url, 'alice@example.com', PASSWORD);
    const page = await (await newDevice(browser)).newPage();
    await signIn(page, t.url, 'alice@example.com', PASSWORD);
    await otherCards(page).getByRole('link', { name: /^Details of/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Session details' }).waitFor();
    const list = page.locator('.detail-list');
    for (const term of ['Browser', 'Operating system', 'Device', 'Location', 'IP address', 'Signed in', 'Last active', 'Session ID', 'Requests', 'Last page']) {
      await expect.poll(() => list.getByText(term, { exact: true }).count()).toBe(1);
    }
    await expect(page.locator('details.user-agent').textContent()).resolves.toContain('iPhone');
    // The id is shown masked, never whole.
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const shown = await list.locator('dt:text-is("Session ID") + dd').textContent();
    expect(shown).toMatch(/^ses_.{4}….{4}$/);
    expect(shown).not.toBe(id);

    // Sign it out from here.
    await page.getByRole('button', { name: 'Sign out this session' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await expect.poll(() => otherCards(page).count()).toBe(0);
    await page.goto(`${t.url}/settings/security/sessions/${id}`);
    await page.getByText(/This session does not exist any more/).waitFor();
    await page.context().close();
    await phone.context().close();
  });

  it('works from the keyboard alone: a confirm dialog traps focus, Escape cancels, Enter confirms', async () => {
    const other = await (await newDevice(browser)).newPage();
    await signIn(other, t.url, 'alice@example.com', PASSWORD);
    const page = await (await newDevice(browser)).newPage();
    await signIn(page, t.url, 'alice@example.com', PASSWORD);

    const focused = () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { label: el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '', inDialog: Boolean(el?.closest('dialog[open]')) };
    });
    // Tab to the other session's "Sign out" button.
    let found = false;
    for (let i = 0; i < 30 && !found; i++) {
      await page.keyboard.press('Tab');
      const label = (await focused()).label;
      found = label.startsWith('Sign out ') && !label.startsWith('Sign out all') && !label.startsWith('Sign out on this device');
    }
    expect(found).toBe(true);
    const opener = (await focused()).label;

    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Sign out this session?' });
    await dialog.waitFor();
    // Focus starts on Cancel (the harmless choice) and never leaves the dialog.
    expect(await focused()).toEqual({ label: 'Cancel', inDialog: true });
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      expect((await focused()).inDialog).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await focused()).label).toBe(opener);
    await expect.poll(() => otherCards(page).count()).toBe(1);

    // Again, this time confirming with the keyboard.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ label: 'Sign out', inDialog: true });
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText(/^Signed out /).waitFor();
    await expect.poll(() => otherCards(page).count()).toBe(0);
    await page.context().close();
    await other.context().close();
  });

  it('changes the password and signs out the other sessions by default', async () => {
    const other = await (await newDevice(browser)).newPage();
    await signIn(other, t.url, 'alice@example.com', PASSWORD);
    const page = await (await newDevice(browser)).newPage();
    await signIn(page, t.url, 'alice@example.com', PASSWORD);
    await page.getByRole('link', { name: 'Password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Change password' }).waitFor();
    await expect.poll(() => page.getByLabel('Sign out all other sessions').isChecked()).toBe(true);
    await page.getByLabel('Current password').fill('wrong one');
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByLabel('Repeat new password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').getByText('The current password is not correct.').waitFor();
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password was changed. 1 other session was signed out.').waitFor();
    await other.reload();
    await other.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.context().close();
    await other.context().close();
  });
});
