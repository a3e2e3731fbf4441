import { randomBytes } from 'node:crypto';
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
  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
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
      return send(200, {
        id: id('order'), entity: 'order', amount: body.amount, amount_paid: 0, amount_due: body.amount, currency: body.currency,
        receipt: body.receipt, offer_id: null, status: 'created', attempts: 0, notes: [], created_at: Math.floor(Date.now() / 1000),
      });
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    server, seen, refunds, captured, keyId, keySecret, apiBase,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
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
