import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, horizontalOverflow } from '../helpers/axe.ts';
import { launchBrowser, newDevice } from '../helpers/browser.ts';
import { tableProblems } from '../helpers/tables.ts';
import { ADMIN, PASSWORD, PEOPLE, seedRealisticData, UA } from '../helpers/realistic-data.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Issue 13 item 8: the admin overview opens from the navigation, draws its charts from the server's rollups, names
 * each chart for assistive technology, shows the same numbers as tables on request, follows the period picker, and
 * is axe-clean and fits in both themes.
 */
describe('admin overview in the browser', () => {
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

  async function signedIn(email: string, options: { width?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
    const context = await newDevice(browser, { width: options.width ?? 1280, height: 900, colorScheme: options.colorScheme ?? 'light', userAgent: UA.macChrome });
    const page = await context.newPage();
    await page.goto(`${t.url}/sign-in`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    return page;
  }

  it('opens from the admin navigation with figures, named charts and their tables, and follows the period', async () => {
    const page = await signedIn(ADMIN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.locator('.chart-area svg').first().waitFor();

    // The figures: live sessions (the admin's ten and the others'), the bound share, the period's counts.
    const figure = (label: string) => page.locator('.overview-figure', { has: page.getByText(label, { exact: true }) }).locator('.overview-value');
    expect(Number(await figure('Active sessions now').textContent())).toBeGreaterThanOrEqual(10);
    await expect(figure('Bound to their device').textContent()).resolves.toBe('0%');
    expect(Number(await figure('Sign-ins in this period').textContent())).toBeGreaterThanOrEqual(15);
    await expect(figure('Failed sign-ins in this period').textContent()).resolves.toBe('1');

    // Every chart is one image with a summary as its name, inside a figure named by its heading.
    for (const title of ['Active sessions over time', 'Sign-ins per day', 'Sessions ended per day, by reason', 'Active sessions by country', 'Active sessions by device type']) {
      const chart = page.getByRole('figure', { name: title });
      await expect(chart.locator('.chart-area[role="img"]').getAttribute('aria-label')).resolves.toMatch(/\d/);
    }
    const ended = page.getByRole('figure', { name: 'Sessions ended per day, by reason' });
    await expect(ended.locator('.chart-area[role="img"]').getAttribute('aria-label')).resolves.toMatch(/By an administrator/);

    // The numbers behind a chart, as a table: one row per day of the period.
    const signIns = page.getByRole('figure', { name: 'Sign-ins per day' });
    await signIns.getByText('Show the numbers as a table').click();
    const table = signIns.getByRole('table');
    await expect(table.getByRole('columnheader').allTextContents()).resolves.toEqual(['Day', 'Sign-ins', 'Failed sign-ins']);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(30);
    expect(await axeViolations(page), 'axe, a table open').toEqual([]);

    await page.getByRole('radio', { name: 'Last 7 days' }).check();
    await expect.poll(() => new URL(page.url()).searchParams.get('days')).toBe('7');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(7);
    await page.getByRole('radio', { name: 'Last 90 days' }).check();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(90);

    // People with the most sessions: the admin first, by name (team access is full by default).
    const people = page.getByRole('region', { name: 'People with the most sessions' });
    await expect(people.locator('tbody th').first().textContent()).resolves.toBe('Alexandra Konstantinopoulou-Featherstonehaugh');
    await people.getByRole('link', { name: 'Alexandra Konstantinopoulou-Featherstonehaugh' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/admin\/people\/usr_/);
    await page.context().close();
  });

  for (const [width, scheme] of [[1280, 'dark'], [375, 'light'], [375, 'dark']] as const) {
    it(`fits ${width} px and is axe-clean (${scheme}), with chart colours from the theme`, async () => {
      const page = await signedIn(ADMIN, { width, colorScheme: scheme });
      await page.goto(`${t.url}/admin/overview?days=7`);
      await page.locator('.chart-area svg').first().waitFor();
      expect(await horizontalOverflow(page)).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      // Every chart's table and the people table are named (their captions), their headers scoped.
      expect(await tableProblems(page)).toEqual([]);
      // The first series is drawn in the theme's --chart-1 (dark mode's is light blue, not the light theme's blue).
      const stroke = await page.locator('.chart-area .recharts-line path.recharts-curve').first().evaluate((el) => getComputedStyle(el).stroke);
      expect(stroke).toBe(scheme === 'dark' ? 'rgb(138, 180, 255)' : 'rgb(29, 78, 216)');
      await page.context().close();
    });
  }

  it('is not in the navigation of people without team permissions, and the page says not allowed', async () => {
    const page = await signedIn(PEOPLE[1]!.email);
    await expect(page.getByRole('link', { name: 'Overview' }).count()).resolves.toBe(0);
    await page.goto(`${t.url}/admin/overview`);
    await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
    await page.context().close();
  });
});
