import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

/** The admin person page (issue 13 item 6): reached from the team page and the audit log, acting on one person. */
describe('web UI: person page', () => {
  let browser: Browser;
  let t: TestServer;
  let bobId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());
  beforeEach(async () => {
    t = await startTestServer();
    await t.addUser('admin@example.com', 'admin');
    await t.addUser('auditor@example.com', 'auditor');
    bobId = (await t.addUser('bob@example.com')).id;
  });
  afterEach(() => t.close());

  const signedIn = async (email: string): Promise<Page> => {
    const page = await (await newDevice(browser)).newPage();
    await signIn(page, t.url, email, PASSWORD);
    return page;
  };
  const focused = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? null);

  it('opens from a team session row; revokes a key and signs the person out everywhere with a reason (after step-up), focus returning each time', async () => {
    const bob = await signedIn('bob@example.com');
    await t.server.apiKeys.create({ userId: bobId, ip: null }, 'deploy bot');
    const admin = await signedIn('admin@example.com');
    await admin.getByRole('link', { name: 'Team sessions' }).click();
    await admin.getByRole('link', { name: 'bob@example.com' }).click();

    await admin.getByRole('heading', { level: 1, name: 'bob' }).waitFor();
    for (const name of ['Profile', 'Actions', 'Sessions', 'Policy in effect', 'API keys', 'Recent audit events']) {
      await admin.getByRole('heading', { level: 2, name }).waitFor();
    }
    await admin.getByText('1 active session').waitFor();
    await admin.getByRole('table', { name: 'API keys of bob@example.com' }).getByRole('row', { name: /deploy bot/ }).waitFor();
    // Bob has no policy of his own and his role none either: every value is the team-wide settings'.
    await admin.getByText('7 days · Session settings').waitFor();
    expect(await axeViolations(admin)).toEqual([]);

    // Revoke the key: a reason, then the row is gone and focus is on the section, not lost at the top.
    await admin.getByRole('button', { name: 'Revoke API key deploy bot' }).click();
    const revoke = admin.getByRole('dialog', { name: 'Revoke the API key deploy bot?' });
    await revoke.getByLabel(/Reason/).fill('Leaked in a log');
    await revoke.getByRole('button', { name: 'Revoke key' }).click();
    await admin.getByText('Revoked API key “deploy bot”.').waitFor();
    await admin.getByText('No API keys.').waitFor();
    expect(await focused(admin)).toBe('API keys');
    await admin.getByRole('table', { name: /Recent audit events/ }).getByRole('row', { name: /API key revoked/ }).getByText('Leaked in a log').waitFor();

    // Sign out everywhere: the reason is required, and an old sign-in asks for the password first.
    t.clock.advance(11 * 60_000);
    await admin.getByRole('button', { name: 'Sign out everywhere' }).click();
    const force = admin.getByRole('dialog', { name: 'Sign bob out everywhere?' });
    await force.getByRole('button', { name: 'Sign out 1 session' }).click();
    expect(await force.getByLabel(/Reason/).evaluate((el) => (el as HTMLTextAreaElement).validity.valueMissing)).toBe(true);
    await force.getByLabel(/Reason/).fill('Laptop stolen');
    await force.getByRole('button', { name: 'Sign out 1 session' }).click();
    const prompt = admin.getByRole('dialog', { name: 'Confirm it is you' });
    await prompt.getByLabel('Password').fill(PASSWORD);
    await prompt.getByRole('button', { name: 'Continue' }).click();
    await admin.getByText('Signed bob out of 1 session.').waitFor();
    await admin.getByText('No active sessions').waitFor();
    expect(await focused(admin)).toBe('Sign out everywhere');

    await bob.reload();
    await bob.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    const { items: events } = await t.server.manager.audit.list({ userId: bobId, action: 'user.force-signed-out', limit: 5, cursor: null });
    expect(events[0]).toMatchObject({ reason: 'Laptop stolen' });

    // "Show all" opens the audit log filtered to Bob.
    await admin.getByRole('link', { name: 'Show all audit events of bob@example.com' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    expect(new URL(admin.url()).searchParams.get('user')).toBe(bobId);
    await bob.context().close();
    await admin.context().close();
  });

  it('from the audit log and the people list, an auditor with team session access off sees counts only, and no actions or keys', async () => {
    await signedIn('bob@example.com');
    await t.server.manager.updateSettings({ userId: 'setup', role: 'owner' }, { teamSessionAccess: 'off' });
    const auditor = await signedIn('auditor@example.com');
    await auditor.goto(`${t.url}/admin/audit`);
    await auditor.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await auditor.getByRole('link', { name: 'bob@example.com' }).first().click();

    await auditor.getByRole('heading', { level: 1, name: 'bob' }).waitFor();
    await auditor.getByText('1 active session').waitFor();
    await auditor.getByText(/Team session details are turned off/).waitFor();
    await auditor.getByRole('heading', { level: 2, name: 'Recent audit events' }).waitFor();
    await auditor.getByRole('heading', { level: 2, name: 'Policy in effect' }).waitFor();
    expect(await auditor.getByRole('heading', { level: 2, name: 'Actions' }).count()).toBe(0);
    expect(await auditor.getByRole('heading', { level: 2, name: 'API keys' }).count()).toBe(0);
    expect(await auditor.getByRole('table', { name: /sessions/i }).count()).toBe(0);
    expect(await axeViolations(auditor)).toEqual([]);

    // And from the people list on the team page: the person's name.
    await auditor.getByRole('link', { name: 'Team sessions' }).click();
    await auditor.getByRole('table').first().getByRole('link', { name: 'bob', exact: true }).click();
    await auditor.getByRole('heading', { level: 1, name: 'bob' }).waitFor();
    await auditor.context().close();
  });
});
