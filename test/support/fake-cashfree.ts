import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CashfreeSeenRequest {
  method: string;
  url: string;
  headers: { clientId: string | undefined; clientSecret: string | undefined; apiVersion: string | undefined };
  body: unknown;
}

interface FakeOrder {
  order_id: string;
  cf_order_id: string;
  order_amount: number;
  order_currency: string;
  order_status: 'ACTIVE' | 'PAID' | 'EXPIRED' | 'TERMINATED';
  payment_session_id: string;
  return_url: string | undefined;
  customer_phone: string;
  payments: Array<{ cf_payment_id: string; payment_status: 'SUCCESS' | 'FAILED' | 'USER_DROPPED'; payment_amount: number; payment_currency: string }>;
}

export interface SignedCashfreeWebhook {
  body: string;
  headers: Record<string, string>;
}

export interface FakeCashfree {
  server: Server;
  seen: CashfreeSeenRequest[];
  /** Refunds actually made (one per refund_id). */
  refunds: Array<{ cfRefundId: string; orderId: string; refundId: string; amount: number }>;
  orders: Map<string, FakeOrder>;
  appId: string;
  secretKey: string;
  /** `http://127.0.0.1:<port>/pg` */
  apiBase: string;
  /** The stand-in JS SDK (same shape as https://sdk.cashfree.com/js/v3/cashfree.js). */
  sdkUrl: string;
  /** Where the fake posts webhooks (the app's `/api/payments/webhook/cashfree`). */
  webhookUrl: string | undefined;
  /** When true, a payment made on the hosted checkout sends no webhook (a lost webhook). */
  dropWebhooks: boolean;
  /** Env for the app. */
  env(): Record<string, string>;
  /** The guest pays the order at Cashfree (no webhook sent); the payment as the API reports it. */
  pay(orderId: string, amount?: number): { cfPaymentId: string };
  /** A webhook exactly as Cashfree signs it (or forged, or with an old timestamp). */
  webhook(
    type: 'PAYMENT_SUCCESS_WEBHOOK' | 'PAYMENT_FAILED_WEBHOOK' | 'REFUND_STATUS_WEBHOOK',
    o: { orderId: string; amount: number; cfPaymentId?: string; cfRefundId?: string },
    opts?: { forge?: boolean; timestampMs?: number },
  ): SignedCashfreeWebhook;
  /** Posts a webhook to `webhookUrl`. */
  deliver(hook: SignedCashfreeWebhook): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

const rnd = (n = 8) => randomBytes(n).toString('hex');
const rupees = (n: number) => Math.round(n * 100) / 100;

/**
 * A fake Cashfree PG (API version 2023-08-01) on 127.0.0.1, in Cashfree's wire format:
 * `x-client-id` / `x-client-secret` / `x-api-version` headers, amounts in rupees, errors as
 * `{message, code, type}`; orders, order payments, refunds (a repeated refund_id is refused with
 * 409 as Cashfree does), a hosted checkout page behind a stand-in JS SDK, and webhooks signed
 * base64 HMAC-SHA256(timestamp + body) with the secret key. Credentials are generated per fake.
 */
export async function startFakeCashfree(): Promise<FakeCashfree> {
  const appId = `TEST${rnd(8)}`;
  const secretKey = `cfsk_ma_test_${randomBytes(18).toString('base64url')}`;
  const seen: CashfreeSeenRequest[] = [];
  const refunds: FakeCashfree['refunds'] = [];
  const orders = new Map<string, FakeOrder>();
  const refundsById = new Map<string, Record<string, unknown>>();
  let base = '';

  const sign = (timestamp: string, body: string) => createHmac('sha256', secretKey).update(timestamp + body).digest('base64');

  const fake: FakeCashfree = {
    server: undefined as unknown as Server,
    seen,
    refunds,
    orders,
    appId,
    secretKey,
    apiBase: '',
    sdkUrl: '',
    webhookUrl: undefined,
    dropWebhooks: false,
    env: () => ({ CASHFREE_APP_ID: appId, CASHFREE_SECRET_KEY: secretKey, CASHFREE_API_BASE: fake.apiBase, CASHFREE_SDK_URL: fake.sdkUrl }),
    pay(orderId, amount) {
      const order = orders.get(orderId);
      if (!order) throw new Error(`fake Cashfree: no order ${orderId}`);
      const payment = { cf_payment_id: String(BigInt(`0x${rnd(6)}`)), payment_status: 'SUCCESS' as const, payment_amount: amount ?? order.order_amount, payment_currency: 'INR' };
      order.payments.push(payment);
      order.order_status = 'PAID';
      return { cfPaymentId: payment.cf_payment_id };
    },
    webhook(type, o, opts = {}) {
      const now = new Date(opts.timestampMs ?? Date.now());
      const data: Record<string, unknown> =
        type === 'REFUND_STATUS_WEBHOOK'
          ? {
              refund: {
                cf_refund_id: o.cfRefundId ?? rnd(5),
                cf_payment_id: o.cfPaymentId ?? rnd(5),
                refund_id: `rf_${rnd(6)}`,
                order_id: o.orderId,
                refund_amount: rupees(o.amount / 100),
                refund_currency: 'INR',
                entity: 'Refund',
                refund_type: 'MERCHANT_INITIATED',
                refund_arn: null,
                refund_status: 'SUCCESS',
                status_description: 'Refund processed successfully',
                created_at: now.toISOString(),
                processed_at: now.toISOString(),
              },
            }
          : {
              order: { order_id: o.orderId, order_amount: rupees(o.amount / 100), order_currency: 'INR', order_tags: null },
              payment: {
                cf_payment_id: o.cfPaymentId ?? String(BigInt(`0x${rnd(6)}`)),
                payment_status: type === 'PAYMENT_SUCCESS_WEBHOOK' ? 'SUCCESS' : 'FAILED',
                payment_amount: rupees(o.amount / 100),
                payment_currency: 'INR',
                payment_message: type === 'PAYMENT_SUCCESS_WEBHOOK' ? 'Transaction Successful' : 'Payment failed',
                payment_time: now.toISOString(),
                bank_reference: rnd(6),
                auth_id: null,
                payment_method: { upi: { channel: 'collect', upi_id: 'guest@upi' } },
                payment_group: 'upi',
              },
              customer_details: { customer_name: null, customer_id: 'guest', customer_email: null, customer_phone: '9999999999' },
              payment_gateway_details: { gateway_name: 'CASHFREE', gateway_order_id: null, gateway_payment_id: null, gateway_status_code: null },
            };
      const body = JSON.stringify({ data, event_time: now.toISOString(), type });
      const timestamp = String(now.getTime());
      const signature = opts.forge ? createHmac('sha256', 'not-the-secret').update(timestamp + body).digest('base64') : sign(timestamp, body);
      return { body, headers: { 'content-type': 'application/json', 'x-webhook-timestamp': timestamp, 'x-webhook-signature': signature, 'x-webhook-version': '2023-08-01' } };
    },
    async deliver(hook) {
      if (!fake.webhookUrl) throw new Error('fake Cashfree: webhookUrl not set');
      const res = await fetch(fake.webhookUrl, { method: 'POST', headers: hook.headers, body: hook.body });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': rnd(8) });
      res.end(JSON.stringify(json));
    };
    const error = (status: number, message: string, code = 'request_failed', type = 'invalid_request_error') => send(status, { message, code, type });

    // The hosted side: the stand-in SDK, its checkout page and the guest's Pay button.
    if (req.method === 'GET' && url.pathname === '/js/v3/cashfree.js') return sendSdk(res);
    const page = /^\/checkout\/([A-Za-z0-9_]+)$/.exec(url.pathname);
    if (page) return hostedCheckout(req, res, page[1]!, url, raw);

    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      return error(400, 'Invalid JSON');
    }
    seen.push({
      method: req.method ?? '',
      url: url.pathname,
      headers: { clientId: header(req, 'x-client-id'), clientSecret: header(req, 'x-client-secret'), apiVersion: header(req, 'x-api-version') },
      body,
    });
    if (header(req, 'x-client-id') !== appId || header(req, 'x-client-secret') !== secretKey) return error(401, 'authentication Failed', 'request_failed', 'authentication_error');
    if (!header(req, 'x-api-version')) return error(400, 'x-api-version : is missing in the request', 'x-api-version_missing');

    if (req.method === 'POST' && url.pathname === '/pg/orders') {
      const orderId = typeof body.order_id === 'string' ? body.order_id : `order_${rnd(6)}`;
      if (!/^[A-Za-z0-9_-]{3,45}$/.test(orderId)) return error(400, 'order_id : is invalid', 'order_id_invalid');
      if (orders.has(orderId)) return error(409, 'order with same id is already present', 'order_already_exists', 'duplicate_request_error');
      const customer = body.customer_details as { customer_id?: string; customer_phone?: string } | undefined;
      if (!customer?.customer_id || !customer.customer_phone) return error(400, 'customer_details.customer_phone : is missing in the request', 'customer_details.customer_phone_missing');
      if (typeof body.order_amount !== 'number' || body.order_amount < 1) return error(400, 'order_amount : must be at least 1', 'order_amount_invalid');
      const meta = body.order_meta as { return_url?: string } | undefined;
      const order: FakeOrder = {
        order_id: orderId,
        cf_order_id: String(BigInt(`0x${rnd(6)}`)),
        order_amount: body.order_amount,
        order_currency: String(body.order_currency),
        order_status: 'ACTIVE',
        payment_session_id: `session_${randomBytes(24).toString('base64url').replace(/-/g, 'x')}`,
        return_url: meta?.return_url,
        customer_phone: customer.customer_phone,
        payments: [],
      };
      orders.set(orderId, order);
      return send(200, orderView(order));
    }
    const orderPath = /^\/pg\/orders\/([^/]+)(\/payments|\/refunds(?:\/([^/]+))?)?$/.exec(url.pathname);
    const order = orderPath ? orders.get(decodeURIComponent(orderPath[1]!)) : undefined;
    if (orderPath && !order) return error(404, 'order not found', 'order_not_found');
    if (order && req.method === 'GET' && !orderPath![2]) return send(200, orderView(order));
    if (order && req.method === 'GET' && orderPath![2] === '/payments') {
      return send(200, order.payments.map((p) => ({ cf_payment_id: p.cf_payment_id, order_id: order.order_id, entity: 'payment', payment_status: p.payment_status, payment_amount: p.payment_amount, payment_currency: p.payment_currency, payment_group: 'upi', is_captured: p.payment_status === 'SUCCESS' })));
    }
    if (order && req.method === 'GET' && orderPath![3]) {
      const refund = refundsById.get(`${order.order_id}/${decodeURIComponent(orderPath![3])}`);
      return refund ? send(200, refund) : error(404, 'refund not found', 'refund_not_found');
    }
    if (order && req.method === 'POST' && orderPath![2] === '/refunds') {
      const refundId = String(body.refund_id ?? '');
      if (!/^[A-Za-z0-9_-]{3,40}$/.test(refundId)) return error(400, 'refund_id : is invalid', 'refund_id_invalid');
      if (refundsById.has(`${order.order_id}/${refundId}`)) return error(409, 'Refund with the same refund_id already exists', 'refund_already_exists', 'duplicate_request_error');
      const paid = order.payments.find((p) => p.payment_status === 'SUCCESS');
      if (!paid) return error(400, 'refund not allowed: order is not paid', 'refund_invalid');
      const amount = Number(body.refund_amount);
      const already = refunds.filter((r) => r.orderId === order.order_id).reduce((s, r) => s + r.amount, 0);
      if (!(amount > 0) || Math.round((already + amount) * 100) > Math.round(paid.payment_amount * 100)) return error(400, 'refund_amount : exceeds the amount that can be refunded', 'refund_amount_invalid');
      const cfRefundId = String(BigInt(`0x${rnd(6)}`));
      refunds.push({ cfRefundId, orderId: order.order_id, refundId, amount });
      const answer = {
        cf_payment_id: paid.cf_payment_id, cf_refund_id: cfRefundId, refund_id: refundId, order_id: order.order_id, entity: 'refund',
        refund_amount: amount, refund_currency: 'INR', refund_note: body.refund_note ?? null, refund_status: 'PENDING', refund_arn: null,
        refund_charge: 0, status_description: 'In Progress', metadata: null, refund_splits: [], refund_type: 'MERCHANT_INITIATED',
        refund_mode: 'STANDARD', created_at: new Date().toISOString(), processed_at: null, refund_speed: { requested: 'STANDARD', accepted: 'STANDARD', processed: null, message: null },
      };
      refundsById.set(`${order.order_id}/${refundId}`, answer);
      return send(200, answer);
    }
    error(404, 'Not found', 'not_found');
  });

  function orderView(order: FakeOrder) {
    return {
      cf_order_id: order.cf_order_id, created_at: new Date().toISOString(), customer_details: { customer_id: 'guest', customer_phone: order.customer_phone },
      entity: 'order', order_amount: order.order_amount, order_currency: order.order_currency, order_expiry_time: new Date(Date.now() + 30 * 86400_000).toISOString(),
      order_id: order.order_id, order_meta: { return_url: order.return_url ?? null, notify_url: null, payment_methods: null }, order_note: null, order_splits: [],
      order_status: order.order_status, order_tags: null, payment_session_id: order.payment_session_id, terminal_data: null,
    };
  }

  /** The stand-in SDK: `Cashfree({mode}).checkout({paymentSessionId, redirectTarget})` opens the hosted page. */
  function sendSdk(res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'access-control-allow-origin': '*' });
    res.end(`(function(){var origin=${JSON.stringify(base)};window.Cashfree=function(o){if(!o||(o.mode!=='sandbox'&&o.mode!=='production'))throw new Error('mode');return{checkout:function(c){if(!c||!c.paymentSessionId)throw new Error('paymentSessionId');location.assign(origin+'/checkout/'+encodeURIComponent(c.paymentSessionId));return Promise.resolve({})}}}})();`);
  }

  async function hostedCheckout(req: IncomingMessage, res: ServerResponse, session: string, url: URL, raw: string) {
    const order = [...orders.values()].find((o) => o.payment_session_id === session);
    if (!order) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('no such session');
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width,initial-scale=1"><title>Cashfree (fake)</title></head><body><h1>Cashfree checkout (fake)</h1><p>Rs ${order.order_amount.toFixed(2)}</p><form method="post"><button id="cf-pay" name="outcome" value="pay">Pay Rs ${order.order_amount.toFixed(2)}</button><button id="cf-fail" name="outcome" value="fail">Fail</button></form></body></html>`);
    }
    const form = new URLSearchParams(raw);
    const outcome = form.get('outcome') ?? url.searchParams.get('outcome');
    let hook: SignedCashfreeWebhook;
    if (outcome === 'pay') {
      const { cfPaymentId } = fake.pay(order.order_id);
      hook = fake.webhook('PAYMENT_SUCCESS_WEBHOOK', { orderId: order.order_id, amount: Math.round(order.order_amount * 100), cfPaymentId });
    } else {
      const cfPaymentId = String(BigInt(`0x${rnd(6)}`));
      order.payments.push({ cf_payment_id: cfPaymentId, payment_status: 'FAILED', payment_amount: order.order_amount, payment_currency: 'INR' });
      hook = fake.webhook('PAYMENT_FAILED_WEBHOOK', { orderId: order.order_id, amount: Math.round(order.order_amount * 100), cfPaymentId });
    }
    if (!fake.dropWebhooks && fake.webhookUrl) await fake.deliver(hook).catch(() => undefined);
    const back = (order.return_url ?? '/').replace('{order_id}', encodeURIComponent(order.order_id));
    res.writeHead(303, { location: back });
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.server = server;
  fake.apiBase = `${base}/pg`;
  fake.sdkUrl = `${base}/js/v3/cashfree.js`;
  return fake;
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
