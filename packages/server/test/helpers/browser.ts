import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser (`npx playwright install` is not used). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium for the browser tests. `launch()` gives every run a fresh temporary profile
 * (user-data dir) that Playwright deletes on close; the flags keep it offline and quiet.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A separate browser profile-like context: its own cookies, like a second device. */
export function newDevice(
  browser: Browser,
  options: { userAgent?: string; width?: number; height?: number; colorScheme?: 'light' | 'dark'; locale?: string } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    colorScheme: options.colorScheme ?? 'light',
    locale: options.locale ?? 'en-GB',
    timezoneId: 'UTC',
  });
}

/** Signs in through the UI and waits for the sessions page. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string, options: { remember?: boolean } = {}): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  if (options.remember) await page.getByLabel(/Keep me signed in/).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
  // The list has loaded (it always holds at least this session).
  await page.locator('.session-card.current').waitFor();
}
