import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { ApiClient, LOGINS, type Venue } from '../support/venue.js';
import { closeBrowserWorld, startBrowserWorld, newPerson, PHONE, screenshot, SCREENSHOTS, signIn } from './support/browser.js';

/** With SCREENSHOTS=1 the reports page is also saved under docs/screenshots (committed once). */
async function docsScreenshot(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  if (process.env.SCREENSHOTS !== '1') return;
  const dir = join(process.cwd(), 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(SCREENSHOTS, `${name}.png`), join(dir, `${name}.png`));
}

const rupees = (paise: number) => `${Math.floor(paise / 100)}.${String(paise % 100).padStart(2, '0')}`;

describe('the web app: feedback and sales reports', () => {
  let t: TestApp;
  let v: Venue;
  let browser: Browser;
  let staff: ApiClient;
  const orders: Array<{ id: number; token: string; total: number; status: string }> = [];

  beforeAll(async () => {
    ({ t, v, browser } = await startBrowserWorld());
    staff = await ApiClient.login(t, LOGINS.staff1);
    const admin = await ApiClient.login(t, LOGINS.admin);
    await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { taxes: [{ name: 'CGST', rate: 2.5 }, { name: 'SGST', rate: 2.5 }] });
    const order = async (item: string, quantity: number, then?: 'deliver' | 'cancel') => {
      const r = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, item), quantity }], phone: '+919876543210', paymentMethod: 'cash' });
      expect(r.status).toBe(201);
      if (then) expect((await staff.call('POST', `/api/orders/${r.body.order.id}/${then}`)).status).toBe(200);
      orders.push({ id: r.body.order.id, token: r.body.orderToken, total: r.body.order.total, status: then === 'deliver' ? 'delivered' : then === 'cancel' ? 'cancelled' : 'confirmed' });
    };
    await order('Salted Popcorn', 2, 'deliver');
    await order('Veg Samosa', 3);
    await order('Masala Chai', 1, 'cancel');
  });
  afterAll(() => closeBrowserWorld({ t, browser }));

  it('a guest rates a delivered order with stars and a comment, once', async () => {
    const delivered = orders[0]!;
    const guest = await newPerson(browser, t.http(''), 'guest');
    await guest.page.goto('/');
    await guest.page.evaluate(([id, token]) => localStorage.setItem(`s2f.order.${id}`, String(token)), [delivered.id, delivered.token] as const);
    await guest.page.goto(`/o/${delivered.id}`);
    await guest.page.getByRole('heading', { name: 'How was your order?' }).waitFor();
    await guest.page.getByRole('radio', { name: '4 stars, Very good' }).check();
    await guest.page.getByLabel('Comment (optional)').fill('Crisp popcorn, quick service');
    await screenshot(guest.page, 'guest-feedback');
    await guest.page.getByRole('button', { name: 'Send rating' }).click();
    await guest.page.getByText('Thank you for your feedback!').waitFor();
    // Asked once: the page remembers, and the server refuses a second rating anyway.
    await guest.page.reload();
    await guest.page.getByText('Thank you for your feedback!').waitFor();
    expect(await guest.page.getByRole('button', { name: 'Send rating' }).count()).toBe(0);
    const list = await staff.call('GET', `/api/theatres/${v.theatre1.id}/feedback`);
    expect(list.body).toMatchObject({ count: 1, average: 4, feedback: [{ orderId: delivered.id, rating: 4, comment: 'Crisp popcorn, quick service' }] });
    await guest.context.close();
  });

  it('an admin sees totals and charts, and downloads a CSV whose figures are the orders’', async () => {
    const admin = await newPerson(browser, t.http(''), 'admin');
    await admin.page.setViewportSize({ width: 1366, height: 900 });
    await signIn(admin.page, '/staff/reports', LOGINS.admin);
    await admin.page.getByRole('heading', { name: 'Sales reports', level: 1 }).waitFor();
    await admin.page.getByLabel('Theatre').selectOption({ label: 'Galaxy Cinemas' });
    await admin.page.getByRole('button', { name: 'Show' }).click();

    const counted = orders.filter((o) => o.status !== 'cancelled');
    const gross = counted.reduce((s, o) => s + o.total, 0);
    const stat = (name: string) => admin.page.locator(`.stat[data-stat="${name}"] dd`);
    await admin.page.locator('.stat[data-stat="rating"] dd', { hasText: '4.00 ★ (1)' }).waitFor();
    expect(await stat('orders').textContent()).toBe(String(counted.length));
    expect(await stat('net').textContent()).toBe(`₹${Number.isInteger(gross / 100) ? gross / 100 : (gross / 100).toFixed(2)}`);
    expect(await stat('delivery').textContent()).toMatch(/^\d+(\.\d)? min$/);
    // Both charts drew on their canvases.
    for (const title of ['Net sales by day', 'Net sales by hour of the day']) {
      const canvas = admin.page.getByRole('img', { name: new RegExp(`^${title}:`) });
      await canvas.waitFor();
      expect(await canvas.evaluate((c: HTMLCanvasElement) => c.width > 0 && c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.some((x) => x !== 0))).toBe(true);
    }
    expect(await admin.page.getByRole('img', { name: /^Net sales by hour of the day: 24 bars/ }).count()).toBe(1);
    await admin.page.locator('.best-sellers tbody tr').first().getByText('Salted Popcorn').waitFor();
    await admin.page.locator('.feedback-list li', { hasText: 'Crisp popcorn, quick service' }).waitFor();
    await docsScreenshot(admin.page, 'reports-desktop');

    const [download] = await Promise.all([admin.page.waitForEvent('download'), admin.page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^sales-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-day-theatre-\d+\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('key,orders,gross,discount,tax,refunds,net');
    expect(csv).toHaveLength(2);
    const [, count, csvGross, , , refunds, net] = csv[1]!.split(',');
    expect([count, csvGross, refunds, net]).toEqual([String(counted.length), rupees(gross), '0.00', rupees(gross)]);
    await admin.context.close();
  });

  it('staff see their own theatre’s report on a phone', async () => {
    const context = await browser.newContext({ baseURL: t.http(''), ...PHONE, locale: 'en-IN', timezoneId: 'Asia/Kolkata' });
    const page = await context.newPage();
    await signIn(page, '/staff/reports', LOGINS.staff1);
    await page.locator('.stat[data-stat="rating"] dd', { hasText: '4.00 ★ (1)' }).waitFor();
    expect(await page.getByLabel('Theatre').count()).toBe(0);
    await page.getByRole('img', { name: /^Net sales by day:/ }).waitFor();
    await docsScreenshot(page, 'reports-phone');
    await context.close();
  });
});
