import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, LOGINS } from '../support/venue.js';
import { startGatewayWorld, type GatewayWorld } from '../support/gateway-harness.js';
import { card, launchBrowser, newPerson, screenshot, signIn, waitLive } from './support/browser.js';

/**
 * Issue 14: a guest pays on a phone through each real gateway (its fake on 127.0.0.1 in the
 * real wire format: Razorpay through Checkout, Cashfree through its JS SDK, PhonePe through its
 * redirectUrl), and the staff dashboard shows the order. (The simulated gateway's is
 * live-orders.test.ts.) The pages' CSP is the production one with the fake's origin added by
 * RAZORPAY_CHECKOUT_URL / CASHFREE_SDK_URL; a violation would stop the script.
 */
describe('guest checkout per gateway, in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const name of ['razorpay', 'cashfree', 'phonepe'] as const) {
    describe(name, () => {
      let w: GatewayWorld;
      beforeAll(async () => {
        w = await startGatewayWorld(name, { afterSeconds: 120 });
      });
      afterAll(() => w?.close());

      it(`a guest pays with ${name} on a phone and the staff dashboard shows the order`, async () => {
        const staff = await newPerson(browser, w.t.http(''), 'staff');
        const guest = await newPerson(browser, w.t.http(''), 'guest');
        const violations: string[] = [];
        guest.page.on('console', (m) => {
          if (m.text().includes('Content Security Policy')) violations.push(m.text());
        });
        await signIn(staff.page, '/staff', LOGINS.staff1);
        await waitLive(staff.page);

        await guest.page.goto(`/s/${w.v.seat1}`);
        await guest.page.getByRole('heading', { name: 'Galaxy Cinemas' }).waitFor();
        await guest.page.getByRole('button', { name: 'Add Salted Popcorn' }).click();
        await guest.page.getByLabel('Mobile number').fill('98765 43210');
        await guest.page.getByLabel('Pay online').check();
        await guest.page.getByRole('button', { name: /^Pay ₹/ }).click();

        if (name === 'razorpay') {
          // Our page, which opens Razorpay Checkout (the fake's stand-in of checkout.js here).
          await guest.page.waitForURL(/\/pay\/razorpay\/\d+\/[\w-]{43}$/);
          await guest.page.locator('#pay').click();
          await guest.page.locator('#rzp-pay').click();
        } else if (name === 'cashfree') {
          // Our page, which loads Cashfree's SDK from its own origin (the fake's stand-in here).
          await guest.page.waitForURL(/\/pay\/cashfree\/\d+\/[\w-]{43}$/);
          await screenshot(guest.page, 'guest-cashfree-checkout');
          await guest.page.locator('#pay').click();
          await guest.page.waitForURL(/\/checkout\/session_/);
          await guest.page.locator('#cf-pay').click();
        } else {
          // Straight on to PhonePe's pay page (the redirectUrl it answered).
          await guest.page.waitForURL(/\/hosted\/pay\/pp_/);
          await guest.page.locator('#pp-pay').click();
        }
        const paidAt = Date.now();
        await guest.page.waitForURL(/\/o\/\d+$/);
        const orderId = Number(/\/o\/(\d+)$/.exec(guest.page.url())![1]);
        const order = card(staff.page, orderId);
        await order.waitFor({ timeout: 3_000 });
        expect(Date.now() - paidAt).toBeLessThan(3_000);
        await order.getByText('Seat A1').waitFor();
        await guest.page.locator('[data-status="success"]').waitFor();
        expect(violations).toEqual([]);
        await screenshot(staff.page, `staff-dashboard-${name}-order`);
        const check = await ApiClient.login(w.t, LOGINS.staff1);
        expect((await check.call('GET', `/api/orders/${orderId}`)).body.order).toMatchObject({ status: 'confirmed', paymentStatus: 'success' });
        await Promise.all([staff.context.close(), guest.context.close()]);
      });
    });
  }
});
