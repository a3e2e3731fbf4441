import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { buildWebhook, type WebhookEventName } from '../src/payments/webhook.js';
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
 * Issue 10, findings 2, 4, 6: the races that lost money-related updates, reproduced the way
 * they were found — dozens of parallel requests spread over two `scan2food serve` processes on
 * one PostgreSQL and one Redis, with Razorpay faked on 127.0.0.1 in its wire format.
 */
if (redisUrl && databaseUrl) {
  describe('payment races over two processes on PostgreSQL and Redis', () => {
    const schema = `t_pr_${process.pid}_${randomUUID().slice(0, 8)}`;
    const secret = generateSecret();
    let razorpay: FakeRazorpay;
    let db: Db;
    let seeded: SeedResult;
    const staff: ApiClient[] = [];
    const app = (i: number): TestApp => pair!.app(i);
    const galaxy = () => seeded.theatres[0]!;
    let phone = 9_800_000_000;

    let pair: RazorpayPair | undefined;
    beforeAll(async () => {
      pair = await startRazorpayPair({ databaseUrl, redisUrl, schema, webhookSecret: secret });
      ({ razorpay, db, seeded } = pair);
      staff.push(...pair.staff);
    }, 60_000);
    afterAll(() => pair?.close());

    /** A placed online order with a started Razorpay payment. */
    async function startedOrder() {
      const item = galaxy().menu[0]!.items[0]!;
      const placed = await new ApiClient(app(0)).call('POST', '/api/orders', {
        seatId: galaxy().halls[0]!.rows[0]!.seats[0]!.id,
        items: [{ itemId: item.id, quantity: 1 }],
        phone: String(phone++),
        paymentMethod: 'online',
      });
      expect(placed.status).toBe(201);
      const started = await new ApiClient(app(1), placed.body.orderToken).call('POST', `/api/orders/${placed.body.order.id}/payments`);
      expect(started.status).toBe(201);
      return { id: placed.body.order.id as number, amount: placed.body.order.amount as number, gatewayOrderId: started.body.gatewayOrderId as string };
    }

    function webhook(i: number, event: WebhookEventName, o: { gatewayOrderId: string; amount: number }, gatewayPaymentId: string, refundId?: string) {
      const hook = buildWebhook({ event, gatewayOrderId: o.gatewayOrderId, gatewayPaymentId, amount: o.amount, secret, eventId: `evt_${randomUUID()}`, at: new Date(), ...(refundId ? { refundId } : {}) });
      return fetch(app(i).http('/api/payments/webhook'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId },
        body: hook.rawBody,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { status: string } }));
    }

    const orderEvents = async (orderId: number) =>
      (await db.db.selectFrom('stream_events').select(['type', 'data']).where('stream', '=', `theatre:${galaxy().id}`).orderBy('seq').execute())
        .filter((e) => (JSON.parse(e.data as unknown as string) as { order: { id: number } }).order.id === orderId)
        .map((e) => e.type);
    const row = (orderId: number) => db.db.selectFrom('orders').select(['status', 'payment_status']).where('id', '=', orderId).executeTakeFirstOrThrow();

    /** Waits (with a deadline, no fixed sleep) until `check` holds. */
    async function eventually<T>(check: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await check();
        if (ok(v) || Date.now() > deadline) return v;
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    it('40 staff cancels racing a signed capture: one cancel wins, the events tell the final state, money taken late goes back once', async () => {
      for (let round = 0; round < 3; round++) {
        const o = await startedOrder();
        const [capture, ...cancels] = await Promise.all([
          webhook(round, 'payment.captured', o, `pay_${randomUUID().slice(0, 12)}`),
          ...Array.from({ length: 40 }, (_, i) => staff[i % 2]!.call('POST', `/api/orders/${o.id}/cancel`)),
        ]);
        expect(capture).toMatchObject({ status: 200, body: { status: 'processed' } });
        expect(cancels.filter((c) => c.status === 200)).toHaveLength(1);
        expect(cancels.filter((c) => c.status !== 200).map((c) => c.status)).toEqual(Array(39).fill(409));
        const types = await orderEvents(o.id);
        const final = await row(o.id);
        expect(final.status).toBe('cancelled');
        if (types[0] === 'order.confirmed') {
          expect(types).toEqual(['order.confirmed', 'order.cancelled']);
          expect(final.payment_status).toBe('success');
        } else {
          expect(types).toEqual(['order.cancelled']);
          const refunded = await eventually(() => row(o.id), (r) => r.payment_status === 'refunded');
          expect(refunded.payment_status).toBe('refunded');
          expect(razorpay.refunds.filter((r) => r.paymentId === razorpay.refunds.at(-1)!.paymentId)).toHaveLength(1);
        }
      }
    });

    it('6 parallel captures with distinct event ids confirm the order once', async () => {
      const o = await startedOrder();
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => webhook(i, 'payment.captured', o, 'pay_same_capture')));
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
      expect(results.filter((r) => r.body.status === 'processed')).toHaveLength(1);
      expect(await orderEvents(o.id)).toEqual(['order.confirmed']);
    });

    it('30 parallel staff refunds over both processes: one gateway refund, one 200, the rest 409', async () => {
      const o = await startedOrder();
      const paymentId = `pay_${randomUUID().slice(0, 12)}`;
      expect((await webhook(0, 'payment.captured', o, paymentId)).body.status).toBe('processed');
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => staff[i % 2]!.call('POST', `/api/orders/${o.id}/refund`)));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.status !== 200).map((a) => a.status)).toEqual(Array(29).fill(409));
      expect(razorpay.refunds.filter((r) => r.paymentId === paymentId)).toHaveLength(1);
      expect(await orderEvents(o.id)).toEqual(['order.confirmed', 'order.refunded']);
    });

    it('a staff refund racing two refund.processed webhooks: order.refunded once', async () => {
      const o = await startedOrder();
      const paymentId = `pay_${randomUUID().slice(0, 12)}`;
      expect((await webhook(0, 'payment.captured', o, paymentId)).body.status).toBe('processed');
      const answers = await Promise.all([
        staff[0]!.call('POST', `/api/orders/${o.id}/refund`),
        webhook(1, 'refund.processed', o, paymentId, 'rfnd_from_dashboard'),
        webhook(0, 'refund.processed', o, paymentId, 'rfnd_from_dashboard'),
      ]);
      // The staff refund answers 200, or 409 when a webhook already recorded the order refunded.
      expect([200, 409]).toContain(answers[0]!.status);
      expect(answers.slice(1).map((a) => a.status)).toEqual([200, 200]);
      expect(await orderEvents(o.id)).toEqual(['order.confirmed', 'order.refunded']);
      expect(await row(o.id)).toEqual({ status: 'refunded', payment_status: 'refunded' });
    });
  });
}
