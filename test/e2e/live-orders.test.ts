import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { ApiClient, LOGINS, type Venue } from '../support/venue.js';
import { card, closeBrowserWorld, newPerson, screenshot, signIn, startBrowserWorld, waitLive } from './support/browser.js';
import { placeCashOrder, placePaidOrder } from './support/orders.js';

describe('the web app: a guest orders and pays, staff serve it live', () => {
  let t: TestApp;
  let v: Venue;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, v, browser } = await startBrowserWorld());
  });
  afterAll(() => closeBrowserWorld({ t, browser }));

  it('a guest orders and pays on a phone; the staff dashboard shows it within 2 s and delivers it; the guest sees success', async () => {
    const staff = await newPerson(browser, t.http(''), 'staff');
    const guest = await newPerson(browser, t.http(''), 'guest');
    await signIn(staff.page, '/staff', LOGINS.staff1, 'staff-sign-in');
    await waitLive(staff.page);
    await screenshot(staff.page, 'staff-dashboard-empty');

    await guest.page.goto(`/s/${v.seat1}`);
    await guest.page.getByRole('heading', { name: 'Galaxy Cinemas' }).waitFor();
    // Nachos is switched off in the seed: a guest never sees it.
    expect(await guest.page.getByText('Nachos').count()).toBe(0);
    await guest.page.getByRole('button', { name: 'Add Salted Popcorn' }).click();
    await guest.page.getByRole('button', { name: 'Add Masala Chai' }).click();
    await guest.page.getByRole('button', { name: 'Add Masala Chai' }).click();
    await guest.page.getByLabel('Mobile number').fill('98765 43210');
    await guest.page.getByLabel('Pay online').check();
    await screenshot(guest.page, 'guest-menu-cart');
    await guest.page.getByRole('button', { name: 'Pay ₹370' }).click();

    // The simulated gateway's own page; its Pay button signs a webhook as a real gateway would.
    await guest.page.waitForURL(/\/pay\/sim\/\d+\/[\w-]{43}$/);
    await screenshot(guest.page, 'guest-simulated-checkout');
    await guest.page.locator('#pay').click();
    const paidAt = Date.now();
    await guest.page.waitForURL(/\/o\/\d+$/);
    const orderId = Number(/\/o\/(\d+)$/.exec(guest.page.url())![1]);

    const order = card(staff.page, orderId);
    await order.waitFor({ timeout: 2_000 });
    expect(Date.now() - paidAt).toBeLessThan(2_000);
    await order.getByText('Seat A1').waitFor();
    expect(await order.innerText()).toMatch(/1×\s*Salted Popcorn[\s\S]*2×\s*Masala Chai/);
    expect(await order.innerText()).toContain('₹370');
    await screenshot(staff.page, 'staff-dashboard-new-order');

    await guest.page.locator('[data-status="success"]').waitFor();
    await guest.page.getByRole('heading', { name: 'Paid' }).waitFor();

    await order.getByRole('button', { name: /^Seen:/ }).click();
    await order.locator('[data-status]', { hasText: 'seen' }).waitFor();
    await order.getByRole('button', { name: /^Delivered:/ }).click();
    await order.waitFor({ state: 'detached' });
    // Delivered: the payment socket sends the final state and closes; the page stays on success.
    await guest.page.locator('[data-status="success"]').waitFor();
    await guest.page.locator('[data-order-status="delivered"]').waitFor();
    await screenshot(guest.page, 'guest-payment-success');
    const check = await ApiClient.login(t, LOGINS.staff1);
    expect((await check.call('GET', `/api/orders/${orderId}`)).body.order.status).toBe('delivered');
    await Promise.all([staff.context.close(), guest.context.close()]);
  });

  it('a dashboard taken offline misses an order, comes back online and shows it without a reload', async () => {
    const staff = await newPerson(browser, t.http(''), 'staff');
    await signIn(staff.page, '/staff', LOGINS.staff1);
    await waitLive(staff.page);
    const navigations: string[] = [];
    staff.page.on('framenavigated', (f) => navigations.push(f.url()));

    await staff.context.setOffline(true);
    await staff.page.locator('.conn[data-state="offline"]').waitFor();
    await screenshot(staff.page, 'staff-dashboard-offline');
    const missed = await placeCashOrder(t, v.seat1, v.item(v.theatre1, 'Veg Samosa'));
    // The order is on the server; the offline dashboard cannot have it.
    expect(await card(staff.page, missed.id).count()).toBe(0);

    await staff.context.setOffline(false);
    await card(staff.page, missed.id).waitFor({ timeout: 5_000 });
    await waitLive(staff.page);
    expect(await card(staff.page, missed.id).innerText()).toContain('Cash');
    expect(navigations).toEqual([]);
    await screenshot(staff.page, 'staff-dashboard-back-online');
    await staff.context.close();
  });

  it("staff of theatre 2 never see theatre 1's order; an admin sees both and who is online", async () => {
    const staff1 = await newPerson(browser, t.http(''), 'staff');
    const staff2 = await newPerson(browser, t.http(''), 'staff');
    const admin = await newPerson(browser, t.http(''), 'admin');
    await Promise.all([signIn(staff1.page, '/staff', LOGINS.staff1), signIn(staff2.page, '/staff', LOGINS.staff2), signIn(admin.page, '/admin', LOGINS.admin)]);
    await Promise.all([waitLive(staff1.page), waitLive(staff2.page), waitLive(admin.page)]);

    const first = await placeCashOrder(t, v.seat1, v.item(v.theatre1, 'Salted Popcorn'));
    await card(staff1.page, first.id).waitFor();
    const second = await placePaidOrder(t, v.seat2, v.item(v.theatre2, 'Cold Coffee'));
    await card(staff2.page, second.id).waitFor();
    await Promise.all([card(admin.page, first.id).waitFor(), card(admin.page, second.id).waitFor()]);

    expect(await card(staff2.page, first.id).count()).toBe(0);
    expect(await staff2.page.locator('article.order-card').count()).toBe(1);
    expect(await card(staff1.page, second.id).count()).toBe(0);
    await admin.page.locator(`tr[data-theatre-id="${v.theatre2.id}"] [data-presence="online"]`).waitFor();
    await screenshot(staff2.page, 'staff2-dashboard');
    await screenshot(admin.page, 'admin-dashboard');
    await Promise.all([staff1.context.close(), staff2.context.close(), admin.context.close()]);
  });
});
