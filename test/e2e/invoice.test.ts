import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfText } from '../support/invoicing.js';
import type { TestApp } from '../support/test-app.js';
import { ApiClient, LOGINS, type Venue } from '../support/venue.js';
import { closeBrowserWorld, startBrowserWorld, newPerson, screenshot, signIn } from './support/browser.js';
import { placePaidOrder } from './support/orders.js';

/** With SCREENSHOTS=1 the pictures of docs/ are written: invoice-phone.png, invoice-desktop.png and the PDF itself. */
const DOC_SHOTS = process.env.SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'screenshots') : null;
const DESKTOP = { viewport: { width: 1366, height: 900 } };

/** The bytes of a finished download. */
async function bytesOf(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFileSync(path);
}

async function docShot(page: Page, name: string): Promise<void> {
  if (!DOC_SHOTS) return;
  mkdirSync(DOC_SHOTS, { recursive: true });
  await page.screenshot({ path: join(DOC_SHOTS, `${name}.png`), fullPage: true });
}

describe('the web app: invoices', () => {
  let t: TestApp;
  let v: Venue;
  let browser: Browser;
  let admin: ApiClient;

  beforeAll(async () => {
    ({ t, v, browser } = await startBrowserWorld());
    admin = await ApiClient.login(t, LOGINS.admin);
    const r = await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, {
      legalName: 'Galaxy Cinemas Pvt Ltd',
      gstin: '27AAPFU0939F1ZV',
      address: '12 Linking Road, Bandra West\nMumbai 400050',
      taxes: [
        { name: 'CGST', rate: 2.5 },
        { name: 'SGST', rate: 2.5 },
      ],
      invoicePrefix: 'GX',
    });
    expect(r.status).toBe(200);
  });
  afterAll(() => closeBrowserWorld({ t, browser }));

  it('a guest pays through the simulated checkout and downloads the invoice PDF from the order page', async () => {
    const guest = await newPerson(browser, t.http(''), 'guest');
    await guest.page.goto(`/s/${v.seat1}`);
    await guest.page.getByRole('button', { name: 'Add Salted Popcorn' }).click();
    await guest.page.getByRole('button', { name: 'Add Masala Chai' }).click();
    await guest.page.getByLabel('Mobile number').fill('98765 43210');
    await guest.page.getByLabel('Pay online').check();
    await guest.page.getByRole('button', { name: /^Pay ₹/ }).click();
    await guest.page.waitForURL(/\/pay\/sim\/\d+\/[\w-]{43}$/);
    await guest.page.locator('#pay').click();
    await guest.page.waitForURL(/\/o\/\d+$/);
    const orderId = Number(/\/o\/(\d+)$/.exec(guest.page.url())![1]);
    await guest.page.locator('[data-status="success"]').waitFor();

    const invoice = (await admin.call('GET', `/api/orders/${orderId}/invoice`)).body;
    expect(invoice.invoiceNumber).toMatch(/^GX\/\d{4}-\d{2}\/1$/);
    const button = guest.page.getByRole('button', { name: 'Download invoice (PDF)' });
    await screenshot(guest.page, 'guest-order-invoice');
    await docShot(guest.page, 'invoice-phone');

    const [download] = await Promise.all([guest.page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe(`${invoice.invoiceNumber.replaceAll('/', '-')}.pdf`);
    const pdf = await bytesOf(download);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf);
    for (const needle of [invoice.invoiceNumber, 'GSTIN: 27AAPFU0939F1ZV', 'Galaxy Cinemas Pvt Ltd', 'Salted Popcorn', 'Masala Chai', `Rs ${(invoice.total / 100).toFixed(2)}`]) {
      expect(text, needle).toContain(needle);
    }
    if (DOC_SHOTS) writeFileSync(join(DOC_SHOTS, 'invoice-sample.pdf'), pdf);

    // The same page on a desktop browser of the same guest (the token is kept by order id).
    const token = await guest.page.evaluate((id) => localStorage.getItem(`s2f.order.${id}`), orderId);
    expect(token).toBeTruthy();
    const desktop = await browser.newContext({ baseURL: t.http(''), ...DESKTOP, locale: 'en-IN', timezoneId: 'Asia/Kolkata' });
    await desktop.addInitScript(([id, tok]) => localStorage.setItem(`s2f.order.${id}`, tok), [String(orderId), token!] as const);
    const page = await desktop.newPage();
    await page.goto(`/o/${orderId}`);
    await page.getByRole('button', { name: 'Download invoice (PDF)' }).waitFor();
    await docShot(page, 'invoice-desktop');
    await Promise.all([guest.context.close(), desktop.close()]);
  });

  it('no invoice button while the payment is awaited', async () => {
    const placed = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Veg Samosa'), quantity: 1 }], phone: '+919876543219', paymentMethod: 'online' });
    const guest = await newPerson(browser, t.http(''), 'guest');
    await guest.context.addInitScript(([id, tok]) => localStorage.setItem(`s2f.order.${id}`, tok), [String(placed.body.order.id), placed.body.orderToken as string] as const);
    await guest.page.goto(`/o/${placed.body.order.id}`);
    await guest.page.getByRole('button', { name: 'Pay now' }).waitFor();
    expect(await guest.page.getByRole('button', { name: 'Download invoice (PDF)' }).count()).toBe(0);
    await guest.context.close();
  });

  it('staff download an order invoice from past orders', async () => {
    const paid = await placePaidOrder(t, v.seat1, v.item(v.theatre1, 'Veg Samosa'));
    const invoice = (await admin.call('GET', `/api/orders/${paid.id}/invoice`)).body;
    const staff = await newPerson(browser, t.http(''), 'staff');
    await signIn(staff.page, '/staff/orders', LOGINS.staff1);
    const row = staff.page.locator(`tr[data-order-id="${paid.id}"]`);
    await row.waitFor();
    const link = row.getByRole('link', { name: `Invoice ${invoice.invoiceNumber} of order ${paid.id} (PDF)` });
    const [download] = await Promise.all([staff.page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`${invoice.invoiceNumber.replaceAll('/', '-')}.pdf`);
    const text = pdfText(await bytesOf(download));
    expect(text).toContain(invoice.invoiceNumber);
    expect(text).toContain('Veg Samosa');
    await screenshot(staff.page, 'staff-past-orders-invoice');
    await staff.context.close();
  });
});
