import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

describe('web UI: admin pages and API keys', () => {
  let browser: Browser;
  let t: TestServer;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());
  beforeEach(async () => {
    t = await startTestServer();
    await t.addUser('admin@example.com', 'admin');
    await t.addUser('bob@example.com');
  });
  afterEach(() => t.close());

  const signedIn = async (email: string): Promise<Page> => {
    const page = await (await newDevice(browser)).newPage();
    await signIn(page, t.url, email, PASSWORD);
    return page;
  };

  it('shows admin pages only to admins', async () => {
    const bob = await signedIn('bob@example.com');
    await expect.poll(() => bob.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Sessions', 'Password', 'Security activity', 'API keys']);
    await bob.goto(`${t.url}/admin/sessions`);
    await bob.getByText('This page is for administrators.').waitFor();
    const admin = await signedIn('admin@example.com');
    await admin.getByRole('link', { name: 'Team sessions' }).waitFor();
    await bob.context().close();
    await admin.context().close();
  });

  it('force-signs-out a user with a required reason that then shows in the audit log', async () => {
    const bob = await signedIn('bob@example.com');
    await signedIn('bob@example.com');
    const admin = await signedIn('admin@example.com');
    await admin.getByRole('link', { name: 'Team sessions' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Team sessions' }).waitFor();
    await admin.getByText(/3 active sessions across 2 people/).waitFor();
    const bobRow = admin.getByRole('row', { name: /bob@example\.com/ });
    await expect(bobRow.getByRole('cell').first().textContent()).resolves.toBe('2');

    // The filter shows only bob's sessions.
    await admin.getByLabel('Filter by person').selectOption({ label: 'bob@example.com' });
    await admin.getByRole('heading', { name: 'Sessions of bob@example.com' }).waitFor();
    await admin.getByText('Showing 2 of 2').waitFor();

    await admin.getByRole('button', { name: 'Sign out everywhere (bob@example.com)' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Sign bob out everywhere?' });
    await dialog.waitFor();
    // The reason is required: the dialog does not submit without one.
    await dialog.getByRole('button', { name: 'Sign out 2 sessions' }).click();
    await expect(dialog.getByLabel(/Reason/).evaluate((el: HTMLTextAreaElement) => el.validity.valueMissing)).resolves.toBe(true);
    await dialog.waitFor();
    await dialog.getByLabel(/Reason/).fill('Laptop reported stolen');
    await dialog.getByRole('button', { name: 'Sign out 2 sessions' }).click();
    await admin.getByText('Signed bob out of 2 sessions.').waitFor();
    await admin.getByText('Showing 0 of 0').waitFor();

    await admin.getByRole('link', { name: 'Audit log' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await admin.getByLabel('Action').selectOption({ label: 'Signed out everywhere' });
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    const row = admin.getByRole('row', { name: /Signed out everywhere/ });
    await row.waitFor();
    await expect.poll(() => admin.getByRole('row').count()).toBe(2); // header + the one event
    await expect(row.textContent()).resolves.toContain('Laptop reported stolen');
    await expect(row.textContent()).resolves.toContain('2 sessions');
    await expect(row.textContent()).resolves.toContain('bob@example.com');
    await expect(row.textContent()).resolves.toContain('admin@example.com');

    await bob.reload();
    await bob.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await admin.context().close();
    await bob.context().close();
  });

  it('revokes one team session and pages through the audit log with "Load more"', async () => {
    const bob = await signedIn('bob@example.com');
    const admin = await signedIn('admin@example.com');
    // More audit events than one page (50) and more sessions than one page (25): sign-ins through the API.
    for (let i = 0; i < 60; i++) {
      const response = await fetch(`${t.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
        body: JSON.stringify({ email: 'bob@example.com', password: i % 2 ? PASSWORD : 'wrong password' }),
      });
      expect([200, 401]).toContain(response.status);
    }
    await admin.goto(`${t.url}/admin/sessions`);
    await admin.getByLabel('Filter by person').selectOption({ label: 'bob@example.com' });
    await admin.getByText('Showing 25 of 31').waitFor();
    await admin.getByRole('button', { name: /^Sign out bob@example\.com's session/ }).first().click();
    const dialog = admin.getByRole('dialog', { name: 'Sign out this session?' });
    await dialog.getByLabel(/Reason/).fill('cleanup');
    await dialog.getByRole('button', { name: 'Sign out session' }).click();
    await admin.getByText('Showing 25 of 30').waitFor();
    await admin.getByRole('button', { name: 'Load more' }).click();
    await admin.getByText('Showing 30 of 30').waitFor();
    await expect.poll(() => admin.getByRole('button', { name: 'Load more' }).count()).toBe(0);

    await admin.getByRole('link', { name: 'Audit log' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await admin.locator('tbody tr').first().waitFor();
    await expect.poll(() => admin.locator('tbody tr').count()).toBe(50);
    await admin.getByRole('button', { name: 'Load more' }).click();
    await admin.waitForFunction(() => document.querySelectorAll('tbody tr').length > 50);
    const total = await admin.locator('tbody tr').count();
    const events = await t.server.manager.audit.list({ limit: 500, cursor: null });
    expect(total).toBe(events.items.length);
    await expect.poll(() => admin.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    await expect(admin.getByRole('row', { name: /Session signed out/ }).textContent()).resolves.toContain('cleanup');
    await bob.context().close();
    await admin.context().close();
  });

  it('signs out all team sessions after confirmation, the admin included', async () => {
    const bob = await signedIn('bob@example.com');
    const admin = await signedIn('admin@example.com');
    await admin.getByRole('link', { name: 'Team sessions' }).click();
    await admin.getByRole('main').getByRole('button', { name: 'Sign out everyone' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Sign out everyone?' });
    await expect(dialog.textContent()).resolves.toContain('including yours');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(t.server.manager.countActiveSessions()).resolves.toBe(2);
    await admin.getByRole('main').getByRole('button', { name: 'Sign out everyone' }).click();
    await dialog.getByRole('button', { name: 'Sign out everyone' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await admin.getByText('All 2 team sessions were signed out, including yours.').waitFor();
    await bob.reload();
    await bob.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await bob.context().close();
    await admin.context().close();
  });

  it('changes session settings, and the change persists', async () => {
    const admin = await signedIn('admin@example.com');
    await admin.getByRole('link', { name: 'Session settings' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Session settings' }).waitFor();
    await expect.poll(() => admin.getByLabel('7 days').isChecked()).toBe(true);
    await admin.getByText('Not recommended', { exact: true }).waitFor();
    await admin.getByLabel('30 days').check();
    await admin.getByLabel('Offer “Keep me signed in” on the sign-in page').uncheck();
    await admin.getByLabel('Maximum sessions per person').fill('5');
    await admin.getByRole('button', { name: 'Save settings' }).click();
    // The confirmation says what the change ends now (a preview from the server), before anything is saved.
    await admin.getByRole('dialog', { name: 'Apply these settings to everyone?' }).getByText('No session is signed out by this.').waitFor();
    await admin.getByRole('dialog', { name: 'Apply these settings to everyone?' }).getByRole('button', { name: 'Save settings' }).click();
    await admin.getByText('Settings saved. They apply to existing sessions at once.').waitFor();

    // Stored, not just shown: a fresh load from the store has it, and so does the page after a reload.
    const stored = await t.server.manager.reloadSettings();
    expect(stored.idleTimeoutSeconds).toBe(30 * 86400);
    expect(stored.rememberMe.enabled).toBe(false);
    expect(stored.rememberMe.durationSeconds).toBe(30 * 86400);
    expect(stored.maxSessionsPerUser).toBe(5);
    await admin.reload();
    await admin.getByRole('heading', { level: 1, name: 'Session settings' }).waitFor();
    await expect.poll(() => admin.getByLabel('30 days').isChecked()).toBe(true);
    await expect.poll(() => admin.getByLabel('Maximum sessions per person').inputValue()).toBe('5');

    await admin.getByLabel('Never').check();
    await admin.getByLabel('Maximum sessions per person').fill('');
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await admin.getByRole('dialog', { name: 'Apply these settings to everyone?' }).getByRole('button', { name: 'Save settings' }).click();
    await admin.getByText('Settings saved. They apply to existing sessions at once.').waitFor();
    const again = await t.server.manager.reloadSettings();
    expect(again.idleTimeoutSeconds).toBeNull();
    expect(again.maxSessionsPerUser).toBeNull();

    // Both changes are in the audit log, readable.
    await admin.getByRole('link', { name: 'Audit log' }).click();
    await admin.getByLabel('Action').selectOption({ label: 'Settings changed' });
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => admin.getByRole('row', { name: /Settings changed/ }).count()).toBe(2);
    await admin.getByText('Idle timeout: 7 days → 30 days').waitFor();
    await admin.getByText('Idle timeout: 30 days → Never').waitFor();
    await admin.getByText('Remember me: on → off').waitFor();
    await admin.context().close();
  });

  it('creates an API key shown once with a copy button, lists its use, and revokes it', async () => {
    const context = await newDevice(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    const page = await context.newPage();
    await signIn(page, t.url, 'bob@example.com', PASSWORD);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await page.getByText('You have no API keys.').waitFor();
    await page.getByLabel('New key name').fill('Deploy script');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.getByLabel('New API key').inputValue();
    expect(key.length).toBeGreaterThan(30);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(key);

    // The key works, and its use shows up in the list.
    const used = await fetch(`${t.url}/api/sessions`, { headers: { authorization: `Bearer ${key}` } });
    expect(used.status).toBe(200);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await expect.poll(() => page.getByLabel('New API key').count()).toBe(0);
    await page.reload();
    const row = page.getByRole('row', { name: /Deploy script/ });
    await row.waitFor();
    await expect(row.locator('td[data-label="Requests (24 h)"]').textContent()).resolves.toBe('1');
    await expect(row.locator('td[data-label="Last used"]').textContent()).resolves.not.toBe('Never');
    // Shown once: the page never shows the key again.
    await expect(page.content()).resolves.not.toContain(key);

    await row.getByRole('button', { name: 'Revoke API key Deploy script' }).click();
    await page.getByRole('dialog', { name: 'Revoke this API key?' }).getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('You have no API keys.').waitFor();
    expect((await fetch(`${t.url}/api/sessions`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    await context.close();
  });
});
