import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeRazorpay, type FakeRazorpay } from '../../test/support/fake-razorpay.js';
import { GatewayError } from './payment.gateway.js';
import { RazorpayGateway } from './razorpay.gateway.js';

describe('RazorpayGateway', () => {
  let fake: FakeRazorpay;
  const gateway = (over: Partial<{ keySecret: string; apiBase: string }> = {}) =>
    new RazorpayGateway({ keyId: fake.keyId, keySecret: over.keySecret ?? fake.keySecret, apiBase: over.apiBase ?? fake.apiBase });

  beforeAll(async () => {
    fake = await startFakeRazorpay();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('creates an order with basic auth and the amount in paise', async () => {
    const created = await gateway().createOrder({ amount: 58000, currency: 'INR', receipt: 'order-1-x' });
    expect(created.gatewayOrderId).toMatch(/^order_/);
    expect(fake.seen.at(-1)).toEqual({
      method: 'POST',
      url: '/v1/orders',
      authorization: `Basic ${Buffer.from(`${fake.keyId}:${fake.keySecret}`).toString('base64')}`,
      idempotencyKey: undefined,
      body: { amount: 58000, currency: 'INR', receipt: 'order-1-x' },
    });
  });

  it('refunds a payment with its idempotency key; a retry with the same key refunds nothing more', async () => {
    const g = gateway({ apiBase: `${fake.apiBase}/` });
    const req = { gatewayPaymentId: 'pay_29QQoUBi66xm2f', amount: 58000, idempotencyKey: 'rf_0123456789abcdef' };
    const first = await g.refund(req);
    expect(first.refundId).toMatch(/^rfnd_/);
    expect(fake.seen.at(-1)).toMatchObject({ url: '/v1/payments/pay_29QQoUBi66xm2f/refund', body: { amount: 58000 }, idempotencyKey: req.idempotencyKey });
    await expect(g.refund(req)).resolves.toEqual(first);
    expect(fake.refunds.filter((r) => r.idempotencyKey === req.idempotencyKey)).toHaveLength(1);
  });

  it('turns Razorpay errors into GatewayError with the status and description', async () => {
    const refused = await gateway().refund({ gatewayPaymentId: 'pay_unknown', amount: 1, idempotencyKey: 'rf_unknown_payment' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({ status: 400, message: expect.stringContaining('does not exist') });
    await expect(gateway({ keySecret: 'wrong' }).createOrder({ amount: 1, currency: 'INR', receipt: 'r' })).rejects.toMatchObject({ status: 401 });
  });

  it('reports an unreachable API as GatewayError', async () => {
    await expect(gateway({ apiBase: 'http://127.0.0.1:1/v1' }).createOrder({ amount: 1, currency: 'INR', receipt: 'r' })).rejects.toBeInstanceOf(GatewayError);
  });

  it('sends the guest to the local Razorpay checkout page', () => {
    expect(gateway().checkoutUrl(12)).toBe('/pay/razorpay/12');
    expect(gateway().keyId).toBe(fake.keyId);
  });
});
