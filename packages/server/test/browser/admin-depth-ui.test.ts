import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

describe('web UI: access levels, sign-out by criteria, disabled accounts', () => {
  let browser: Browser;
  let t: TestServer;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());
  beforeEach(async () => {
    t = await startTestServer();
    await t.addUser('admin@example.com', 'admin');
    await t.addUser('auditor@example.com', 'auditor');
    await t.addUser('bob@example.com');
  });
  afterEach(() => t.close());

  const signedIn = async (email: string, remember = false): Promise<Page> => {
    const page = await (await newDevice(browser)).newPage();
    await signIn(page, t.url, email, PASSWORD, { remember });
    return page;
  };

  it('previews "sign out matching sessions" in a dialog, then signs out only those', async () => {
    const bob = await signedIn('bob@example.com');
    const auditor = await signedIn('auditor@example.com');
    const admin = await signedIn('admin@example.com');
    await admin.getByRole('link', { name: 'Team sessions' }).click();
    await admin.getByRole('heading', { level: 2, name: 'Sign out sessions by criteria' }).waitFor();

    // Nothing chosen: refused in the page, nothing asked of the server.
    await admin.getByRole('button', { name: 'Preview matching sessions…' }).click();
    await admin.getByText(/Choose at least one criterion/).waitFor();

    await admin.getByLabel('Role').selectOption('user');
    await admin.getByRole('button', { name: 'Preview matching sessions…' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Sign out 1 matching session?' });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('bob@example.com');
    await dialog.getByLabel(/Reason/).fill('Users must sign in again');
    await dialog.getByRole('button', { name: 'Sign out 1 matching session' }).click();
    await admin.getByText('Signed out 1 matching session.').waitFor();

    await bob.reload();
    await bob.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await auditor.reload();
    await auditor.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    for (const p of [bob, auditor, admin]) await p.context().close();
  });

  it('disables an account (its browser is signed out, sign-in refused) and enables it again', async () => {
    const bob = await signedIn('bob@example.com');
    const admin = await signedIn('admin@example.com');
    await admin.getByRole('link', { name: 'Team sessions' }).click();
    await admin.getByRole('button', { name: 'Disable bob@example.com' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Disable bob@example.com?' });
    await dialog.getByLabel(/Reason/).fill('Left the company');
    await dialog.getByRole('button', { name: 'Disable account' }).click();
    await admin.getByText('Disabled bob@example.com and signed out 1 session.').waitFor();
    await admin.getByRole('row', { name: /bob@example\.com/ }).getByText('Disabled').waitFor();

    await bob.reload();
    await bob.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await bob.getByLabel('E-mail address').fill('bob@example.com');
    await bob.getByLabel('Password').fill(PASSWORD);
    await bob.getByRole('button', { name: 'Sign in' }).click();
    await bob.getByText('The e-mail address or password is not correct.').waitFor();

    await admin.getByRole('button', { name: 'Enable bob@example.com' }).click();
    await admin.getByText('Enabled bob@example.com. They can sign in again.').waitFor();
    await bob.getByRole('button', { name: 'Sign in' }).click();
    await bob.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await bob.context().close();
    await admin.context().close();
  });

  it('an auditor sees team sessions, settings (read-only) and the audit log, and no button that changes anything', async () => {
    await signedIn('bob@example.com');
    const auditor = await signedIn('auditor@example.com');
    await expect.poll(() => auditor.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual([
      'Sessions', 'Password', 'Security activity', 'API keys', 'Overview', 'Team sessions', 'Session settings', 'Audit log', 'Reported sessions',
    ]);
    await auditor.getByRole('link', { name: 'Team sessions' }).click();
    await auditor.getByRole('heading', { name: 'All sessions' }).waitFor();
    await auditor.getByRole('row', { name: /bob@example\.com/ }).first().waitFor();
    for (const name of [/Sign out all/, /Force sign out/, /^Revoke/, /^Disable/, /Preview matching/]) {
      expect(await auditor.getByRole('button', { name }).count(), String(name)).toBe(0);
    }
    await auditor.getByRole('link', { name: 'Session settings' }).click();
    await auditor.getByText('You can see these settings but not change them.').waitFor();
    expect(await auditor.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    await expect(auditor.getByLabel('Absolute lifetime (days)').isDisabled()).resolves.toBe(true);
    await auditor.context().close();
  });

  it('filters the audit log by outcome and free text, and offers the filtered export', async () => {
    const wrong = await (await newDevice(browser)).newPage();
    await wrong.goto(`${t.url}/sign-in`);
    await wrong.getByLabel('E-mail address').fill('bob@example.com');
    await wrong.getByLabel('Password').fill('not the password at all');
    await wrong.getByRole('button', { name: 'Sign in' }).click();
    await wrong.getByText('The e-mail address or password is not correct.').waitFor();
    const admin = await signedIn('admin@example.com');
    await admin.getByRole('link', { name: 'Audit log' }).click();
    await admin.getByLabel('Outcome').selectOption('failure');
    await admin.getByLabel('Search').fill('bob@');
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => admin.getByRole('row').count()).toBe(2); // header + the failed sign-in
    await expect(admin.getByRole('row').nth(1).textContent()).resolves.toContain('Failed sign-in');
    const href = await admin.getByRole('link', { name: 'CSV' }).getAttribute('href');
    expect(href).toContain('/api/admin/audit/export?');
    expect(href).toContain('outcome=failure');
    expect(href).toContain('q=bob%40');
    const csv = await admin.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(csv.trim().split('\r\n')).toHaveLength(2);
    await wrong.context().close();
    await admin.context().close();
  });
});
