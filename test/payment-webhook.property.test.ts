import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { buildWebhook, signWebhook } from '../src/payments/webhook.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { seedVenue, type Venue, ApiClient } from './support/venue.js';

/**
 * Property: whatever a holder of the webhook secret posts (a gateway gone wrong, or a leaked
 * secret), the payment webhook answers 200 or 400 with the documented body — never a 500 — and
 * a body that is not a valid event for a known payment changes no order or payment. Run on
 * SQLite and on PostgreSQL (NUL in a text parameter is an error there, not on SQLite).
 */
const hostileString = fc.oneof(
  fc.string(),
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '__proto__', 'constructor', '💳'.repeat(1000), 'order_'.padEnd(70_000, 'z')),
  fc.string({ unit: 'binary' }),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -0, 0.5, Number.MAX_SAFE_INTEGER + 2),
  fc.double(),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.constant(null), fc.boolean(), fc.jsonValue({ maxDepth: 3 }));

/** Nested `depth` deep in arrays. */
const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const engines: Array<{ name: string; env: () => Promise<Record<string, string>>; cleanup?: (env: Record<string, string>) => Promise<void> }> = [
  { name: 'sqlite', env: async () => ({}) },
];
if (process.env.DATABASE_URL) {
  const url = process.env.DATABASE_URL;
  engines.push({
    name: 'postgres',
    env: async () => ({ DATABASE_URL: url, DATABASE_SCHEMA: `t_whp_${process.pid}_${randomUUID().slice(0, 8)}` }),
    cleanup: async (env) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${env.DATABASE_SCHEMA}" CASCADE`);
      await c.end();
    },
  });
} else if (process.env.CI) {
  throw new Error('CI is set and DATABASE_URL is not: the webhook properties must run on PostgreSQL too');
}

describe.each(engines)('payment webhook decoder on $name', (engine) => {
  const secret = generateSecret();
  let t: TestApp;
  let v: Venue;
  let env: Record<string, string>;
  let pending: { orderId: number; gatewayOrderId: string; amount: number };

  beforeAll(async () => {
    env = await engine.env();
    t = await startTestApp({ ...env, PAYMENT_WEBHOOK_SECRET: secret, AUTH_FAIL_LIMIT: '1000' });
    v = await seedVenue(t);
    const placed = await new ApiClient(t).call('POST', '/api/orders', {
      seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Salted Popcorn'), quantity: 1 }], phone: '9876543210', paymentMethod: 'online',
    });
    const started = await new ApiClient(t, placed.body.orderToken).call('POST', `/api/orders/${placed.body.order.id}/payments`);
    pending = { orderId: placed.body.order.id, gatewayOrderId: started.body.gatewayOrderId, amount: started.body.amount };
  });
  afterAll(async () => {
    await t?.close();
    await engine.cleanup?.(env);
  });

  const post = (raw: string, signature = signWebhook(raw, secret), eventId = `evt_${randomUUID()}`) =>
    fetch(t.http('/api/payments/webhook'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-razorpay-signature': signature, 'x-razorpay-event-id': eventId },
      body: raw,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const state = async () => ({
    orders: await t.app.db.selectFrom('orders').select(['id', 'status', 'payment_status']).orderBy('id').execute(),
    payments: await t.app.db.selectFrom('payments').select(['id', 'status', 'gateway_payment_id']).orderBy('id').execute(),
  });
  const documented = (r: { status: number; body: Record<string, unknown> }) => {
    if (r.status === 200) return expect(['processed', 'duplicate', 'ignored']).toContain(r.body.status);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'bad_request', message: expect.any(String) } });
  };

  it('answers arbitrary signed JSON with 200 or 400 and changes nothing', async () => {
    const before = await state();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.dictionary(hostileString, hostileValue)), async (body) => {
        documented(await post(JSON.stringify(body)));
      }),
      { numRuns: 60 },
    );
    for (const raw of ['', 'not json', '{"event":', deep(5_000), `{"__proto__":{"event":"payment.captured"},"payload":{}}`]) documented(await post(raw));
    expect(await state()).toEqual(before);
  });

  it('answers a real event with any field made hostile with 200 or 400, and never confirms the order with it', async () => {
    const before = await state();
    const fields = ['id', 'order_id', 'amount', 'currency', 'status', 'event'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), hostileValue, async (field, value) => {
        const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: pending.gatewayOrderId, gatewayPaymentId: 'pay_prop', amount: pending.amount, secret, eventId: 'x', at: new Date() });
        const body = JSON.parse(hook.rawBody) as { event: unknown; payload: { payment: { entity: Record<string, unknown> } } };
        if (field === 'event') body.event = value;
        else body.payload.payment.entity[field] = value;
        // Keep only mutations that break the event: a valid one would rightly confirm the order.
        const unchanged = field === 'id' ? typeof value === 'string' : field === 'status' ? typeof value === 'string' : false;
        fc.pre(!unchanged && !(field === 'event' && value === 'payment.captured') && !(field === 'currency' && value === 'INR') && !(field === 'amount' && value === pending.amount) && !(field === 'order_id' && value === pending.gatewayOrderId));
        documented(await post(JSON.stringify(body)));
      }),
      { numRuns: 80 },
    );
    expect(await state()).toEqual(before);
  });

  it('a bad signature of any shape is 400 and changes nothing', async () => {
    const before = await state();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), fc.constantFrom('', 'sha256=', '0'.repeat(64))), async (signature) => {
        const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: pending.gatewayOrderId, gatewayPaymentId: 'pay_sig', amount: pending.amount, secret, eventId: 'x', at: new Date() });
        fc.pre(signature !== hook.signature && !/[\r\n\u0000-\u001f\u007f-\uffff]/.test(signature));
        const r = await post(hook.rawBody, signature);
        expect(r.status).toBe(400);
      }),
      { numRuns: 40 },
    );
    expect(await state()).toEqual(before);
  });
});
