import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { buildWebhook } from '../src/payments/webhook.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, LOGINS, seedVenue, type Venue } from './support/venue.js';
import { connectOpen, type TestSocket } from './support/ws-client.js';

describe('online payment: webhook → live orders and payment status', () => {
  const secret = generateSecret();
  let t: TestApp;
  let v: Venue;
  let staff1: ApiClient;
  let staff2: ApiClient;
  let admin: ApiClient;

  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAIL_LIMIT: '1000', PAYMENT_WEBHOOK_SECRET: secret });
    v = await seedVenue(t);
    [staff1, staff2, admin] = await Promise.all([ApiClient.login(t, LOGINS.staff1), ApiClient.login(t, LOGINS.staff2), ApiClient.login(t, LOGINS.admin)]);
  });
  afterAll(() => t.close());

  async function placeAndStart() {
    const guest = new ApiClient(t);
    const placed = await guest.call('POST', '/api/orders', {
      seatId: v.seat1,
      items: [{ itemId: v.item(v.theatre1, 'Salted Popcorn'), quantity: 1 }],
      phone: '+919876543210',
      paymentMethod: 'online',
    });
    expect(placed.status).toBe(201);
    expect(placed.body.order).toMatchObject({ status: 'placed', paymentStatus: 'created', amount: 25000 });
    const withToken = new ApiClient(t, placed.body.orderToken);
    const payment = await withToken.call('POST', `/api/orders/${placed.body.order.id}/payments`);
    expect(payment.status).toBe(201);
    expect(payment.body).toMatchObject({ gateway: 'simulated', amount: 25000, currency: 'INR' });
    return { order: placed.body.order, token: withToken, payment: payment.body };
  }

  function webhook(event: 'payment.captured' | 'payment.failed', gatewayOrderId: string, amount: number, eventId = `evt_${randomUUID()}`) {
    return buildWebhook({ event, gatewayOrderId, gatewayPaymentId: `pay_${randomUUID()}`, amount, secret, eventId, at: new Date() });
  }

  async function post(hook: { rawBody: string; signature: string; eventId: string }, signature = hook.signature) {
    return fetch(t.http('/api/payments/webhook'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-razorpay-signature': signature, 'x-razorpay-event-id': hook.eventId },
      body: hook.rawBody,
    });
  }

  async function follow(client: ApiClient): Promise<TestSocket> {
    const s = await connectOpen(t.ws(`/ws/all-seat-datasocket/?ticket=${await client.ticket('live-orders')}`));
    await s.next('snapshot');
    return s;
  }

  it('a signed capture confirms the order for its theatre and admins within a second, and the payment page turns to success', async () => {
    const { order, token, payment } = await placeAndStart();
    const [s1, s2, a] = await Promise.all([follow(staff1), follow(staff2), follow(admin)]);
    const pay = await connectOpen(t.ws(`/ws/payment-socket/${order.id}/`), { protocols: ['scan2food.v1', `ticket.${await token.ticket('payment', order.id)}`] });
    expect(await pay.next('snapshot')).toMatchObject({ data: { payment: { orderId: order.id, status: 'pending', gateway: 'simulated' } } });

    const sentAt = Date.now();
    expect((await post(webhook('payment.captured', payment.gatewayOrderId, 25000))).status).toBe(200);
    const confirmed = await s1.next('order.confirmed', 1000);
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(confirmed.data).toMatchObject({ order: { id: order.id, status: 'confirmed', paymentStatus: 'success', paymentMethod: 'online', seat: { name: 'A1', row: 'A', hall: 'Audi 1' } } });
    await a.next('order.confirmed', 1000);
    expect(await pay.next('payment.status', 1000)).toMatchObject({ data: { orderId: order.id, status: 'success', amount: 25000, method: 'online', gateway: 'simulated' } });
    s2.send({ type: 'ping' });
    await s2.next('pong');
    expect(s2.messages.filter((m) => String(m.type).startsWith('order.'))).toEqual([]);

    // Delivered: the guest's payment socket gets the final state and is closed normally.
    expect((await staff1.call('POST', `/api/orders/${order.id}/deliver`)).status).toBe(200);
    expect((await pay.waitClose(2000)).code).toBe(1000);
    for (const s of [s1, s2, a]) s.close();
  });

  it('a bad signature is 400 and changes nothing; a replayed event id and a wrong amount are 200 and change nothing', async () => {
    const { order, payment, token } = await placeAndStart();
    const good = webhook('payment.captured', payment.gatewayOrderId, 25000);
    expect((await post(good, 'f'.repeat(64))).status).toBe(400);
    expect((await post(good, '')).status).toBe(400);
    expect((await token.call('GET', `/api/orders/${order.id}`)).body.order.status).toBe('placed');

    const logsBefore = t.logLines.length;
    expect((await post(webhook('payment.captured', payment.gatewayOrderId, 100))).status).toBe(200);
    expect((await token.call('GET', `/api/orders/${order.id}`)).body.order).toMatchObject({ status: 'placed' });
    expect(t.logLines.slice(logsBefore).some((l) => l.includes('"alert":true'))).toBe(true);

    const failed = webhook('payment.failed', payment.gatewayOrderId, 25000);
    expect((await post(failed)).status).toBe(200);
    expect((await token.call('GET', `/api/orders/${order.id}`)).body.order.paymentStatus).toBe('failed');
    const captured = webhook('payment.captured', payment.gatewayOrderId, 25000);
    expect((await post(captured)).status).toBe(200);
    expect((await token.call('GET', `/api/orders/${order.id}`)).body.order).toMatchObject({ status: 'confirmed', paymentStatus: 'success' });
    // The same failed event again (same id) must not undo the capture.
    const replay = await post(failed);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ status: 'duplicate' });
    expect((await token.call('GET', `/api/orders/${order.id}`)).body.order).toMatchObject({ status: 'confirmed', paymentStatus: 'success' });
  });

  it('a failed payment closes the guest payment socket after telling it; staff refund a paid order', async () => {
    const first = await placeAndStart();
    const pay = await connectOpen(t.ws(`/ws/payment-socket/${first.order.id}/?ticket=${await first.token.ticket('payment', first.order.id)}`));
    await pay.next('snapshot');
    await post(webhook('payment.failed', first.payment.gatewayOrderId, 25000));
    expect(await pay.next('payment.status', 1000)).toMatchObject({ data: { status: 'failed' } });
    expect((await pay.waitClose(1000)).code).toBe(1000);

    const second = await placeAndStart();
    await post(webhook('payment.captured', second.payment.gatewayOrderId, 25000));
    const s1 = await follow(staff1);
    expect((await staff2.call('POST', `/api/orders/${second.order.id}/refund`)).status).toBe(404);
    const refunded = await staff1.call('POST', `/api/orders/${second.order.id}/refund`);
    expect(refunded.status).toBe(200);
    expect(refunded.body.order).toMatchObject({ status: 'refunded', paymentStatus: 'refunded' });
    await s1.next('order.refunded', 1000);
    expect((await staff1.call('POST', `/api/orders/${second.order.id}/refund`)).status).toBe(409);
    s1.close();
  });

  it('the simulated checkout page pays through the same signed webhook', async () => {
    const { order, payment, token } = await placeAndStart();
    const page = await fetch(t.http(new URL(payment.checkoutUrl, 'http://x').pathname));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Simulated payment');
    const res = await fetch(t.http(new URL(payment.checkoutUrl, 'http://x').pathname), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"pay"}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ webhookStatus: 200 });
    expect((await token.call('GET', `/api/orders/${order.id}`)).body.order).toMatchObject({ status: 'confirmed', paymentStatus: 'success' });
  });

  it('the simulated checkout opens only by the link the payment start gave out: a sequential id or a wrong mac is 404 and pays nothing', async () => {
    const { order, payment, token } = await placeAndStart();
    const link = new URL(payment.checkoutUrl, 'http://x').pathname;
    expect(link).toMatch(new RegExp(`^/pay/sim/${payment.paymentId}/[A-Za-z0-9_-]{43}$`));
    const other = await placeAndStart();
    const otherMac = new URL(other.payment.checkoutUrl, 'http://x').pathname.split('/').pop();
    const wrongMac = `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [`/pay/sim/${payment.paymentId}`, wrongMac, `/pay/sim/${payment.paymentId}/${otherMac}`, `/pay/sim/${payment.paymentId}/`]) {
      const page = await fetch(t.http(path));
      expect({ path, status: page.status }).toEqual({ path, status: 404 });
      expect(await page.text()).not.toContain('250.00');
      const pay = await fetch(t.http(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"pay"}' });
      expect({ path, status: pay.status }).toEqual({ path, status: 404 });
    }
    expect((await token.call('GET', `/api/orders/${order.id}`)).body.order).toMatchObject({ status: 'placed', paymentStatus: 'pending' });
    const page = await fetch(t.http(link));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).not.toMatch(/<script>|<style>/);
  });
});
