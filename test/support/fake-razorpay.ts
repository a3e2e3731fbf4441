import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  body: unknown;
}

export interface FakeRazorpay {
  server: Server;
  /** Every request, in arrival order. */
  seen: SeenRequest[];
  /** Refunds actually made (one per idempotency key), by payment id. */
  refunds: Array<{ id: string; paymentId: string; amount: number; idempotencyKey: string | undefined }>;
  /**
   * Captured amounts by payment id, set by a test: refunds of such a payment beyond what was
   * captured (partial refunds summed) are refused as Razorpay does (400 BAD_REQUEST_ERROR).
   */
  captured: Map<string, number>;
  keyId: string;
  keySecret: string;
  /** `http://127.0.0.1:<port>/v1` once listening. */
  apiBase: string;
  /** Orders created, with the payments made on them (`GET /orders/{id}/payments`). */
  orders: Map<string, { amount: number; payments: Array<{ id: string; amount: number; status: 'captured' | 'failed' }> }>;
  /** The guest pays the order at Razorpay (no webhook sent): a captured payment; returns its id. */
  pay(orderId: string, amount?: number): { paymentId: string };
  /** A stand-in for Razorpay Checkout (checkout.js) with its shape: `new Razorpay(options).open()`, `options.handler`. */
  checkoutJs: string;
  /** Where and how a payment made through the stand-in Checkout is announced (the app's webhook and PAYMENT_WEBHOOK_SECRET). */
  webhook: { url: string; secret: string } | undefined;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(7).toString('base64url').replace(/[-_]/g, 'x')}`;

/**
 * A fake Razorpay API on 127.0.0.1 answering in the shapes of the real Orders and Refunds API
 * (basic auth with key_id:key_secret; `X-Refund-Idempotency`: a repeat with the same key and
 * body answers the refund made the first time, a different body with it is a BAD_REQUEST).
 * Keys are generated per fake: never a documented sample key.
 */
export async function startFakeRazorpay(): Promise<FakeRazorpay> {
  const keyId = `rzp_test_${randomBytes(8).toString('hex')}`;
  const keySecret = randomBytes(18).toString('base64url');
  const seen: SeenRequest[] = [];
  const refunds: FakeRazorpay['refunds'] = [];
  const captured = new Map<string, number>();
  const byKey = new Map<string, { body: string; answer: Record<string, unknown> }>();
  const orders: FakeRazorpay['orders'] = new Map();
  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (req.url === '/v1/checkout.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      return res.end(standInCheckout(apiBase));
    }
    if (req.method === 'POST' && req.url === '/v1/checkout/pay') return checkoutPay(raw, res);
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    const idempotencyKey = header(req, 'x-refund-idempotency');
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, idempotencyKey, body });
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const error = (status: number, description: string) =>
      send(status, { error: { code: 'BAD_REQUEST_ERROR', description, source: 'NA', step: 'NA', reason: 'NA', metadata: {} } });
    if (req.headers.authorization !== `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`) return error(401, 'Authentication failed');
    if (req.method === 'POST' && req.url === '/v1/orders') {
      const orderId = id('order');
      orders.set(orderId, { amount: Number(body.amount), payments: [] });
      return send(200, {
        id: orderId, entity: 'order', amount: body.amount, amount_paid: 0, amount_due: body.amount, currency: body.currency,
        receipt: body.receipt, offer_id: null, status: 'created', attempts: 0, notes: [], created_at: Math.floor(Date.now() / 1000),
      });
    }
    const orderPayments = /^\/v1\/orders\/([^/]+)\/payments$/.exec(req.url ?? '');
    if (req.method === 'GET' && orderPayments) {
      const order = orders.get(decodeURIComponent(orderPayments[1]!));
      if (!order) return error(400, 'The id provided does not exist');
      const items = order.payments.map((p) => ({
        id: p.id, entity: 'payment', amount: p.amount, currency: 'INR', status: p.status, order_id: orderPayments[1], method: 'upi',
        captured: p.status === 'captured', amount_refunded: 0, refund_status: null, created_at: Math.floor(Date.now() / 1000),
      }));
      return send(200, { entity: 'collection', count: items.length, items });
    }
    const refund = /^\/v1\/payments\/([^/]+)\/refund$/.exec(req.url ?? '');
    if (req.method === 'POST' && refund) {
      const paymentId = decodeURIComponent(refund[1]!);
      if (paymentId === 'pay_unknown') return error(400, 'The id provided does not exist');
      if (idempotencyKey !== undefined) {
        if (!/^[A-Za-z0-9_-]{10,}$/.test(idempotencyKey)) return error(400, 'The idempotency key is invalid');
        const earlier = byKey.get(idempotencyKey);
        if (earlier) return earlier.body === raw ? send(200, earlier.answer) : error(400, 'Different request with the same idempotency key has already been processed.');
      }
      const amount = Number(body.amount);
      if (!Number.isSafeInteger(amount) || amount < 1) return error(400, 'The amount must be an integer in paise');
      const cap = captured.get(paymentId);
      const already = refunds.filter((r) => r.paymentId === paymentId).reduce((sum, r) => sum + r.amount, 0);
      if (cap !== undefined && already + amount > cap) return error(400, 'The total refund amount is greater than the refund payment amount');
      const made = { id: id('rfnd'), paymentId, amount, idempotencyKey };
      refunds.push(made);
      const answer = {
        id: made.id, entity: 'refund', amount: body.amount, receipt: null, currency: 'INR', payment_id: paymentId, notes: [],
        acquirer_data: { arn: null }, created_at: Math.floor(Date.now() / 1000), batch_id: null, status: 'processed',
        speed_processed: 'normal', speed_requested: 'normal',
      };
      if (idempotencyKey !== undefined) byKey.set(idempotencyKey, { body: raw, answer });
      return send(200, answer);
    }
    error(404, 'The requested URL was not found on the server.');
  });
  /** The stand-in Checkout's Pay: the payment is captured and Razorpay's signed webhook sent, then the page's handler runs. */
  async function checkoutPay(raw: string, res: import('node:http').ServerResponse) {
    const { order_id: orderId, key } = JSON.parse(raw || '{}') as { order_id?: string; key?: string };
    const order = orderId ? orders.get(orderId) : undefined;
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify(json));
    };
    if (!order || key !== keyId) return reply(400, { error: { code: 'BAD_REQUEST_ERROR', description: 'invalid order or key' } });
    const paymentId = id('pay');
    order.payments.push({ id: paymentId, amount: order.amount, status: 'captured' });
    if (fake.webhook) {
      const created = Math.floor(Date.now() / 1000);
      const rawBody = JSON.stringify({
        entity: 'event', account_id: 'acc_fake', event: 'payment.captured', contains: ['payment'], created_at: created,
        payload: { payment: { entity: { id: paymentId, entity: 'payment', amount: order.amount, currency: 'INR', status: 'captured', order_id: orderId, method: 'upi', captured: true, created_at: created } } },
      });
      await fetch(fake.webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-razorpay-signature': createHmac('sha256', fake.webhook.secret).update(rawBody).digest('hex'), 'x-razorpay-event-id': id('evt') },
        body: rawBody,
      }).catch(() => undefined);
    }
    reply(200, { razorpay_payment_id: paymentId, razorpay_order_id: orderId, razorpay_signature: createHmac('sha256', keySecret).update(`${orderId}|${paymentId}`).digest('hex') });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const fake: FakeRazorpay = {
    checkoutJs: `${apiBase}/checkout.js`,
    webhook: undefined,
    server, seen, refunds, captured, keyId, keySecret, apiBase, orders,
    pay(orderId, amount) {
      const order = orders.get(orderId);
      if (!order) throw new Error(`fake Razorpay: no order ${orderId}`);
      const paymentId = id('pay');
      order.payments.push({ id: paymentId, amount: amount ?? order.amount, status: 'captured' });
      return { paymentId };
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  return fake;
}

/** Razorpay Checkout's shape: an overlay in the page whose Pay button pays and calls `options.handler`. */
function standInCheckout(apiBase: string): string {
  return `(function(){var api=${JSON.stringify(apiBase)};window.Razorpay=function(o){if(!o||!o.key||!o.order_id)throw new Error('key and order_id are required');this.open=function(){
var d=document.createElement('div');d.setAttribute('role','dialog');d.setAttribute('aria-label','Razorpay (fake)');d.style.position='fixed';d.style.inset='0';d.style.background='#fff';
var b=document.createElement('button');b.id='rzp-pay';b.type='button';b.textContent='Pay '+(o.amount/100).toFixed(2);d.appendChild(b);document.body.appendChild(d);
b.addEventListener('click',function(){fetch(api+'/checkout/pay',{method:'POST',headers:{'content-type':'text/plain'},body:JSON.stringify({key:o.key,order_id:o.order_id})}).then(function(r){return r.json()}).then(function(r){if(r.razorpay_payment_id&&o.handler)o.handler(r)})})}}})();`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
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
