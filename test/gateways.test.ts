import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, LOGINS } from './support/venue.js';
import { setTheatreGateway, startGatewayWorld, type GatewayWorld } from './support/gateway-harness.js';

/** Issue 14: what each gateway's webhook refuses beyond the shared contract, and gateways per theatre. */
describe('gateways per theatre and their webhook rules', () => {
  let cf: GatewayWorld;
  let pp: GatewayWorld;

  beforeAll(async () => {
    [cf, pp] = await Promise.all([startGatewayWorld('cashfree'), startGatewayWorld('phonepe')]);
  });
  afterAll(async () => {
    await Promise.all([cf?.close(), pp?.close()]);
  });

  const post = async (w: GatewayWorld, path: string, headers: Record<string, string>, body: string) => {
    const res = await fetch(w.t.http(path), { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as { status?: string; error?: { code: string } } };
  };

  it('Cashfree: a webhook older than 5 minutes by its own timestamp is refused like a bad signature, and changes nothing', async () => {
    const p = await cf.gateway.start();
    const stale = cf.fakes.cashfree!.webhook('PAYMENT_SUCCESS_WEBHOOK', { orderId: p.gatewayOrderId, amount: p.amount }, { timestampMs: Date.now() - 5 * 60_000 - 5_000 });
    expect(await post(cf, '/api/payments/webhook/cashfree', stale.headers, stale.body)).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    // Signed right but the body altered, or no signature at all: 400 as well.
    const good = cf.fakes.cashfree!.webhook('PAYMENT_SUCCESS_WEBHOOK', { orderId: p.gatewayOrderId, amount: p.amount });
    expect((await post(cf, '/api/payments/webhook/cashfree', good.headers, good.body.replace('"SUCCESS"', '"SUCCESS" '))).status).toBe(400);
    const { 'x-webhook-signature': _sig, ...unsigned } = good.headers;
    expect((await post(cf, '/api/payments/webhook/cashfree', unsigned, good.body)).status).toBe(400);
    expect(await cf.gateway.order(p.orderId)).toEqual({ status: 'placed', paymentStatus: 'pending' });
    // The same event, fresh and signed: confirmed.
    expect(await post(cf, '/api/payments/webhook/cashfree', good.headers, good.body)).toMatchObject({ status: 200, body: { status: 'processed' } });
  });

  it('Cashfree: the order is created with Cashfree headers, rupees and a return URL to the guest order page; the checkout page loads the SDK from its origin, allowed by the CSP', async () => {
    const p = await cf.gateway.start();
    const create = cf.fakes.cashfree!.seen.filter((r) => r.method === 'POST' && r.url === '/pg/orders').at(-1)!;
    expect(create.headers).toEqual({ clientId: cf.fakes.cashfree!.appId, clientSecret: cf.fakes.cashfree!.secretKey, apiVersion: '2023-08-01' });
    expect(create.body).toMatchObject({ order_id: p.gatewayOrderId, order_amount: p.amount / 100, order_currency: 'INR', order_meta: { return_url: cf.t.http(`/o/${p.orderId}`) } });
    const page = await fetch(cf.t.http(p.checkoutUrl));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`src="${cf.fakes.cashfree!.sdkUrl}"`);
    expect(html).toContain(`data-session="${cf.fakes.cashfree!.orders.get(p.gatewayOrderId)!.payment_session_id}"`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain(`script-src 'self' ${new URL(cf.fakes.cashfree!.sdkUrl).origin}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(html).not.toContain(cf.fakes.cashfree!.secretKey);
  });

  it('PhonePe: a webhook without the right Authorization is 400 and changes nothing; the token is fetched once and reused', async () => {
    const p = await pp.gateway.start();
    const good = pp.fakes.phonepe!.webhook('checkout.order.completed', { merchantOrderId: p.gatewayOrderId, amount: p.amount });
    expect((await post(pp, '/api/payments/webhook/phonepe', { 'content-type': 'application/json' }, good.body)).status).toBe(400);
    expect((await post(pp, '/api/payments/webhook/phonepe', { ...good.headers, authorization: 'x'.repeat(64) }, good.body)).status).toBe(400);
    expect(await pp.gateway.order(p.orderId)).toEqual({ status: 'placed', paymentStatus: 'pending' });
    expect(await post(pp, '/api/payments/webhook/phonepe', good.headers, good.body)).toMatchObject({ status: 200, body: { status: 'processed' } });
    await pp.gateway.start();
    expect(pp.fakes.phonepe!.tokensIssued).toBe(1);
    const pay = pp.fakes.phonepe!.seen.filter((r) => r.url.endsWith('/checkout/v2/pay')).at(-1)!;
    expect(pay.authorization).toMatch(/^O-Bearer /);
    expect(pay.body).toMatchObject({ amount: p.amount, paymentFlow: { type: 'PG_CHECKOUT', merchantUrls: { redirectUrl: expect.stringMatching(/\/o\/\d+$/) } } });
  });

  it('PhonePe: its checkout link sends the guest on to the redirectUrl PhonePe gave; gatewayOrderId is the merchantOrderId', async () => {
    const p = await pp.gateway.start();
    expect(pp.fakes.phonepe!.orders.has(p.gatewayOrderId)).toBe(true);
    const res = await fetch(pp.t.http(p.checkoutUrl), { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`/hosted/pay/${p.gatewayOrderId}$`));
    // A wrong link is 404, like an unknown payment.
    expect((await fetch(pp.t.http(`${p.checkoutUrl.slice(0, -2)}xx`), { redirect: 'manual' })).status).toBe(404);
  });

  it('a theatre whose gateway (set by an admin, in force at once) is not configured on this server answers 503 with a clear message; a theatre without one uses the simulated gateway', async () => {
    const admin = await ApiClient.login(cf.t, LOGINS.admin);
    const setGateway = async (gateway: string | null) => expect((await admin.call('PATCH', `/api/theatres/${cf.v.theatre1.id}`, { gateway })).status).toBe(200);
    await setGateway('phonepe');
    try {
      const placed = await new ApiClient(cf.t).call('POST', '/api/orders', {
        seatId: cf.v.seat1,
        items: [{ itemId: cf.v.item(cf.v.theatre1, 'Salted Popcorn'), quantity: 1 }],
        phone: '+919876543210',
        paymentMethod: 'online',
      });
      const guest = new ApiClient(cf.t, placed.body.orderToken);
      const refused = await guest.call('POST', `/api/orders/${placed.body.order.id}/payments`);
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('phonepe is not configured') });
      await setGateway(null);
      const simulated = await guest.call('POST', `/api/orders/${placed.body.order.id}/payments`);
      expect(simulated.status).toBe(201);
      expect(simulated.body.gateway).toBe('simulated');
    } finally {
      await setTheatreGateway(cf.t.app.db, cf.v.theatre1.id, 'cashfree');
    }
  });

  it('a webhook for a gateway this server does not have is 404', async () => {
    const hook = pp.fakes.phonepe!.webhook('checkout.order.completed', { merchantOrderId: 'pp_x', amount: 100 });
    expect((await post(cf, '/api/payments/webhook/phonepe', hook.headers, hook.body)).status).toBe(404);
  });

  it('a full refund made at the gateway arrives by its webhook and refunds the order once (Cashfree and PhonePe)', async () => {
    for (const w of [cf, pp]) {
      const p = await w.gateway.start();
      const ref = await w.gateway.payAtGateway(p);
      expect((await w.gateway.webhook('captured', p, { paymentRef: ref })).body).toEqual({ status: 'processed' });
      const hook =
        w === cf
          ? cf.fakes.cashfree!.webhook('REFUND_STATUS_WEBHOOK', { orderId: p.gatewayOrderId, amount: p.amount, cfPaymentId: ref, cfRefundId: `77${p.paymentId}` })
          : pp.fakes.phonepe!.webhook('pg.refund.completed', { merchantOrderId: p.gatewayOrderId, amount: p.amount, refundId: `OMR${p.paymentId}X` });
      const path = `/api/payments/webhook/${w.gateway.name}`;
      expect(await post(w, path, hook.headers, hook.body)).toMatchObject({ status: 200, body: { status: 'processed' } });
      expect(await w.gateway.order(p.orderId)).toEqual({ status: 'refunded', paymentStatus: 'refunded' });
      expect(await post(w, path, hook.headers, hook.body)).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    }
  });

  it('never writes a gateway secret to the log', async () => {
    const secrets = [cf.fakes.cashfree!.secretKey, pp.fakes.phonepe!.clientSecret, pp.fakes.phonepe!.webhookPassword];
    for (const line of [...cf.t.logLines, ...pp.t.logLines]) for (const s of secrets) expect(line).not.toContain(s);
  });
});
