import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { tableProblems } from '../helpers/tables.ts';
import { PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

describe('web UI: session policies per role and per person', () => {
  let browser: Browser;
  let t: TestServer;
  let adminId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());
  beforeEach(async () => {
    t = await startTestServer();
    adminId = (await t.addUser('admin@example.com', 'admin')).id;
    await t.addUser('bob@example.com');
  });
  afterEach(() => t.close());

  it('sets "admins: 1 h idle, 12 h max, no remember-me", shows what applies to a person and where it comes from, and removes it', async () => {
    const admin = await (await newDevice(browser)).newPage();
    await signIn(admin, t.url, 'admin@example.com', PASSWORD);
    await admin.getByRole('link', { name: 'Session settings' }).click();
    await admin.getByRole('heading', { level: 2, name: 'Policies per role and per person' }).waitFor();
    await admin.getByText('No policies yet: everyone follows the settings above.').waitFor();

    await admin.getByLabel('Policy for').selectOption({ label: 'Role: Admin' });
    await admin.getByLabel('Idle timeout').selectOption({ label: '1 hour' });
    await admin.getByLabel('Maximum session length').selectOption({ label: '12 hours' });
    await admin.getByLabel('“Keep me signed in”', { exact: true }).selectOption({ label: 'Not allowed' });
    await admin.getByRole('button', { name: 'Save policy' }).click();
    // The confirmation says what the edit ends now (a preview from the server), before anything is saved.
    const confirm = admin.getByRole('dialog', { name: 'Save this policy?' });
    await confirm.getByText('No session is signed out by this.').waitFor();
    expect(await axeViolations(admin)).toEqual([]);
    await confirm.getByRole('button', { name: 'Save policy' }).click();
    await admin.getByText('Policy saved. It applies at once.').waitFor();
    const row = admin.getByRole('row', { name: /Role: Admin/ });
    await row.getByText('1 hour idle, 12 hours max, no remember-me').waitFor();
    // In force at once, for admins only.
    expect(t.server.manager.settingsFor(adminId).idleTimeoutSeconds).toBe(3600);
    expect(t.server.manager.settingsFor(adminId).rememberMe.enabled).toBe(false);

    await admin.getByLabel('Person', { exact: true }).selectOption({ label: 'admin@example.com' });
    const effective = admin.getByRole('table', { name: 'Rules in force for admin@example.com' });
    await effective.getByRole('row', { name: /Idle timeout/ }).getByText('Role policy (Admin)').waitFor();
    await expect(effective.getByRole('row', { name: /Idle timeout/ }).getByRole('cell').first().textContent()).resolves.toBe('1 hour');
    await effective.getByRole('row', { name: /Session limit/ }).getByText('Session settings').waitFor();
    expect(await axeViolations(admin)).toEqual([]);
    // Both tables, as on a phone too: one card per row, each value under its column's name.
    expect(await tableProblems(admin)).toEqual([]);
    await admin.setViewportSize({ width: 375, height: 800 });
    expect(await tableProblems(admin)).toEqual([]);
    await admin.setViewportSize({ width: 1280, height: 800 });

    // The person page shows the same, each value with its source.
    await admin.goto(`${t.url}/admin/people/${adminId}`);
    await admin.getByRole('heading', { level: 2, name: 'Policy in effect' }).waitFor();
    await admin.getByText('1 hour · Role policy (Admin)').waitFor();
    await admin.getByText('Not offered · Role policy (Admin)').waitFor();
    await admin.goBack();
    await admin.getByRole('heading', { level: 2, name: 'Policies per role and per person' }).waitFor();

    // Edit puts the stored values back into the form.
    await row.getByRole('button', { name: 'Edit the policy for Role: Admin' }).click();
    await expect(admin.getByLabel('Idle timeout').inputValue()).resolves.toBe('3600');

    await row.getByRole('button', { name: 'Remove the policy for Role: Admin' }).click();
    await admin.getByText('Policy removed.').waitFor();
    await admin.getByText('No policies yet: everyone follows the settings above.').waitFor();
    expect(t.server.manager.settingsFor(adminId)).toEqual(t.server.manager.settings);
    await admin.context().close();
  });
});
