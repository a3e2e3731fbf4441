import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { ApiClient, LOGINS, type Venue } from '../support/venue.js';
import { card, closeBrowserWorld, newPerson, signIn, startBrowserWorld, waitLive } from './support/browser.js';

/** Every Content-Security-Policy violation the page reports, from the browser's own console. */
function violations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

describe('the pages under their Content-Security-Policy', () => {
  let t: TestApp;
  let v: Venue;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, v, browser } = await startBrowserWorld());
  });
  afterAll(() => closeBrowserWorld({ t, browser }));

  it('the built web app and the simulated checkout work with no violation: a guest orders, pays, staff see it live', async () => {
    const staff = await newPerson(browser, t.http(''), 'staff');
    const guest = await newPerson(browser, t.http(''), 'guest');
    const refused = [...[staff.page, guest.page].map(violations)];
    await signIn(staff.page, '/staff', LOGINS.staff1);
    await waitLive(staff.page);

    const menu = await guest.page.goto(`/s/${v.seat1}`);
    expect(menu?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await guest.page.getByRole('heading', { name: 'Galaxy Cinemas' }).waitFor();
    await guest.page.getByRole('button', { name: 'Add Salted Popcorn' }).click();
    await guest.page.getByLabel('Mobile number').fill('98765 43210');
    await guest.page.getByLabel('Pay online').check();
    const checkout = guest.page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/pay/sim/'));
    await guest.page.getByRole('button', { name: 'Pay ₹250' }).click();
    const page = await checkout;
    expect(page.headers()['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(page.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(await page.text()).not.toMatch(/<script>|<style>|\son\w+=/i);

    // The Pay button only works if the page's script (now a file) ran under the policy.
    await guest.page.locator('#pay').click();
    await guest.page.waitForURL(/\/o\/\d+$/);
    const orderId = Number(/\/o\/(\d+)$/.exec(guest.page.url())![1]);
    await card(staff.page, orderId).waitFor({ timeout: 2_000 });
    await guest.page.locator('[data-status="success"]').waitFor();
    expect(refused.flat()).toEqual([]);
    await Promise.all([staff.context.close(), guest.context.close()]);
  });

  it('the API docs (Swagger UI at /api/docs) render the OpenAPI document with no violation', async () => {
    const reader = await newPerson(browser, t.http(''), 'admin');
    const refused = violations(reader.page);
    const page = await reader.page.goto('/api/docs');
    expect(page?.headers()['content-security-policy']).toContain("script-src 'self'");
    await reader.page.getByRole('heading', { name: /scan2food HTTP API/ }).waitFor({ timeout: 10_000 });
    await reader.page.getByText('/api/orders/{id}/payments').first().waitFor();
    expect(refused).toEqual([]);
    await reader.context.close();
  });

  it('no page of this service can be framed by another site: neither the app nor a checkout page', async () => {
    const placed = await new ApiClient(t).call('POST', '/api/orders', {
      seatId: v.seat1,
      items: [{ itemId: v.item(v.theatre1, 'Salted Popcorn'), quantity: 1 }],
      phone: '+919876543210',
      paymentMethod: 'online',
    });
    const started = await new ApiClient(t, placed.body.orderToken).call('POST', `/api/orders/${placed.body.order.id}/payments`);
    expect(started.status).toBe(201);
    const guest = await newPerson(browser, t.http(''), 'guest');
    // A page on another origin (another port) frames both, and /healthz as a control: an answer
    // without frame-ancestors does show, so the refusals are the policy's doing.
    const framed = [t.http(`/s/${v.seat1}`), t.http(started.body.checkoutUrl), t.http('/healthz')];
    const other = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(framed.map((src) => `<iframe src="${src}"></iframe>`).join('')));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    await guest.page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    // The browser refused to show each page: its frame holds Chrome's error page.
    await expect
      .poll(() => guest.page.frames().slice(1).map((f) => f.url()), { timeout: 5_000 })
      .toEqual(['chrome-error://chromewebdata/', 'chrome-error://chromewebdata/', t.http('/healthz')]);
    await guest.context.close();
    other.close();
  });
});
