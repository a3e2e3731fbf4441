import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { buildWebhook } from '../src/payments/webhook.js';
import { requirePostgresUrl, requireRedisUrl } from './support/services.js';
import type { Db } from '../src/db/database.js';
import type { SeedResult } from '../src/seed/seed.service.js';
import type { FakeRazorpay } from './support/fake-razorpay.js';
import { startRazorpayPair, type RazorpayPair } from './support/razorpay-pair.js';
import type { TestApp } from './support/test-app.js';
import { ApiClient } from './support/venue.js';

const redisUrl = await requireRedisUrl();
const databaseUrl = await requirePostgresUrl();

/**
 * Issue 13: partial refunds racing — dozens of parallel refund requests spread over two
 * `scan2food serve` processes on one PostgreSQL, refunding through Razorpay's partial refund API
 * (faked on 127.0.0.1, refusing refunds beyond the capture as Razorpay does). Their sum never
 * exceeds what was paid, and each accepted one has its own credit note.
 */
if (redisUrl && databaseUrl) {
  describe('partial refunds racing over two processes on PostgreSQL', () => {
    const schema = `t_rr_${process.pid}_${randomUUID().slice(0, 8)}`;
    const secret = generateSecret();
    let razorpay: FakeRazorpay;
    let db: Db;
    let seeded: SeedResult;
    const staff: ApiClient[] = [];
    const app = (i: number): TestApp => pair!.app(i);
    const galaxy = () => seeded.theatres[0]!;
    let phone = 9_700_000_000;

    let pair: RazorpayPair | undefined;
    beforeAll(async () => {
      pair = await startRazorpayPair({ databaseUrl, redisUrl, schema, webhookSecret: secret });
      ({ razorpay, db, seeded } = pair);
      staff.push(...pair.staff);
    }, 60_000);
    afterAll(() => pair?.close());

    /** An online order of `quantity` popcorns paid through Razorpay (a signed capture). */
    async function paidOrder(quantity: number) {
      const item = galaxy().menu[0]!.items[0]!;
      const placed = await new ApiClient(app(0)).call('POST', '/api/orders', {
        seatId: galaxy().halls[0]!.rows[0]!.seats[0]!.id,
        items: [{ itemId: item.id, quantity }],
        phone: String(phone++),
        paymentMethod: 'online',
      });
      expect(placed.status).toBe(201);
      const order = placed.body.order as { id: number; amount: number };
      const started = await new ApiClient(app(1), placed.body.orderToken).call('POST', `/api/orders/${order.id}/payments`);
      expect(started.status).toBe(201);
      const paymentId = `pay_${randomUUID().replace(/-/g, '').slice(0, 14)}`;
      razorpay.captured.set(paymentId, order.amount);
      const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: started.body.gatewayOrderId, gatewayPaymentId: paymentId, amount: order.amount, secret, eventId: `evt_${randomUUID()}`, at: new Date() });
      const r = await fetch(app(0).http('/api/payments/webhook'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId },
        body: hook.rawBody,
      });
      expect(r.status).toBe(200);
      return { ...order, paymentId };
    }

    const refundsOf = (orderId: number) =>
      db.db.selectFrom('refunds').select(['amount', 'status', 'credit_note_number']).where('order_id', '=', orderId).orderBy('id').execute();

    it('48 parallel partial refunds on two processes: exactly what was paid goes back, never more, each with its credit note', async () => {
      const o = await paidOrder(1);
      const each = 1_000;
      const answers = await Promise.all(Array.from({ length: 48 }, (_, i) => staff[i % 2]!.call('POST', `/api/orders/${o.id}/refund`, { amount: each })));
      const fits = Math.floor(o.amount / each);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(fits);
      // Beyond what remains: 422 while the order is still partly paid, 409 once it is refunded in full.
      expect(answers.filter((a) => a.status !== 200 && a.status !== 422 && a.status !== 409)).toEqual([]);
      const atGateway = razorpay.refunds.filter((r) => r.paymentId === o.paymentId);
      expect(atGateway.reduce((s, r) => s + r.amount, 0)).toBe(fits * each);
      const rows = await refundsOf(o.id);
      expect(rows.filter((r) => r.status === 'processed')).toHaveLength(fits);
      expect(new Set(rows.map((r) => r.credit_note_number)).size).toBe(fits);
      const final = await db.db.selectFrom('orders').select(['status', 'payment_status', 'refunded_amount']).where('id', '=', o.id).executeTakeFirstOrThrow();
      expect(final).toEqual({ status: 'refunded', payment_status: 'refunded', refunded_amount: o.amount });
    }, 60_000);

    it('parallel refunds of mixed amounts and "what remains" on two processes never exceed the capture', async () => {
      const o = await paidOrder(2);
      const asks = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? {} : { amount: 7_000 + i }));
      const answers = await Promise.all(asks.map((body, i) => staff[i % 2]!.call('POST', `/api/orders/${o.id}/refund`, body)));
      expect(answers.every((a) => [200, 409, 422].includes(a.status))).toBe(true);
      const sum = razorpay.refunds.filter((r) => r.paymentId === o.paymentId).reduce((s, r) => s + r.amount, 0);
      expect(sum).toBeLessThanOrEqual(o.amount);
      const rows = await refundsOf(o.id);
      expect(rows.reduce((s, r) => s + r.amount, 0)).toBe(sum);
      const final = await db.db.selectFrom('orders').select(['refunded_amount']).where('id', '=', o.id).executeTakeFirstOrThrow();
      expect(final.refunded_amount).toBe(sum);
      // Whatever is left can still be refunded, exactly once.
      if (sum < o.amount) {
        expect((await staff[0]!.call('POST', `/api/orders/${o.id}/refund`)).status).toBe(200);
        expect((await staff[1]!.call('POST', `/api/orders/${o.id}/refund`)).status).toBe(409);
      }
      expect(razorpay.refunds.filter((r) => r.paymentId === o.paymentId).reduce((s, r) => s + r.amount, 0)).toBe(o.amount);
    }, 60_000);
  });
}
