import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { seedVenue, type Venue } from '../../support/venue.js';

/** Debian's Chromium; playwright-core never downloads a browser of its own. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

/**
 * One headless Chromium per test file. Playwright gives each launch a new temporary
 * user-data-dir of its own (and refuses `--user-data-dir` in args); every person gets a fresh
 * context inside it, so nothing (cookies, storage) is shared between them.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 20_000 });
}

export interface BrowserWorld {
  t: TestApp;
  v: Venue;
  browser: Browser;
}

/** What most browser tests start from: a test app with the sample venue, and Chromium. */
export async function startBrowserWorld(env: Record<string, string> = {}): Promise<BrowserWorld> {
  const [t, browser] = await Promise.all([startTestApp({ AUTH_FAIL_LIMIT: '1000', ...env }), launchBrowser()]);
  return { t, v: await seedVenue(t), browser };
}

/** Closes what startBrowserWorld started (either may be missing when it failed half way). */
export async function closeBrowserWorld(w: { t?: TestApp | undefined; browser?: Browser | undefined }): Promise<void> {
  await w.browser?.close();
  await w.t?.close();
}

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
export const TABLET = { viewport: { width: 1024, height: 768 } };

/** A person: their own context with the app's base URL. Staff allow notifications. */
export async function newPerson(browser: Browser, baseURL: string, kind: 'guest' | 'staff' | 'admin'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL,
    ...(kind === 'guest' ? PHONE : TABLET),
    ...(kind === 'guest' ? {} : { permissions: ['notifications'] }),
    locale: 'en-IN',
    timezoneId: 'Asia/Kolkata',
  });
  context.setDefaultTimeout(5_000);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${kind} page error]`, err.message));
  return { context, page };
}

/**
 * Saves a screenshot of the page, after checking what every page must have: a label for every
 * control, a name for every button, and one h1.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (new URL(page.url()).pathname.startsWith('/pay/')) {
    // The gateway's own page, not ours.
  } else {
    const problems = await page.evaluate(() => {
      const found: string[] = [];
      for (const el of Array.from(document.querySelectorAll('input, select, textarea'))) {
        const control = el as HTMLInputElement;
        if (control.type === 'hidden') continue;
        if ((control.labels?.length ?? 0) === 0 && !control.getAttribute('aria-label') && !control.getAttribute('aria-labelledby')) {
          found.push(`unlabelled ${control.tagName.toLowerCase()} ${control.name || control.id}`);
        }
      }
      for (const b of Array.from(document.querySelectorAll('button'))) {
        if (!(b.getAttribute('aria-label') ?? b.textContent ?? '').trim()) found.push(`unnamed button ${b.outerHTML.slice(0, 60)}`);
      }
      if (document.querySelectorAll('h1').length !== 1) found.push(`${document.querySelectorAll('h1').length} h1 elements`);
      return found;
    });
    if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
  }
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in with the keyboard (type, Enter), as a person would, and waits for the page behind it. */
export async function signIn(page: Page, path: string, login: { username: string; password: string }, shot?: string): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Username').fill(login.username);
  if (shot) await screenshot(page, shot);
  await page.keyboard.press('Tab');
  await page.keyboard.type(login.password);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Waits until the dashboard's socket says it is live. */
export async function waitLive(page: Page, timeout = 5_000): Promise<void> {
  await page.locator('.conn[data-state="live"]').waitFor({ timeout });
}

export function card(page: Page, orderId: number): Locator {
  return page.locator(`article.order-card[data-order-id="${orderId}"]`);
}
