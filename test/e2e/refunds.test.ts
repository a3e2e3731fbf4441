import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/keys/keys-file.js';
import { FakeGraphApi } from '../support/fake-graph-api.js';
import { pdfText } from '../support/invoicing.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ApiClient, LOGINS, seedVenue, type Venue } from '../support/venue.js';
import { card, launchBrowser, newPerson, screenshot, signIn, waitLive } from './support/browser.js';

const APPROVER = '+919812345678';

/** docs/screenshots/<name>-phone.png or -desktop.png, written when SCREENSHOTS=1. */
async function docShot(page: Page, name: string, kind: 'phone' | 'desktop'): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  const dir = join(process.cwd(), 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  if (kind === 'desktop') await page.setViewportSize({ width: 1366, height: 900 });
  await page.screenshot({ path: join(dir, `${name}-${kind}.png`) });
}

describe('the web app: refunds with an approval code, and a guest asking for one', () => {
  const waToken = generateSecret();
  let graph: FakeGraphApi;
  let t: TestApp;
  let v: Venue;
  let browser: Browser;

  beforeAll(async () => {
    graph = await new FakeGraphApi(waToken, '1234567890').start();
    [t, browser] = await Promise.all([
      startTestApp({ AUTH_FAIL_LIMIT: '1000', WHATSAPP_API_BASE: graph.url, WHATSAPP_TOKEN: waToken, WHATSAPP_PHONE_NUMBER_ID: '1234567890' }),
      launchBrowser(),
    ]);
    v = await seedVenue(t);
    const admin = await ApiClient.login(t, LOGINS.admin);
    expect((await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { refundApproval: 'code', approverPhone: APPROVER })).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await graph?.close();
  });

  /** A two-item online order paid through the simulated gateway, and its guest's page open on a phone. */
  async function paidTwoItemOrder() {
    const api = new ApiClient(t);
    const r = await api.call('POST', '/api/orders', {
      seatId: v.seat1,
      items: [
        { itemId: v.item(v.theatre1, 'Salted Popcorn'), quantity: 1 },
        { itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 },
      ],
      phone: '+919876543210',
      paymentMethod: 'online',
    });
    expect(r.status).toBe(201);
    const id = r.body.order.id as number;
    const token = r.body.orderToken as string;
    const payment = await new ApiClient(t, token).call('POST', `/api/orders/${id}/payments`);
    const paid = await fetch(t.http(new URL(payment.body.checkoutUrl, 'http://x').pathname), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"pay"}' });
    expect(paid.status).toBe(200);
    const guest = await newPerson(browser, t.http(''), 'guest');
    await guest.context.addInitScript(([key, value]) => localStorage.setItem(key, value), [`s2f.order.${id}`, token] as const);
    await guest.page.goto(`/o/${id}`);
    await guest.page.locator('[data-status="success"]').waitFor();
    return { id, guest, token };
  }

  it('staff refund one item of a two-item order with the code from WhatsApp; the guest page shows the partial refund; the invoice PDF lists the credit note', async () => {
    const { id, guest, token } = await paidTwoItemOrder();
    const staff = await newPerson(browser, t.http(''), 'staff');
    await signIn(staff.page, '/staff', LOGINS.staff1);
    await waitLive(staff.page);
    const order = card(staff.page, id);
    await order.waitFor();
    await order.getByRole('button', { name: /^Refund:/ }).click();

    const dialog = staff.page.getByRole('dialog', { name: `Refund order ${id} (seat A1)` });
    await dialog.getByLabel('Some items').check();
    await dialog.getByLabel(/Masala Chai/).selectOption('1');
    await dialog.getByLabel('Reason (optional)').fill('Chai spilt');
    await screenshot(staff.page, 'staff-refund-dialog');
    await docShot(staff.page, 'refund-dialog', 'desktop');
    const sentBefore = graph.accepted.length;
    await dialog.getByRole('button', { name: 'Refund' }).click();

    await dialog.getByText('Nothing is refunded yet').waitFor();
    const sent = await graph.until(() => graph.accepted.slice(sentBefore).find((a) => a.body.template?.name === 'refund_code'), 'the approval code');
    expect(sent.body.to).toBe(APPROVER.slice(1));
    const code = sent.body.template.components[0].parameters[0].text as string;
    await dialog.getByLabel('Approval code').fill(code === '000000' ? '000001' : '000000');
    await dialog.getByRole('button', { name: 'Confirm code' }).click();
    await dialog.getByText(/Wrong code; 4 tries left/).waitFor();
    await dialog.getByLabel('Approval code').fill(code);
    await screenshot(staff.page, 'staff-refund-code');
    await dialog.getByRole('button', { name: 'Confirm code' }).click();
    await dialog.getByText('Refunded ₹60. In all ₹60 of ₹310 is refunded; the order stays confirmed.').waitFor();
    await docShot(staff.page, 'refund-done', 'desktop');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await order.locator('.refunded-part', { hasText: 'Refunded ₹60' }).waitFor();

    // The guest's page, live: a partial refund, still paid.
    await guest.page.locator('[data-refunded="6000"]').waitFor();
    await guest.page.getByText('₹60 of ₹310 refunded').waitFor();
    expect(await guest.page.locator('[data-status="success"]').count()).toBe(1);
    await screenshot(guest.page, 'guest-partial-refund');
    // The invoice lists the refund's credit note.
    const invoice = await new ApiClient(t, token).call('GET', `/api/orders/${id}/invoice`);
    expect(invoice.body.creditNotes).toEqual([{ number: expect.stringMatching(/^CN\/\d{4}-\d{2}\/1$/), issuedAt: expect.any(String), amount: 6000 }]);
    const pdf = pdfText(Buffer.from(await (await fetch(t.http(`/api/orders/${id}/invoice.pdf`), { headers: { authorization: `Bearer ${token}` } })).arrayBuffer()));
    for (const needle of ['Credit notes', invoice.body.creditNotes[0].number, '- Rs 60.00']) expect(pdf, needle).toContain(needle);
    await docShot(guest.page, 'guest-partial-refund', 'phone');
    await Promise.all([staff.context.close(), guest.context.close()]);
  });

  it("a guest asks for a refund; the staff's badge counts it live and they reject it with a reason; the guest sees why", async () => {
    const { id, guest } = await paidTwoItemOrder();
    const staff = await newPerson(browser, t.http(''), 'staff');
    await signIn(staff.page, '/staff', LOGINS.staff1);
    await waitLive(staff.page);
    const badge = staff.page.locator('.refund-requests .badge');
    const before = Number(await badge.getAttribute('data-refund-requests'));

    await guest.page.getByRole('button', { name: 'Ask for a refund' }).click();
    await guest.page.getByLabel('What went wrong?').fill('The popcorn never came');
    await guest.page.getByRole('button', { name: 'Send request' }).click();
    await guest.page.locator('[data-request-status="open"]').waitFor();
    await docShot(guest.page, 'guest-refund-request', 'phone');

    await staff.page.locator(`.refund-requests .badge[data-refund-requests="${before + 1}"]`).waitFor({ timeout: 2_000 });
    await staff.page.getByRole('button', { name: /^Refund requests/ }).click();
    const item = staff.page.locator(`.request-list li`, { hasText: `Order ${id}` });
    await item.getByText('“The popcorn never came”').waitFor();
    await screenshot(staff.page, 'staff-refund-requests');
    await docShot(staff.page, 'refund-requests', 'desktop');
    await item.getByRole('button', { name: 'Reject…' }).click();
    const reject = staff.page.getByRole('dialog', { name: `Reject the refund request of order ${id}?` });
    await reject.getByLabel('Reason for the guest').fill('It was delivered at 18:05');
    await reject.getByRole('button', { name: 'Reject request' }).click();
    await staff.page.getByText(`Order ${id}: request rejected; the guest is told.`).waitFor();

    await guest.page.locator('[data-request-status="rejected"]').waitFor();
    await guest.page.getByText('The theatre says: “It was delivered at 18:05”').waitFor();
    await Promise.all([staff.context.close(), guest.context.close()]);
  });
});
