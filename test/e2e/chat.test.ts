import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/keys/keys-file.js';
import { FakeGraphApi } from '../support/fake-graph-api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { postWebhook, statusUpdate, textMessage, whatsappWebhook } from '../support/whatsapp-webhook.js';
import { launchBrowser, newPerson, screenshot, signIn } from './support/browser.js';
import { placeCashOrder } from './support/orders.js';
import { ApiClient, LOGINS, seedVenue, type Venue } from '../support/venue.js';

/** An online order by `phone`, paid through the simulated gateway's page endpoint (as its Pay button does). */
async function payOnlineOrder(t: TestApp, seatId: number, itemId: number, phone: string): Promise<void> {
  const r = await new ApiClient(t).call('POST', '/api/orders', { seatId, items: [{ itemId, quantity: 1 }], phone, paymentMethod: 'online' });
  expect(r.status).toBe(201);
  const payment = await new ApiClient(t, r.body.orderToken).call('POST', `/api/orders/${r.body.order.id}/payments`);
  const paid = await fetch(t.http(new URL(payment.body.checkoutUrl, 'http://x').pathname), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"pay"}' });
  expect(paid.status).toBe(200);
}

const PHONE_NUMBER_ID = '106540352242922';
const GUEST = '+919876500011';

describe('the web app: the chat box', () => {
  const appSecret = generateSecret();
  const waToken = generateSecret();
  const fake = new FakeGraphApi(waToken, PHONE_NUMBER_ID);
  let t: TestApp;
  let v: Venue;
  let browser: Browser;

  beforeAll(async () => {
    await fake.start();
    [t, browser] = await Promise.all([
      startTestApp({
        AUTH_FAIL_LIMIT: '1000',
        WHATSAPP_API_BASE: fake.url,
        WHATSAPP_TOKEN: waToken,
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
        WHATSAPP_APP_SECRET: appSecret,
        WHATSAPP_VERIFY_TOKEN: generateSecret(),
        WHATSAPP_SENDER_POLL_MS: '200',
      }),
      launchBrowser(),
    ]);
    v = await seedVenue(t);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fake.close();
  });

  it('a reply typed in the chat box reaches the WhatsApp API; delivery and new messages show live', async () => {
    // A guest with an order at Galaxy writes in: the conversation is Galaxy's.
    await placeCashOrder(t, v.seat1, v.item(v.theatre1, 'Masala Chai'), GUEST);
    await postWebhook(t.http('/api/whatsapp/webhook'), whatsappWebhook({ messages: [textMessage(GUEST, 'Where is my chai?')] }), appSecret);

    const staff = await newPerson(browser, t.http(''), 'staff');
    await signIn(staff.page, '/staff/chat', LOGINS.staff1);
    await staff.page.locator('.conn[data-state="live"]').waitFor();
    const conversation = staff.page.getByRole('button', { name: new RegExp(`^\\${GUEST}, 1 unread`) });
    await conversation.click();
    const thread = staff.page.getByRole('list', { name: `Messages with ${GUEST}` });
    await thread.getByText('Where is my chai?').waitFor();
    await staff.page.locator('.conn[data-state="live"]').waitFor();

    await staff.page.getByLabel(`Reply to ${GUEST}`).fill('Coming in 2 minutes!');
    await staff.page.getByRole('button', { name: 'Send' }).click();
    const request = await fake.until(() => fake.accepted.find((r) => r.body.type === 'text' && r.body.text?.body === 'Coming in 2 minutes!'), 'the reply at the Graph API');
    expect(request).toMatchObject({ path: `/v21.0/${PHONE_NUMBER_ID}/messages`, authorization: `Bearer ${waToken}`, body: { to: GUEST.slice(1) } });
    const reply = thread.locator('li.msg.outgoing', { hasText: 'Coming in 2 minutes!' });
    await reply.locator('.meta', { hasText: 'Sent' }).waitFor();

    // The guest's phone reports delivery, then writes again: both show without a reload.
    await postWebhook(t.http('/api/whatsapp/webhook'), whatsappWebhook({ statuses: [statusUpdate(request.waId!, 'delivered', GUEST)] }), appSecret);
    await reply.locator('.meta', { hasText: 'Delivered' }).waitFor();
    await postWebhook(t.http('/api/whatsapp/webhook'), whatsappWebhook({ messages: [textMessage(GUEST, 'Thanks!')] }), appSecret);
    await thread.getByText('Thanks!').waitFor();
    await screenshot(staff.page, 'staff-chat');

    // Staff of another theatre do not see the conversation; an admin does.
    const other = await newPerson(browser, t.http(''), 'staff');
    await signIn(other.page, '/staff/chat', LOGINS.staff2);
    await other.page.getByText('No conversations yet.').waitFor();
    const admin = await newPerson(browser, t.http(''), 'admin');
    await signIn(admin.page, '/staff/chat', LOGINS.admin);
    await admin.page.locator(`button[data-phone="${GUEST}"]`).waitFor();

    // The guest pays an order at Regal and writes: Regal gets a conversation of its own; the admin
    // sees the number twice, once per theatre, and each thread holds only its theatre's messages.
    await payOnlineOrder(t, v.seat2, v.item(v.theatre2, 'Cold Coffee'), GUEST);
    await postWebhook(t.http('/api/whatsapp/webhook'), whatsappWebhook({ messages: [textMessage(GUEST, 'Is the Regal bar open?')] }), appSecret);
    const atRegal = admin.page.locator(`button[data-phone="${GUEST}"][data-theatre="${v.theatre2.id}"]`);
    await atRegal.waitFor();
    await expect(admin.page.locator(`button[data-phone="${GUEST}"]`).count()).resolves.toBe(2);
    await atRegal.click();
    const adminThread = admin.page.getByRole('list', { name: `Messages with ${GUEST}` });
    await adminThread.getByText('Is the Regal bar open?').waitFor();
    await expect(adminThread.getByText('Where is my chai?').count()).resolves.toBe(0);
    await admin.page.getByLabel(`Reply to ${GUEST}`).fill('Yes, till midnight');
    await admin.page.getByRole('button', { name: 'Send' }).click();
    await fake.until(() => fake.accepted.find((r) => r.body.type === 'text' && r.body.text?.body === 'Yes, till midnight'), 'the admin reply at the Graph API');
    await adminThread.locator('li.msg.outgoing', { hasText: 'Yes, till midnight' }).waitFor();

    await other.page.getByRole('button', { name: new RegExp(`^\\${GUEST}`) }).click();
    const regalThread = other.page.getByRole('list', { name: `Messages with ${GUEST}` });
    await regalThread.getByText('Yes, till midnight').waitFor();
    await expect(regalThread.getByText('Where is my chai?').count()).resolves.toBe(0);
    await expect(thread.getByText('Is the Regal bar open?').count()).resolves.toBe(0);
    await expect(thread.getByText('Yes, till midnight').count()).resolves.toBe(0);
    await Promise.all([staff.context.close(), other.context.close(), admin.context.close()]);
  });
});
