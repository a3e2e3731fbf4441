import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PhonePeSeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

interface FakeOrder {
  merchantOrderId: string;
  orderId: string;
  amount: number;
  state: 'PENDING' | 'COMPLETED' | 'FAILED';
  redirectUrl: string;
  paymentDetails: Array<{ paymentMode: string; transactionId: string; timestamp: number; amount: number; state: 'COMPLETED' | 'FAILED' }>;
}

export interface SignedPhonePeWebhook {
  body: string;
  headers: Record<string, string>;
}

export interface FakePhonePe {
  server: Server;
  seen: PhonePeSeenRequest[];
  /** Tokens issued (the adapter should reuse one until it expires). */
  tokensIssued: number;
  refunds: Array<{ refundId: string; merchantRefundId: string; originalMerchantOrderId: string; amount: number }>;
  orders: Map<string, FakeOrder>;
  clientId: string;
  clientSecret: string;
  webhookUsername: string;
  webhookPassword: string;
  /** `http://127.0.0.1:<port>/apis/pg-sandbox` */
  apiBase: string;
  webhookUrl: string | undefined;
  dropWebhooks: boolean;
  env(): Record<string, string>;
  /** The guest pays at PhonePe (no webhook sent); returns the transaction id. */
  pay(merchantOrderId: string): { transactionId: string };
  webhook(
    event: 'checkout.order.completed' | 'checkout.order.failed' | 'pg.refund.completed',
    o: { merchantOrderId: string; amount: number; transactionId?: string; refundId?: string },
    opts?: { forge?: boolean },
  ): SignedPhonePeWebhook;
  deliver(hook: SignedPhonePeWebhook): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

const rnd = (n = 8) => randomBytes(n).toString('hex').toUpperCase();

/**
 * A fake PhonePe Standard Checkout (v2) on 127.0.0.1, in PhonePe's wire format: an OAuth token
 * from `POST /v1/oauth/token` (form, client credentials) sent back as `O-Bearer`; `POST
 * /checkout/v2/pay`, `GET /checkout/v2/order/{merchantOrderId}/status`, `POST
 * /payments/v2/refund` (a repeated merchantRefundId is refused), `GET
 * /payments/v2/refund/{id}/status`; a hosted pay page at the redirectUrl; webhooks with
 * `Authorization` = hex SHA-256 of `username:password`. Credentials are generated per fake.
 */
export async function startFakePhonePe(): Promise<FakePhonePe> {
  const clientId = `TEST-M${rnd(6)}`;
  const clientSecret = randomBytes(18).toString('base64url');
  const webhookUsername = `hook_${rnd(4).toLowerCase()}`;
  const webhookPassword = randomBytes(12).toString('base64url');
  const seen: PhonePeSeenRequest[] = [];
  const orders = new Map<string, FakeOrder>();
  const tokens = new Set<string>();
  const refunds: FakePhonePe['refunds'] = [];
  const refundsById = new Map<string, Record<string, unknown>>();
  let base = '';

  const fake: FakePhonePe = {
    server: undefined as unknown as Server,
    seen,
    tokensIssued: 0,
    refunds,
    orders,
    clientId,
    clientSecret,
    webhookUsername,
    webhookPassword,
    apiBase: '',
    webhookUrl: undefined,
    dropWebhooks: false,
    env: () => ({
      PHONEPE_CLIENT_ID: clientId,
      PHONEPE_CLIENT_SECRET: clientSecret,
      PHONEPE_API_BASE: fake.apiBase,
      PHONEPE_WEBHOOK_USERNAME: webhookUsername,
      PHONEPE_WEBHOOK_PASSWORD: webhookPassword,
    }),
    pay(merchantOrderId) {
      const order = orders.get(merchantOrderId);
      if (!order) throw new Error(`fake PhonePe: no order ${merchantOrderId}`);
      const transactionId = `OM${rnd(10)}`;
      order.paymentDetails.push({ paymentMode: 'UPI_QR', transactionId, timestamp: Date.now(), amount: order.amount, state: 'COMPLETED' });
      order.state = 'COMPLETED';
      return { transactionId };
    },
    webhook(event, o, opts = {}) {
      const order = orders.get(o.merchantOrderId);
      const payload: Record<string, unknown> = event.startsWith('pg.refund.')
        ? {
            merchantId: 'FAKEMERCHANT',
            merchantRefundId: `rf_${rnd(6)}`,
            originalMerchantOrderId: o.merchantOrderId,
            refundId: o.refundId ?? `OMR${rnd(10)}`,
            amount: o.amount,
            state: 'COMPLETED',
            timestamp: Date.now(),
            paymentDetails: [{ paymentMode: 'UPI_QR', transactionId: o.transactionId ?? `OM${rnd(10)}`, timestamp: Date.now(), amount: o.amount, state: 'COMPLETED' }],
          }
        : {
            merchantId: 'FAKEMERCHANT',
            merchantOrderId: o.merchantOrderId,
            orderId: order?.orderId ?? `OMO${rnd(10)}`,
            state: event === 'checkout.order.completed' ? 'COMPLETED' : 'FAILED',
            amount: o.amount,
            expireAt: Date.now() + 20 * 60_000,
            metaInfo: {},
            paymentDetails: [
              {
                paymentMode: 'UPI_QR',
                transactionId: o.transactionId ?? `OM${rnd(10)}`,
                timestamp: Date.now(),
                amount: o.amount,
                state: event === 'checkout.order.completed' ? 'COMPLETED' : 'FAILED',
                ...(event === 'checkout.order.failed' ? { errorCode: 'TXN_AUTO_FAILED', detailedErrorCode: 'ZM' } : {}),
              },
            ],
          };
      const body = JSON.stringify({ event, payload });
      const authorization = createHash('sha256').update(opts.forge ? `${webhookUsername}:wrong` : `${webhookUsername}:${webhookPassword}`).digest('hex');
      return { body, headers: { 'content-type': 'application/json', authorization } };
    },
    async deliver(hook) {
      if (!fake.webhookUrl) throw new Error('fake PhonePe: webhookUrl not set');
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
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const error = (status: number, code: string, message: string) => send(status, { code, message, data: {} });

    const page = /^\/hosted\/pay\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (page) return hostedPage(req, res, page[1]!, raw);

    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    let body: Record<string, unknown> = {};
    try {
      body = isForm ? Object.fromEntries(new URLSearchParams(raw)) : (JSON.parse(raw || '{}') as Record<string, unknown>);
    } catch {
      return error(400, 'BAD_REQUEST', 'Invalid JSON');
    }
    seen.push({ method: req.method ?? '', url: url.pathname, authorization: req.headers.authorization, body });
    const prefix = '/apis/pg-sandbox';
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;

    if (req.method === 'POST' && path === '/v1/oauth/token') {
      if (!isForm) return error(400, 'BAD_REQUEST', 'form body expected');
      if (body.client_id !== clientId || body.client_secret !== clientSecret || body.grant_type !== 'client_credentials' || !body.client_version) {
        return error(401, 'INVALID_CLIENT', 'Client authentication failed');
      }
      const token = randomBytes(24).toString('base64url');
      tokens.add(token);
      fake.tokensIssued++;
      const now = Math.floor(Date.now() / 1000);
      return send(200, { access_token: token, encrypted_access_token: token, expires_in: null, issued_at: now, expires_at: now + 3600, session_expires_at: now + 3600, token_type: 'O-Bearer' });
    }
    const auth = /^O-Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth || !tokens.has(auth[1]!)) return error(401, 'UNAUTHORIZED', 'Unauthorized');

    if (req.method === 'POST' && path === '/checkout/v2/pay') {
      const merchantOrderId = String(body.merchantOrderId ?? '');
      const flow = body.paymentFlow as { type?: string; merchantUrls?: { redirectUrl?: string } } | undefined;
      if (!/^[A-Za-z0-9_-]{1,63}$/.test(merchantOrderId)) return error(400, 'BAD_REQUEST', 'merchantOrderId is invalid');
      if (orders.has(merchantOrderId)) return error(400, 'BAD_REQUEST', 'Duplicate merchantOrderId');
      if (typeof body.amount !== 'number' || !Number.isInteger(body.amount) || body.amount < 100) return error(400, 'BAD_REQUEST', 'amount must be at least 100 paise');
      if (flow?.type !== 'PG_CHECKOUT' || !flow.merchantUrls?.redirectUrl) return error(400, 'BAD_REQUEST', 'paymentFlow.merchantUrls.redirectUrl is required');
      const order: FakeOrder = { merchantOrderId, orderId: `OMO${rnd(10)}`, amount: body.amount, state: 'PENDING', redirectUrl: flow.merchantUrls.redirectUrl, paymentDetails: [] };
      orders.set(merchantOrderId, order);
      return send(200, { orderId: order.orderId, state: 'PENDING', expireAt: Date.now() + 20 * 60_000, redirectUrl: `${base}/hosted/pay/${merchantOrderId}` });
    }
    const status = /^\/checkout\/v2\/order\/([^/]+)\/status$/.exec(path);
    if (req.method === 'GET' && status) {
      const order = orders.get(decodeURIComponent(status[1]!));
      if (!order) return error(404, 'ORDER_NOT_FOUND', 'No order found');
      return send(200, { orderId: order.orderId, state: order.state, amount: order.amount, expireAt: Date.now() + 20 * 60_000, metaInfo: {}, paymentDetails: order.paymentDetails });
    }
    if (req.method === 'POST' && path === '/payments/v2/refund') {
      const merchantRefundId = String(body.merchantRefundId ?? '');
      const order = orders.get(String(body.originalMerchantOrderId ?? ''));
      if (!/^[A-Za-z0-9_-]{1,63}$/.test(merchantRefundId)) return error(400, 'BAD_REQUEST', 'merchantRefundId is invalid');
      if (refundsById.has(merchantRefundId)) return error(409, 'DUPLICATE_REQUEST', 'Duplicate merchantRefundId');
      if (!order || order.state !== 'COMPLETED') return error(400, 'BAD_REQUEST', 'Original order is not completed');
      const amount = Number(body.amount);
      const already = refunds.filter((r) => r.originalMerchantOrderId === order.merchantOrderId).reduce((s, r) => s + r.amount, 0);
      if (!Number.isInteger(amount) || amount < 1 || already + amount > order.amount) return error(400, 'BAD_REQUEST', 'Refund amount exceeds the refundable amount');
      const refundId = `OMR${rnd(10)}`;
      refunds.push({ refundId, merchantRefundId, originalMerchantOrderId: order.merchantOrderId, amount });
      const answer = { refundId, amount, state: 'PENDING' };
      refundsById.set(merchantRefundId, { merchantId: 'FAKEMERCHANT', merchantRefundId, originalMerchantOrderId: order.merchantOrderId, amount, state: 'PENDING', refundId, timestamp: Date.now(), paymentDetails: [] });
      return send(200, answer);
    }
    const refundStatus = /^\/payments\/v2\/refund\/([^/]+)\/status$/.exec(path);
    if (req.method === 'GET' && refundStatus) {
      const refund = refundsById.get(decodeURIComponent(refundStatus[1]!));
      return refund ? send(200, refund) : error(404, 'REFUND_NOT_FOUND', 'No refund found');
    }
    error(404, 'NOT_FOUND', 'Not found');
  });

  async function hostedPage(req: IncomingMessage, res: ServerResponse, merchantOrderId: string, raw: string) {
    const order = orders.get(merchantOrderId);
    if (!order) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('no such order');
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width,initial-scale=1"><title>PhonePe (fake)</title></head><body><h1>PhonePe (fake)</h1><p>Rs ${(order.amount / 100).toFixed(2)}</p><form method="post"><button id="pp-pay" name="outcome" value="pay">Pay</button><button id="pp-fail" name="outcome" value="fail">Fail</button></form></body></html>`);
    }
    const outcome = new URLSearchParams(raw).get('outcome');
    let hook: SignedPhonePeWebhook;
    if (outcome === 'pay') {
      const { transactionId } = fake.pay(merchantOrderId);
      hook = fake.webhook('checkout.order.completed', { merchantOrderId, amount: order.amount, transactionId });
    } else {
      order.state = 'FAILED';
      hook = fake.webhook('checkout.order.failed', { merchantOrderId, amount: order.amount });
    }
    if (!fake.dropWebhooks && fake.webhookUrl) await fake.deliver(hook).catch(() => undefined);
    res.writeHead(303, { location: order.redirectUrl });
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.server = server;
  fake.apiBase = `${base}/apis/pg-sandbox`;
  return fake;
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
