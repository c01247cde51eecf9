import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newDevice, signIn } from '../helpers/browser.ts';
import { Client, PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core's WCAG 2.1 A/AA rules (contrast included) on the page as it is now. Evaluated through the
 * DevTools protocol, so the page's CSP (script-src 'self') is neither needed to be relaxed nor weakened.
 */
async function violations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return found.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('web UI accessibility (axe-core, WCAG 2.1 AA)', () => {
  let browser: Browser;
  let t: TestServer;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestServer();
    await t.addUser('admin@example.com', 'admin');
    await t.addUser('bob@example.com');
    // Some content on every page: another session, an API key, audit events.
    await new Client(t.url).login('admin@example.com');
    const bob = new Client(t.url);
    await bob.login('bob@example.com');
    await bob.post('/api/api-keys', { name: 'CI' });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const width of [1280, 375]) {
    it(`has no violations on any page at ${width} px`, async () => {
      const context = await newDevice(browser, { width, height: 800 });
      const page = await context.newPage();
      await page.goto(`${t.url}/sign-in`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await violations(page), 'sign-in').toEqual([]);

      await signIn(page, t.url, 'admin@example.com', PASSWORD);
      await page.locator('.session-card').nth(1).waitFor();
      expect(await violations(page), 'sessions').toEqual([]);

      await page.locator('.session-card:not(.current)').first().getByRole('button', { name: /^Sign out/ }).click();
      await page.getByRole('dialog').waitFor();
      expect(await violations(page), 'confirm dialog').toEqual([]);
      await page.keyboard.press('Escape');

      await page.locator('.session-card:not(.current)').first().getByRole('link', { name: /^Details/ }).click();
      await page.locator('.detail-list').waitFor();
      expect(await violations(page), 'session details').toEqual([]);

      const pages: [path: string, ready: string][] = [
        ['/settings/security/password', 'form'],
        ['/settings/api-keys', 'form'],
        ['/admin/sessions', '.pager'],
        ['/admin/settings', 'fieldset'],
        ['/admin/audit', 'tbody tr'],
        ['/admin/overview', '.chart-area svg'],
      ];
      for (const [path, ready] of pages) {
        await page.goto(t.url + path);
        await page.locator(ready).first().waitFor();
        expect(await violations(page), path).toEqual([]);
      }
      await context.close();
    });
  }
});
