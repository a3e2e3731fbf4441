import type { Browser } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { ApiClient, LOGINS, type Venue } from '../support/venue.js';
import { card, closeBrowserWorld, newPerson, screenshot, signIn, startBrowserWorld, waitLive } from './support/browser.js';
import { placeCashOrder, placePaidOrder } from './support/orders.js';

/** The QR sheet's options (web/src/pages/qr-sheet.ts): the same URL gives the same SVG. */
const QR_OPTIONS = { type: 'svg', errorCorrectionLevel: 'M', margin: 1 } as const;

describe('the web app: running the theatre', () => {
  let t: TestApp;
  let v: Venue;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, v, browser } = await startBrowserWorld({ UNSEEN_ALERT_SECONDS: '1', UNSEEN_CHECK_MS: '200' }));
  });
  afterAll(() => closeBrowserWorld({ t, browser }));

  it('an item switched off by staff disappears from the open guest page, and comes back when switched on', async () => {
    const guest = await newPerson(browser, t.http(''), 'guest');
    const staff = await newPerson(browser, t.http(''), 'staff');
    await guest.page.goto(`/s/${v.seat1}`);
    const chai = guest.page.locator('li.menu-item[data-item="Masala Chai"]');
    await chai.waitFor();
    await guest.page.getByRole('button', { name: 'Add Masala Chai' }).click();

    await signIn(staff.page, '/staff/menu', LOGINS.staff1);
    const toggle = staff.page.getByRole('checkbox', { name: 'Masala Chai' });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await staff.page.getByText('Masala Chai is now unavailable.').waitFor();
    await screenshot(staff.page, 'staff-menu');

    await chai.waitFor({ state: 'detached', timeout: 5_000 });
    await guest.page.getByText('no longer available').waitFor();
    await screenshot(guest.page, 'guest-item-switched-off');

    await toggle.check();
    await staff.page.getByText('Masala Chai is now available.').waitFor();
    await chai.waitFor({ timeout: 5_000 });
    await Promise.all([guest.context.close(), staff.context.close()]);
  });

  it('an admin adds a seat to a row and prints the hall QR sheet; each code opens that seat', async () => {
    const admin = await newPerson(browser, t.http(''), 'admin');
    await signIn(admin.page, `/admin/theatres/${v.theatre1.id}`, LOGINS.admin);
    await admin.page.getByRole('heading', { name: 'Galaxy Cinemas', level: 1 }).waitFor();
    const hall = admin.page.locator('.hall[data-hall="Audi 1"]');
    const rowA = hall.locator('li[data-row="A"]');
    await rowA.getByLabel('Add seats to row A (comma separated)').fill('A3');
    await rowA.getByRole('button', { name: 'Add seats' }).click();
    await rowA.locator('.seat', { hasText: 'A3' }).waitFor();
    await screenshot(admin.page, 'admin-theatre');

    // A price that is not rupees is caught in the dialog, next to the field, before anything is sent.
    const priceChanges: string[] = [];
    admin.page.on('request', (r) => void (r.method() === 'PATCH' && r.url().includes('/api/menu-items/') && priceChanges.push(r.url())));
    await admin.page.getByRole('button', { name: 'Change price of Masala Chai' }).click();
    const priceDialog = admin.page.getByRole('dialog', { name: 'New price of Masala Chai' });
    const priceField = priceDialog.getByLabel('Price in rupees (₹)');
    expect(await priceField.evaluate((el) => el === document.activeElement)).toBe(true);
    await priceField.fill('abc');
    await priceDialog.getByRole('button', { name: 'Save price' }).click();
    await priceDialog.getByText('Price must be in rupees, like 120 or 99.50.').waitFor();
    expect(await priceField.getAttribute('aria-invalid')).toBe('true');
    await admin.page.keyboard.press('Escape');
    await priceDialog.waitFor({ state: 'detached' });
    expect(priceChanges).toEqual([]);

    const layout = await (await ApiClient.login(t, LOGINS.admin)).call('GET', `/api/theatres/${v.theatre1.id}/layout`);
    const audi1 = layout.body.halls.find((h: { name: string }) => h.name === 'Audi 1');
    const a3 = audi1.rows.find((r: { name: string }) => r.name === 'A').seats.find((s: { name: string }) => s.name === 'A3');
    expect(a3).toBeDefined();

    await hall.getByRole('link', { name: 'Print QR codes' }).click();
    await admin.page.waitForURL(new RegExp(`/admin/halls/${audi1.id}/qr`));
    const codes = admin.page.locator('figure.qr-card');
    await admin.page.getByText('4 seats ready to print.').waitFor();
    expect(await codes.count()).toBe(4);
    const newCard = admin.page.locator(`figure.qr-card[data-seat-id="${a3.id}"]`);
    const url = `${t.http('')}/s/${a3.id}`;
    expect(await newCard.getAttribute('data-url')).toBe(url);
    const src = (await newCard.locator('img').getAttribute('src')) ?? '';
    expect(decodeURIComponent(src.replace(/^data:image\/svg\+xml;charset=utf-8,/, ''))).toBe(await QRCode.toString(url, QR_OPTIONS));
    await screenshot(admin.page, 'admin-qr-sheet');
    await admin.page.emulateMedia({ media: 'print' });
    expect(await admin.page.locator('header.topbar').isVisible()).toBe(false);
    await screenshot(admin.page, 'admin-qr-sheet-print');
    await admin.page.emulateMedia({ media: 'screen' });

    // The new seat's code opens a working menu.
    const guest = await newPerson(browser, t.http(''), 'guest');
    await guest.page.goto(url);
    await guest.page.getByText('Seat A3').waitFor();
    await Promise.all([admin.context.close(), guest.context.close()]);
  });

  it("staff find today's paid order in past orders and refund it from there", async () => {
    const paid = await placePaidOrder(t, v.seat1, v.item(v.theatre1, 'Veg Samosa'));
    const staff = await newPerson(browser, t.http(''), 'staff');
    staff.page.on('dialog', (d) => void d.dismiss().then(() => expect.fail(`a native ${d.type()} dialog appeared: ${d.message()}`)));
    await signIn(staff.page, '/staff/orders', LOGINS.staff1);
    const row = staff.page.locator(`tr[data-order-id="${paid.id}"]`);
    await row.waitFor();
    expect(await row.locator('[data-status]').innerText()).toBe('confirmed');
    await screenshot(staff.page, 'staff-past-orders');
    await row.getByRole('button', { name: `Refund order ${paid.id}` }).click();
    const confirmRefund = staff.page.getByRole('dialog', { name: `Refund order ${paid.id}` });
    await confirmRefund.getByRole('button', { name: 'Refund', exact: true }).click();
    await confirmRefund.waitFor({ state: 'detached' });
    await row.locator('[data-status]', { hasText: 'refunded' }).waitFor();
    await staff.page.getByText(`Order ${paid.id} refunded.`).waitFor();
    await staff.context.close();
  });

  it('an order not seen in time is highlighted on the dashboard until staff mark it seen', async () => {
    const staff = await newPerson(browser, t.http(''), 'staff');
    await signIn(staff.page, '/staff', LOGINS.staff1);
    await waitLive(staff.page);
    const order = await placeCashOrder(t, v.seat1, v.item(v.theatre1, 'Veg Samosa'));
    const highlighted = staff.page.locator(`article.order-card.unseen[data-order-id="${order.id}"]`);
    await highlighted.waitFor({ timeout: 5_000 });
    await highlighted.getByText('Not seen yet!').waitFor();
    await screenshot(staff.page, 'staff-dashboard-unseen');
    await card(staff.page, order.id).getByRole('button', { name: /^Seen:/ }).click();
    await highlighted.waitFor({ state: 'detached' });
    await card(staff.page, order.id).locator('[data-status]', { hasText: 'seen' }).waitFor();
    await staff.context.close();
  });
});
