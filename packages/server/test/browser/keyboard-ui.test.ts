import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newDevice } from '../helpers/browser.ts';
import { ADMIN, PASSWORD, PEOPLE, seedRealisticData, UA } from '../helpers/realistic-data.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Issue 16: every action works from the keyboard, and focus lands where the result is. */
describe('web UI keyboard flows with realistic data', () => {
  let browser: Browser;
  let t: TestServer;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestServer({ env: { SESHAT_TRUSTED_PROXIES: '127.0.0.1' } });
    await seedRealisticData(t.url, t.server, t.clock);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(email: string, options: { width?: number; locale?: string } = {}): Promise<Page> {
    const page = await (await newDevice(browser, { userAgent: UA.macChrome, ...options })).newPage();
    await page.goto(`${t.url}/sign-in`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#password').press('Enter');
    await page.locator('.session-card.current').waitFor();
    return page;
  }

  const focused = (page: Page) =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { label: el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '', tag: el?.tagName.toLowerCase() ?? '', className: el?.className ?? '', inDialog: Boolean(el?.closest('dialog[open]')) };
    });

  async function tabTo(page: Page, match: (label: string) => boolean, limit = 120): Promise<string> {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      const { label } = await focused(page);
      if (match(label)) return label;
    }
    throw new Error('not reached by Tab');
  }

  it('signs out one session: focus and the "Signed out" message land where the card was', async () => {
    const page = await signedIn(ADMIN, { width: 375 });
    const before = await page.locator('.session-card:not(.current)').count();
    const label = await tabTo(page, (l) => l.startsWith('Sign out curl'));
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Sign out this session?' }).waitFor();
    expect(await focused(page)).toMatchObject({ label: 'Cancel', inDialog: true });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ label: 'Sign out', inDialog: true });
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).label).toMatch(/^Signed out curl/);
    expect((await focused(page)).className).toContain('done');
    expect(label).toMatch(/^Sign out curl/);
    await expect.poll(() => page.locator('.session-card:not(.current)').count()).toBe(before - 1);
    // The message sits in the list of other sessions, in view, not at the top of the page.
    const box = await page.locator('.notice.done').boundingBox();
    expect(box).not.toBeNull();
    expect(await page.locator('section[aria-labelledby="others-heading"] ul .notice.done').count()).toBe(1);
    await page.context().close();
  });

  it('signs out all other sessions from the head of the list; the dialog list is keyboard-scrollable', async () => {
    const page = await signedIn(PEOPLE[2]!.email);
    await tabTo(page, (l) => l === 'Sign out all other sessions');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Sign out all other sessions?' });
    await dialog.waitFor();
    // The scroll box is a labelled region in the tab order.
    await page.keyboard.press('Tab');
    expect((await focused(page)).inDialog).toBe(true);
    await expect(dialog.getByRole('region').getAttribute('tabindex')).resolves.toBe('0');
    await dialog.getByRole('button', { name: /^Sign out \d+ sessions?$/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).label).toMatch(/^Signed out \d+ other sessions?\.$/);
    await page.getByText('You are not signed in anywhere else.').waitFor({ state: 'detached' }).catch(() => undefined);
    await page.context().close();
  });

  it('"Show sessions" moves focus to the result and keeps the filter in the address; the people search too', async () => {
    const page = await signedIn(ADMIN);
    await page.goto(`${t.url}/admin/sessions`);
    await page.getByText(/^Showing/).waitFor();
    const email = PEOPLE[0]!.email;
    await tabTo(page, (l) => l === `Show sessions of ${email}`);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).label).toBe(`Sessions of ${email}`);
    expect(new URL(page.url()).searchParams.get('user')).toMatch(/^usr_/);
    // Reloading keeps the filter.
    await page.reload();
    await page.getByRole('heading', { name: `Sessions of ${email}` }).waitFor();

    await page.getByLabel('Search people').fill('hohenberg');
    await expect.poll(() => page.locator('.people-table tbody tr').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('q')).toBe('hohenberg');
    await page.context().close();
  });

  it('shows the exact time of a relative one on a tap or a key press', async () => {
    const page = await signedIn(ADMIN, { width: 375 });
    const time = page.locator('.session-card:not(.current) .time-toggle').first();
    const relative = await time.textContent();
    await time.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => time.textContent()).not.toBe(relative);
    await expect(time.textContent()).resolves.toMatch(/\d{4}.*UTC/);
    await page.context().close();
  });

  it('follows the browser language (German), and switches language from the keyboard', async () => {
    const page = await (await newDevice(browser, { userAgent: UA.macChrome, locale: 'de-DE' })).newPage();
    await page.goto(`${t.url}/sign-in`);
    await page.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('de');
    await page.getByLabel('E-Mail-Adresse').fill(ADMIN);
    await page.getByLabel('Passwort').fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sitzungen' }).waitFor();
    await page.getByRole('heading', { name: /^Andere Sitzungen \(\d+\)$/ }).waitFor();

    await page.getByLabel('Sprache').focus();
    await page.getByLabel('Sprache').selectOption('es');
    await page.getByRole('heading', { level: 1, name: 'Sesiones' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('es');
    // Remembered on this browser.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Sesiones' }).waitFor();
    await page.context().close();
  });

  it('switches to the dark theme and remembers it', async () => {
    const page = await signedIn(PEOPLE[0]!.email);
    await page.getByLabel('Theme').selectOption('dark');
    await expect(page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe('dark');
    await page.reload();
    await page.locator('.session-card.current').waitFor();
    await expect(page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe('dark');
    await expect(page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).resolves.toBe('dark');
    await page.context().close();
  });
});
