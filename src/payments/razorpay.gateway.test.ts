import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from './payment.gateway.js';
import { RazorpayGateway } from './razorpay.gateway.js';

const KEY_ID = 'rzp_test_1DP5mmOlF5G5ag';
const KEY_SECRET = 'thisisasecret';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

/** A fake Razorpay API answering with the shapes of the real Orders and Refunds API. */
function fakeRazorpay(): { server: Server; seen: Seen[] } {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const expected = `Basic ${Buffer.from(`${KEY_ID}:${KEY_SECRET}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return send(401, { error: { code: 'BAD_REQUEST_ERROR', description: 'Authentication failed', source: 'NA', step: 'NA', reason: 'NA', metadata: {} } });
    }
    if (req.method === 'POST' && req.url === '/v1/orders') {
      return send(200, {
        id: 'order_EKwxwAgItmmXdp',
        entity: 'order',
        amount: body.amount,
        amount_paid: 0,
        amount_due: body.amount,
        currency: body.currency,
        receipt: body.receipt,
        offer_id: null,
        status: 'created',
        attempts: 0,
        notes: [],
        created_at: 1582628071,
      });
    }
    const refund = /^\/v1\/payments\/([^/]+)\/refund$/.exec(req.url ?? '');
    if (req.method === 'POST' && refund) {
      if (refund[1] === 'pay_unknown') {
        return send(400, { error: { code: 'BAD_REQUEST_ERROR', description: 'The id provided does not exist', source: 'business', step: 'payment_initiation', reason: 'input_validation_failed', metadata: {} } });
      }
      return send(200, {
        id: 'rfnd_FP8QHiV938haTz',
        entity: 'refund',
        amount: body.amount,
        receipt: null,
        currency: 'INR',
        payment_id: refund[1],
        notes: [],
        acquirer_data: { arn: null },
        created_at: 1597078866,
        batch_id: null,
        status: 'processed',
        speed_processed: 'normal',
        speed_requested: 'normal',
      });
    }
    send(404, { error: { code: 'BAD_REQUEST_ERROR', description: 'The requested URL was not found on the server.' } });
  });
  return { server, seen };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

describe('RazorpayGateway', () => {
  const fake = fakeRazorpay();
  let apiBase = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    apiBase = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => fake.server.close(resolve));
  });

  it('creates an order with basic auth and the amount in paise', async () => {
    const gateway = new RazorpayGateway({ keyId: KEY_ID, keySecret: KEY_SECRET, apiBase });
    await expect(gateway.createOrder({ amount: 58000, currency: 'INR', receipt: 'order-1-x' })).resolves.toEqual({
      gatewayOrderId: 'order_EKwxwAgItmmXdp',
    });
    expect(fake.seen.at(-1)).toEqual({
      method: 'POST',
      url: '/v1/orders',
      authorization: `Basic ${Buffer.from(`${KEY_ID}:${KEY_SECRET}`).toString('base64')}`,
      body: { amount: 58000, currency: 'INR', receipt: 'order-1-x' },
    });
  });

  it('refunds a payment', async () => {
    const gateway = new RazorpayGateway({ keyId: KEY_ID, keySecret: KEY_SECRET, apiBase: `${apiBase}/` });
    await expect(gateway.refund({ gatewayPaymentId: 'pay_29QQoUBi66xm2f', amount: 58000 })).resolves.toEqual({
      refundId: 'rfnd_FP8QHiV938haTz',
    });
    expect(fake.seen.at(-1)).toMatchObject({ url: '/v1/payments/pay_29QQoUBi66xm2f/refund', body: { amount: 58000 } });
  });

  it('turns Razorpay errors into GatewayError with the status and description', async () => {
    const gateway = new RazorpayGateway({ keyId: KEY_ID, keySecret: KEY_SECRET, apiBase });
    const refused = await gateway.refund({ gatewayPaymentId: 'pay_unknown', amount: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({ status: 400, message: expect.stringContaining('does not exist') });

    const wrongKey = new RazorpayGateway({ keyId: KEY_ID, keySecret: 'wrong', apiBase });
    await expect(wrongKey.createOrder({ amount: 1, currency: 'INR', receipt: 'r' })).rejects.toMatchObject({ status: 401 });
  });

  it('reports an unreachable API as GatewayError', async () => {
    const gateway = new RazorpayGateway({ keyId: KEY_ID, keySecret: KEY_SECRET, apiBase: 'http://127.0.0.1:1/v1' });
    await expect(gateway.createOrder({ amount: 1, currency: 'INR', receipt: 'r' })).rejects.toBeInstanceOf(GatewayError);
  });

  it('sends the guest to the local Razorpay checkout page', () => {
    const gateway = new RazorpayGateway({ keyId: KEY_ID, keySecret: KEY_SECRET, apiBase });
    expect(gateway.checkoutUrl(12)).toBe('/pay/razorpay/12');
    expect(gateway.keyId).toBe(KEY_ID);
  });
});
