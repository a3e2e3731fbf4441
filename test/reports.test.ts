import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { buildWebhook } from '../src/payments/webhook.js';
import { appEngines } from './support/app-engines.js';
import type { TestApp } from './support/test-app.js';
import { ApiClient, ROOMY_GUEST_LIMITS, startVenueWorld, type Venue } from './support/venue.js';

const engines = await appEngines();

/** SPEC §6 "Feedback" and "Reports" over HTTP, on every database engine. */
for (const engine of engines) {
  describe(`feedback and sales reports over HTTP on ${engine.name}`, () => {
    const secret = generateSecret();
    let t: TestApp, v: Venue, staff1: ApiClient, staff2: ApiClient, admin: ApiClient;
    const today = () => new Date(Date.now() + 330 * 60_000).toISOString().slice(0, 10);

    beforeAll(async () => {
      ({ t, v, staff1, staff2, admin } = await startVenueWorld({ ...engine.env(), ...ROOMY_GUEST_LIMITS, PAYMENT_WEBHOOK_SECRET: secret }));
      await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { taxes: [{ name: 'CGST', rate: 2.5 }, { name: 'SGST', rate: 2.5 }], discountPercent: 10 });
    });
    afterAll(async () => {
      await t?.close();
      await engine.cleanup();
    });

    const placeCash = async (quantity = 1) => {
      const r = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Salted Popcorn'), quantity }], phone: '+919876543210', paymentMethod: 'cash' });
      expect(r.status).toBe(201);
      return { id: r.body.order.id as number, order: r.body.order, guest: new ApiClient(t, r.body.orderToken) };
    };
    const payOnline = async () => {
      const placed = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat2, items: [{ itemId: v.item(v.theatre2, 'Cold Coffee'), quantity: 1 }], phone: '+919876543210', paymentMethod: 'online' });
      const guest = new ApiClient(t, placed.body.orderToken);
      const id = placed.body.order.id as number;
      const payment = await guest.call('POST', `/api/orders/${id}/payments`);
      const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: payment.body.gatewayOrderId, gatewayPaymentId: `pay_${randomUUID().slice(0, 8)}`, amount: placed.body.order.total, secret, eventId: `evt_${randomUUID()}`, at: new Date() });
      const res = await fetch(t.http('/api/payments/webhook'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId }, body: hook.rawBody });
      expect(res.status).toBe(200);
      return { id, guest };
    };

    it('a guest rates a delivered order once: 409 before delivery (paid or not) and a second time', async () => {
      const cash = await placeCash();
      expect((await cash.guest.call('POST', `/api/orders/${cash.id}/feedback`, { rating: 5 })).status).toBe(409);
      const paid = await payOnline();
      expect((await paid.guest.call('GET', `/api/orders/${paid.id}`)).body.order.paymentStatus).toBe('success');
      const early = await paid.guest.call('POST', `/api/orders/${paid.id}/feedback`, { rating: 5 });
      expect(early.status).toBe(409);
      expect(early.body.error.code).toBe('conflict');

      expect((await staff1.call('POST', `/api/orders/${cash.id}/deliver`)).status).toBe(200);
      const rated = await cash.guest.call('POST', `/api/orders/${cash.id}/feedback`, { rating: 4, comment: 'Hot popcorn,\nquick service' });
      expect(rated.status).toBe(201);
      expect(rated.body).toEqual({ feedback: { orderId: cash.id, rating: 4, comment: 'Hot popcorn,\nquick service', at: expect.any(String) } });
      const again = await cash.guest.call('POST', `/api/orders/${cash.id}/feedback`, { rating: 1 });
      expect(again.status).toBe(409);
    });

    it('refuses a bad rating or comment (400), another order’s token (404) and no token (401)', async () => {
      const o = await placeCash();
      await staff1.call('POST', `/api/orders/${o.id}/deliver`);
      for (const body of [{ rating: 0 }, { rating: 6 }, { rating: 4.5 }, {}, { rating: 3, comment: 'x'.repeat(501) }, { rating: 3, comment: 'bad\u0000' }, { rating: 3, extra: 1 }]) {
        expect((await o.guest.call('POST', `/api/orders/${o.id}/feedback`, body)).status, JSON.stringify(body)).toBe(400);
      }
      const other = await placeCash();
      expect((await other.guest.call('POST', `/api/orders/${o.id}/feedback`, { rating: 3 })).status).toBe(404);
      expect((await new ApiClient(t).call('POST', `/api/orders/${o.id}/feedback`, { rating: 3 })).status).toBe(401);
      expect((await staff1.call('POST', `/api/orders/${o.id}/feedback`, { rating: 3 })).status).toBe(401);
    });

    it('two ratings posted at once: exactly one 201, the other 409', async () => {
      for (let round = 0; round < 3; round++) {
        const o = await placeCash();
        await staff1.call('POST', `/api/orders/${o.id}/deliver`);
        const answers = await Promise.all([1, 2, 3, 4].map((rating) => o.guest.call('POST', `/api/orders/${o.id}/feedback`, { rating })));
        expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
      }
    });

    it('staff of the theatre and admins read the feedback, newest first, with count and average (two decimals); others 404', async () => {
      const list = await staff1.call('GET', `/api/theatres/${v.theatre1.id}/feedback`);
      expect(list.status).toBe(200);
      const { count, feedback } = list.body;
      expect(count).toBe(feedback.length);
      expect(count).toBeGreaterThanOrEqual(4);
      const sum = feedback.reduce((s: number, f: { rating: number }) => s + f.rating, 0);
      expect(list.body.average).toBe(Math.round((sum * 100) / count) / 100);
      expect(feedback[feedback.length - 1]).toMatchObject({ rating: 4, comment: 'Hot popcorn,\nquick service' });
      expect(list.body.nextBefore).toBeNull();
      const page = await admin.call('GET', `/api/theatres/${v.theatre1.id}/feedback?limit=1`);
      expect(page.body.feedback).toEqual([feedback[0]]);
      const next = await admin.call('GET', `/api/theatres/${v.theatre1.id}/feedback?limit=1&before=${page.body.nextBefore}`);
      expect(next.body.feedback).toEqual([feedback[1]]);
      expect((await staff2.call('GET', `/api/theatres/${v.theatre1.id}/feedback`)).status).toBe(404);
      expect((await admin.call('GET', '/api/theatres/999999/feedback')).status).toBe(404);
      expect((await new ApiClient(t).call('GET', `/api/theatres/${v.theatre1.id}/feedback`)).status).toBe(401);
      expect((await staff2.call('GET', `/api/theatres/${v.theatre2.id}/feedback`)).body).toEqual({ count: 0, average: null, feedback: [], nextBefore: null });
    });

    it('the sales report counts today’s orders with their discount and taxes; staff see their theatre only', async () => {
      const day = today();
      const before = (await staff1.call('GET', `/api/reports/sales?from=${day}&to=${day}&groupBy=day`)).body;
      const a = await placeCash(2);
      const b = await placeCash(3);
      const cancelled = await placeCash(1);
      await staff1.call('POST', `/api/orders/${a.id}/deliver`);
      await staff1.call('POST', `/api/orders/${cancelled.id}/cancel`);
      // The report sums the figures the orders carry: total, discount and Σ taxes.
      const tax = (o: { taxes: Array<{ amount: number }> }) => o.taxes.reduce((s, x) => s + x.amount, 0);
      expect(tax(a.order)).toBeGreaterThan(0);
      const r = await staff1.call('GET', `/api/reports/sales?from=${day}&to=${day}&groupBy=day`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ from: day, to: day, groupBy: 'day' });
      const added = (f: string) => r.body.totals[f] - before.totals[f];
      expect([added('orders'), added('gross'), added('discount'), added('tax'), added('refunds')]).toEqual([
        2,
        a.order.total + b.order.total,
        a.order.discount + b.order.discount,
        tax(a.order) + tax(b.order),
        0,
      ]);
      expect(r.body.rows).toEqual([{ key: day, ...Object.fromEntries(Object.entries(r.body.totals).filter(([k]) => k !== 'avgDeliveryMinutes')) }]);
      expect(r.body.totals.avgDeliveryMinutes).toEqual(expect.any(Number));

      expect((await staff1.call('GET', `/api/reports/sales?from=${day}&to=${day}&theatreId=${v.theatre2.id}`)).status).toBe(404);
      expect((await staff1.call('GET', `/api/reports/sales?from=${day}&to=${day}&theatreId=${v.theatre1.id}`)).status).toBe(200);
      const byTheatre = await admin.call('GET', `/api/reports/sales?from=${day}&to=${day}&groupBy=theatre`);
      expect(byTheatre.body.rows.map((row: { key: string }) => row.key)).toEqual([String(v.theatre1.id), String(v.theatre2.id)]);
      const items = await admin.call('GET', `/api/reports/sales?from=${day}&to=${day}&groupBy=item&theatreId=${v.theatre1.id}`);
      expect(items.body.rows[0]).toMatchObject({ key: 'Salted Popcorn', itemId: v.item(v.theatre1, 'Salted Popcorn') });
      expect(items.body.totals).toEqual({ quantity: items.body.rows[0].quantity, gross: items.body.rows[0].gross });
      expect((await new ApiClient(t).call('GET', `/api/reports/sales?from=${day}&to=${day}`)).status).toBe(401);
    });

    it('refuses a range over 366 days counting both ends, or backwards (422), and a bad date or groupBy (400)', async () => {
      expect((await admin.call('GET', '/api/reports/sales?from=2025-01-01&to=2026-01-01')).status).toBe(200);
      const long = await admin.call('GET', '/api/reports/sales?from=2025-01-01&to=2026-01-02');
      expect(long.status).toBe(422);
      expect(long.body.error.message).toMatch(/366/);
      expect((await admin.call('GET', '/api/reports/sales?from=2026-02-02&to=2026-02-01')).status).toBe(422);
      for (const q of ['from=2026-02-30&to=2026-03-01', 'from=2026-02-01', 'from=2026-02-01&to=2026-02-02&groupBy=week', 'from=2026-02-01&to=2026-02-02&theatreId=0']) {
        expect((await admin.call('GET', `/api/reports/sales?${q}`)).status, q).toBe(400);
      }
    });

    it('answers CSV for Accept: text/csv or format=csv: the same columns, rupees with two decimals', async () => {
      const day = today();
      const json = (await staff1.call('GET', `/api/reports/sales?from=${day}&to=${day}&groupBy=paymentMethod`)).body;
      const res = await fetch(t.http(`/api/reports/sales?from=${day}&to=${day}&groupBy=paymentMethod`), { headers: { cookie: staff1.cookie, accept: 'text/csv' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('vary')).toMatch(/accept/i);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="sales-.+\.csv"$/);
      const rupees = (p: number) => (p / 100).toFixed(2);
      const expected = ['key,orders,gross,discount,tax,refunds,net', ...json.rows.map((r: any) => [r.key, r.orders, rupees(r.gross), rupees(r.discount), rupees(r.tax), rupees(r.refunds), rupees(r.net)].join(','))];
      expect(await res.text()).toBe(expected.join('\r\n') + '\r\n');
      const viaQuery = await fetch(t.http(`/api/reports/sales?from=${day}&to=${day}&groupBy=item&format=csv`), { headers: { cookie: staff1.cookie } });
      const lines = (await viaQuery.text()).trimEnd().split('\r\n');
      expect(lines[0]).toBe('key,itemId,quantity,gross');
      expect(lines[1]).toMatch(/^Salted Popcorn,\d+,\d+,\d+\.\d{2}$/);
    });
  });
}
