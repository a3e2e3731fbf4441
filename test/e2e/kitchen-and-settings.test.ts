import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { ApiClient, LOGINS, type Venue } from '../support/venue.js';
import { card, closeBrowserWorld, newPerson, PHONE, screenshot, signIn, startBrowserWorld, waitLive } from './support/browser.js';
import { placeCashOrder } from './support/orders.js';

/** With SCREENSHOTS=1 the pictures of docs/ are written (docs/screenshots/kot-*.png, settings-*.png). */
const DOC_SHOTS = process.env.SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'screenshots') : null;
async function docShot(target: Page | Locator, name: string): Promise<void> {
  if (!DOC_SHOTS) return;
  mkdirSync(DOC_SHOTS, { recursive: true });
  const path = join(DOC_SHOTS, `${name}.png`);
  await ('goto' in target ? target.screenshot({ path, fullPage: true }) : target.screenshot({ path }));
}

const DESKTOP = { viewport: { width: 1366, height: 900 } };
/** 80 mm at 96 px per inch. */
const TICKET_WIDTH_PX = 302;

/** The tickets a person's browser was asked to print, in order. */
class Prints {
  readonly urls: string[] = [];
  private waiters: Array<() => void> = [];

  add(url: string): void {
    this.urls.push(url);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits (event-driven, with a timeout) until `n` prints were asked for. */
  async reach(n: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.urls.length < n) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${this.urls.length} of ${n} prints after ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/**
 * Headless Chromium cannot print: every frame's window.print is replaced (before any script of
 * the frame runs) by a call that tells the test which page asked to print.
 */
async function recordPrints(context: BrowserContext): Promise<Prints> {
  const prints = new Prints();
  await context.exposeBinding('__recordPrint', (_source, url: string) => prints.add(url));
  await context.addInitScript(() => {
    const w = window as unknown as { print(): void; __recordPrint(url: string): void };
    w.print = () => w.__recordPrint(location.pathname + location.search);
  });
  return prints;
}

function failOnNativeDialogs(page: Page): void {
  page.on('dialog', (d) => void d.dismiss().then(() => expect.fail(`a native ${d.type()} dialog appeared: ${d.message()}`)));
}

describe('the web app: kitchen tickets and business settings', () => {
  let t: TestApp;
  let v: Venue;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, v, browser } = await startBrowserWorld());
  });
  afterAll(() => closeBrowserWorld({ t, browser }));

  it("the web app's sources open no native prompt(), confirm() or alert() (the page's own dialog does that work)", () => {
    const dir = join(process.cwd(), 'web', 'src');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\*|\/\/)/.test(line) && /(^|[^\w.])(window\.)?(prompt|confirm|alert)\s*\(/.test(line))
        .map((line) => `${f}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });

  it('staff print a kitchen ticket with one click; the ticket has the order; seen and delivered by whom shows on the card and in past orders', async () => {
    const guest = new ApiClient(t);
    const placed = await guest.call('POST', '/api/orders', {
      seatId: v.seat1,
      items: [
        { itemId: v.item(v.theatre1, 'Veg Samosa'), quantity: 2 },
        { itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 },
      ],
      phone: '+919876543210',
      paymentMethod: 'cash',
      notes: 'Less spicy <b>please</b>',
    });
    expect(placed.status).toBe(201);
    const orderId = placed.body.order.id as number;

    const staff = await newPerson(browser, t.http(''), 'staff');
    failOnNativeDialogs(staff.page);
    const printed = await recordPrints(staff.context);
    const violations: string[] = [];
    staff.page.on('console', (m) => void (/Content.Security.Policy/i.test(m.text()) && violations.push(m.text())));
    await signIn(staff.page, '/staff', LOGINS.staff1);
    await waitLive(staff.page);
    const orderCard = card(staff.page, orderId);
    await orderCard.waitFor();
    // Auto-print is off in a new browser: the order already open printed nothing.
    expect(await staff.page.getByRole('checkbox', { name: 'Print each new order automatically' }).isChecked()).toBe(false);
    expect(printed.urls).toEqual([]);

    await orderCard.getByRole('button', { name: `Print kitchen ticket: order ${orderId}, seat A1` }).click();
    await printed.reach(1);
    expect(printed.urls).toEqual([`/api/orders/${orderId}/kot?print=1`]);
    const frame = staff.page.frames().find((f) => f.url().endsWith(`/api/orders/${orderId}/kot?print=1`));
    expect(frame).toBeDefined();
    expect(await frame!.locator('h1').innerText()).toBe(`#${orderId}`);
    expect(await frame!.locator('.seat').innerText()).toBe('A1');
    expect(await frame!.locator('.hall').innerText()).toBe('Audi 1');
    expect(await frame!.locator('table.items tbody').innerText()).toMatch(/2×\s+Veg Samosa\s+1×\s+Masala Chai/);
    expect(await frame!.locator('.notes p').innerText()).toBe('Less spicy <b>please</b>');
    // Its style applied and its script ran under its own policy (the print above), with no violation.
    expect(await frame!.locator('h1').evaluate((h) => getComputedStyle(h).fontSize)).toBe('40px');
    expect(violations).toEqual([]);
    await docShot(staff.page, 'kot-dashboard-tablet');

    // Who saw it, who delivered it.
    await orderCard.getByRole('button', { name: /^Seen:/ }).click();
    await orderCard.locator('.seen-by', { hasText: /^Seen by galaxy-staff at \d\d:\d\d/ }).waitFor();
    await orderCard.getByRole('button', { name: /^Delivered:/ }).click();
    await orderCard.waitFor({ state: 'detached' });
    await staff.page.goto('/staff/orders');
    const row = staff.page.locator(`tr[data-order-id="${orderId}"]`);
    await row.locator('.seen-by', { hasText: /^Seen by galaxy-staff at \d\d:\d\d/ }).waitFor();
    await row.locator('.delivered-by', { hasText: /^Delivered by galaxy-staff at \d\d:\d\d/ }).waitFor();
    expect(await row.locator('[data-status]').innerText()).toBe('delivered');

    // The ticket itself, as the 80 mm printer lays it out.
    const ticket = await staff.context.newPage();
    await ticket.setViewportSize({ width: TICKET_WIDTH_PX, height: 700 });
    await ticket.goto(`/api/orders/${orderId}/kot`);
    await ticket.emulateMedia({ media: 'print' });
    expect(await ticket.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(TICKET_WIDTH_PX);
    await screenshot(ticket, 'kot-ticket');
    await docShot(ticket, 'kot-ticket');
    await staff.context.close();
  });

  it('with auto-print on, each newly confirmed order prints once, and not again after a reload replays the open orders', async () => {
    const staff = await newPerson(browser, t.http(''), 'staff');
    failOnNativeDialogs(staff.page);
    const printed = await recordPrints(staff.context);
    await signIn(staff.page, '/staff', LOGINS.staff1);
    await waitLive(staff.page);
    await staff.page.getByRole('checkbox', { name: 'Print each new order automatically' }).check();

    const first = await placeCashOrder(t, v.seat1, v.item(v.theatre1, 'Veg Samosa'));
    await card(staff.page, first.id).waitFor();
    await printed.reach(1);
    expect(printed.urls).toEqual([`/api/orders/${first.id}/kot?print=1`]);

    // A reload reconnects and gets the open orders again; the setting is kept, nothing reprints.
    await staff.page.reload();
    await waitLive(staff.page);
    await card(staff.page, first.id).waitFor();
    expect(await staff.page.getByRole('checkbox', { name: 'Print each new order automatically' }).isChecked()).toBe(true);
    const second = await placeCashOrder(t, v.seat1, v.item(v.theatre1, 'Masala Chai'));
    await card(staff.page, second.id).waitFor();
    await printed.reach(2);
    expect(printed.urls).toEqual([`/api/orders/${first.id}/kot?print=1`, `/api/orders/${second.id}/kot?print=1`]);

    // Switched off: new orders only appear.
    await staff.page.getByRole('checkbox', { name: 'Print each new order automatically' }).uncheck();
    const third = await placeCashOrder(t, v.seat1, v.item(v.theatre1, 'Masala Chai'));
    await card(staff.page, third.id).waitFor();
    // The frame would be added with the card, in the same message handler.
    expect(await staff.page.locator(`iframe.kot-frame[src*="/orders/${third.id}/"]`).count()).toBe(0);
    expect(printed.urls).toHaveLength(2);
    await staff.context.close();
  });

  it("an admin sets taxes and a GSTIN: a wrong check character is shown at the field and nothing is saved; a right one saves and the guest's seat shows the taxes", async () => {
    const admin = await browser.newContext({ baseURL: t.http(''), ...DESKTOP, locale: 'en-IN', timezoneId: 'Asia/Kolkata' });
    admin.setDefaultTimeout(5_000);
    const page = await admin.newPage();
    failOnNativeDialogs(page);
    const patches: string[] = [];
    page.on('request', (r) => void (r.method() === 'PATCH' && patches.push(r.postData() ?? '')));
    await signIn(page, `/admin/theatres/${v.theatre1.id}`, LOGINS.admin);
    const form = page.locator('section.business-settings');
    await form.getByRole('heading', { name: 'Business settings' }).waitFor();

    await form.getByLabel('Legal name (on invoices)').fill('Galaxy Cinemas Pvt Ltd');
    await form.getByLabel('GSTIN').fill('27aapfu0939f1zw');
    await form.getByRole('button', { name: 'Add a tax' }).click();
    await form.getByLabel('Tax 1 name').fill('CGST');
    await form.getByLabel('Tax 1 rate (%)').fill('2.5');
    await form.getByRole('button', { name: 'Add a tax' }).click();
    await form.getByLabel('Tax 2 name').fill('SGST');
    await form.getByLabel('Tax 2 rate (%)').fill('2.555');
    await form.getByRole('button', { name: 'Save business settings' }).click();

    const gstin = form.getByLabel('GSTIN');
    await form.locator('#ts-gstin-error', { hasText: 'The last character (check character) of this GSTIN does not match the others' }).waitFor();
    expect(await gstin.getAttribute('aria-invalid')).toBe('true');
    expect(await gstin.getAttribute('aria-describedby')).toContain('ts-gstin-error');
    expect(await gstin.evaluate((el) => el === document.activeElement)).toBe(true);
    await form.locator('#ts-taxes-1-rate-error', { hasText: 'at most two decimals' }).waitFor();
    expect(patches).toEqual([]);
    await docShot(form, 'settings-desktop');

    // What only the server can judge comes back next to its field too.
    await gstin.fill('27AAPFU0939F1ZV');
    await form.getByLabel('Tax 2 rate (%)').fill('2.5');
    await form.getByLabel('Refunds by staff').selectOption('code');
    await form.getByLabel("Approver's WhatsApp number").fill('call me');
    await form.getByRole('button', { name: 'Save business settings' }).click();
    await form.locator('#ts-approverPhone-error', { hasText: 'is not a valid phone number' }).waitFor();
    expect(patches).toHaveLength(1);
    const api = await ApiClient.login(t, LOGINS.admin);
    const unchanged = (await api.call('GET', `/api/theatres/${v.theatre1.id}`)).body.theatre;
    expect(unchanged).toMatchObject({ gstin: null, taxes: [], legalName: null, refundApproval: 'none' });

    await form.getByLabel('Refunds by staff').selectOption('none');
    await form.getByLabel("Approver's WhatsApp number").fill('');
    await form.getByRole('button', { name: 'Save business settings' }).click();
    await form.getByText('Business settings saved.').waitFor();
    expect(await form.locator('.field-error').count()).toBe(0);
    const saved = (await api.call('GET', `/api/theatres/${v.theatre1.id}`)).body.theatre;
    const taxes = [
      { name: 'CGST', rate: 2.5 },
      { name: 'SGST', rate: 2.5 },
    ];
    expect(saved).toMatchObject({ legalName: 'Galaxy Cinemas Pvt Ltd', gstin: '27AAPFU0939F1ZV', taxes, pricesIncludeTax: false, refundApproval: 'none' });
    const seat = await new ApiClient(t).call('GET', `/api/seats/${v.seat1}`);
    expect(seat.body.theatre.pricing).toMatchObject({ taxes, pricesIncludeTax: false });
    await screenshot(page, 'settings-admin-theatre');
    await admin.close();

    // The same form on a phone, as saved.
    const phone = await browser.newContext({ baseURL: t.http(''), ...PHONE, locale: 'en-IN', timezoneId: 'Asia/Kolkata' });
    phone.setDefaultTimeout(5_000);
    const phonePage = await phone.newPage();
    await signIn(phonePage, `/admin/theatres/${v.theatre1.id}`, LOGINS.admin);
    const phoneForm = phonePage.locator('section.business-settings');
    await phoneForm.getByLabel('Tax 2 name').waitFor();
    expect(await phoneForm.getByLabel('GSTIN').inputValue()).toBe('27AAPFU0939F1ZV');
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const box = await phoneForm.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await docShot(phoneForm, 'settings-phone');
    await phone.close();
  });
});
