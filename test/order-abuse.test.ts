import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appEngines } from './support/app-engines.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, LOGINS, seedVenue, startVenueWorld, type Venue } from './support/venue.js';

/*
 * Issue 10, findings 10 and 12 over HTTP: hostile text, huge totals and repeated lines (PostgreSQL
 * is where NUL and 2^31 gave 500), open cash orders per phone and per address, and the rate limits
 * on anonymous ordering and payment starts.
 */
const engines = await appEngines();
const phoneNo = (i: number) => `+9198765${String(i).padStart(5, '0')}`;
const INT32_MAX = 2 ** 31 - 1;

/** How many answers of each kind: `201`, `422 cash_limit_reached`, ... */
function tally(answers: Array<{ status: number; body: any }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of answers) {
    const kind = r.status === 201 ? '201' : `${r.status} ${r.body.error.code}`;
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}

async function countOrders(t: TestApp): Promise<number> {
  const row = await t.app.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const engine of engines) {
  describe(`hostile order bodies on ${engine.name}`, () => {
    let t: TestApp, v: Venue, staff1: ApiClient;
    const guest = () => new ApiClient(t);
    const order = (extra: Record<string, unknown> = {}) => ({
      seatId: v.seat1,
      items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }],
      phone: phoneNo(1),
      paymentMethod: 'online',
      ...extra,
    });

    beforeAll(async () => {
      // A raised total cap, so a 64-bit total can be stored and read back.
      ({ t, v, staff1 } = await startVenueWorld({ ...engine.env(), MAX_ORDER_TOTAL_PAISE: '10000000000', ORDERS_PER_PHONE: '1000' }));
    });
    afterAll(async () => {
      await t?.close();
      await engine.cleanup();
    });

    it('refuses NUL, other control characters and lone surrogates in notes and phone with 400, storing nothing', async () => {
      const before = await countOrders(t);
      for (const body of [order({ notes: 'no onions\u0000' }), order({ notes: 'a\u001bb' }), order({ notes: 'x\ud800y' }), order({ phone: '98765\u000043210' })]) {
        const r = await guest().call('POST', '/api/orders', body);
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('validation_failed');
      }
      expect(await countOrders(t)).toBe(before);
      const ok = await guest().call('POST', '/api/orders', order({ notes: 'no onions\nextra napkins\tplease' }));
      expect(ok.status).toBe(201);
    });

    it('merges repeated lines of one item (quantities summed) and refuses more than 20 of an item with 400', async () => {
      const chai = v.item(v.theatre1, 'Masala Chai');
      const merged = await guest().call('POST', '/api/orders', order({ items: [{ itemId: chai, quantity: 2 }, { itemId: v.item(v.theatre1, 'Veg Samosa'), quantity: 1 }, { itemId: chai, quantity: 3 }] }));
      expect(merged.status).toBe(201);
      expect(merged.body.order.items.map((i: any) => [i.itemId, i.quantity])).toEqual([[chai, 5], [v.item(v.theatre1, 'Veg Samosa'), 1]]);
      expect(merged.body.order.amount).toBe(5 * 6000 + 8000);

      const before = await countOrders(t);
      const fifty = await guest().call('POST', '/api/orders', order({ items: Array.from({ length: 50 }, () => ({ itemId: chai, quantity: 20 })) }));
      expect(fifty.status).toBe(400);
      expect(fifty.body.error.code).toBe('validation_failed');
      expect(fifty.body.error.message).toMatch(/at most 20/);
      expect(await countOrders(t)).toBe(before);
    });

    it('refuses more than the total units cap per order with 400', async () => {
      const admin = await ApiClient.login(t, LOGINS.admin);
      const categoryId = (await admin.call('GET', `/api/theatres/${v.theatre1.id}/menu`)).body.categories[0].id;
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await admin.call('POST', `/api/menu-categories/${categoryId}/items`, { name: `Combo ${i}`, price: 100, maxTime: 5, available: true });
        expect(r.status).toBe(201);
        ids.push(r.body.item.id);
      }
      const r = await guest().call('POST', '/api/orders', order({ items: ids.map((itemId) => ({ itemId, quantity: 20 })) }));
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/at most 100 units/);
    });

    it('stores totals above 2^31-1 paise in 64 bits, reads them back as numbers, and caps the total with 422', async () => {
      const popcorn = await t.app.db.selectFrom('menu_items').select('category_id').where('id', '=', v.item(v.theatre1, 'Salted Popcorn')).executeTakeFirstOrThrow();
      const { id: goldId } = await t.app.db
        .insertInto('menu_items')
        .values({ category_id: popcorn.category_id, name: 'Gold Box', price: 3_000_000_000, available: 1, max_time: 5, position: 99 })
        .returning('id')
        .executeTakeFirstOrThrow();
      const big = await guest().call('POST', '/api/orders', order({ items: [{ itemId: goldId, quantity: 1 }, { itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }] }));
      expect(big.status).toBe(201);
      expect(big.body.order.amount).toBe(3_000_006_000);
      expect(big.body.order.amount).toBeGreaterThan(INT32_MAX);
      const read = await new ApiClient(t, big.body.orderToken).call('GET', `/api/orders/${big.body.order.id}`);
      expect(read.body.order.amount).toBe(3_000_006_000);
      expect(read.body.order.items[0]).toMatchObject({ itemId: goldId, price: 3_000_000_000 });
      const pay = await new ApiClient(t, big.body.orderToken).call('POST', `/api/orders/${big.body.order.id}/payments`);
      expect(pay.status).toBe(201);
      expect(pay.body.amount).toBe(3_000_006_000);
      const live = await staff1.call('GET', `/api/theatres/${v.theatre1.id}/menu`);
      expect(JSON.stringify(live.body)).toContain('3000000000');

      const before = await countOrders(t);
      const over = await guest().call('POST', '/api/orders', order({ items: [{ itemId: goldId, quantity: 4 }] }));
      expect(over.status).toBe(422);
      expect(over.body.error.code).toBe('unprocessable');
      expect(over.body.error.message).toMatch(/at most Rs 10,00,00,000\.00|at most Rs 100000000\.00/);
      expect(await countOrders(t)).toBe(before);
    });

    it('limits open cash orders per phone: a fourth is 422 cash_limit_reached, online still works, delivery frees a slot', async () => {
      const cash = (phone: string) => guest().call('POST', '/api/orders', order({ phone, paymentMethod: 'cash' }));
      const placed = [];
      for (let i = 0; i < 3; i++) placed.push(await cash(phoneNo(500)));
      expect(placed.map((r) => r.status)).toEqual([201, 201, 201]);
      const fourth = await cash(phoneNo(500));
      expect(fourth.status).toBe(422);
      expect(fourth.body.error.code).toBe('cash_limit_reached');
      expect((await guest().call('POST', '/api/orders', order({ phone: phoneNo(500) }))).status).toBe(201);
      expect((await cash(phoneNo(501))).status).toBe(201);
      await staff1.call('POST', `/api/orders/${placed[0]!.body.order.id}/deliver`);
      expect((await cash(phoneNo(500))).status).toBe(201);
    });
  });

  describe(`the attack as found, with the default limits, on ${engine.name}`, () => {
    it('200 cash orders from one address at once: one phone gets 3, invented phones get 30 between them', async () => {
      const t = await startTestApp(engine.env());
      try {
        const v = await seedVenue(t, 1000);
        const cash = (phone: string) =>
          new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone, paymentMethod: 'cash' });
        const samePhone = await Promise.all(Array.from({ length: 200 }, () => cash(phoneNo(800))));
        expect(tally(samePhone)).toEqual({ '201': 3, '422 cash_limit_reached': 7, '429 rate_limited': 190 });
        const invented = await Promise.all(Array.from({ length: 200 }, (_, i) => cash(phoneNo(2000 + i))));
        // 3 of this address's open cash orders are the same-phone ones above.
        expect(tally(invented)).toEqual({ '201': 27, '422 cash_limit_reached': 173 });
      } finally {
        await t.close();
        await engine.cleanup();
      }
    });
  });

  describe(`open cash orders per client address on ${engine.name}`, () => {
    it('a few fake cash orders from one address cannot fill the theatre: the address cap answers 422 first', async () => {
      const t = await startTestApp({ ...engine.env(), OPEN_CASH_ORDERS_PER_ADDRESS: '3' });
      try {
        const v = await seedVenue(t, 10);
        const cash = (i: number) =>
          new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone: phoneNo(600 + i), paymentMethod: 'cash' });
        const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => cash(i)));
        expect(tally(answers)).toEqual({ '201': 3, '422 cash_limit_reached': 9 });
        // The theatre (limit 10) still takes online orders and cash from elsewhere.
        const online = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone: phoneNo(700), paymentMethod: 'online' });
        expect(online.status).toBe(201);
      } finally {
        await t.close();
        await engine.cleanup();
      }
    });
  });
}

describe('rate limits on anonymous ordering and payment starts', () => {
  const chai = (v: Venue) => [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }];

  it('lets a full house behind one address order at the interval with the default limits', async () => {
    const t = await startTestApp();
    try {
      const v = await seedVenue(t, 1000);
      const statuses: number[] = [];
      // 320 guests, 30 of them paying cash (the default cap of open cash orders per address).
      const GUESTS = 320;
      // 20 at a time: a crowd, not one client.
      for (let start = 0; start < GUESTS; start += 20) {
        const batch = await Promise.all(
          Array.from({ length: 20 }, (_, k) => {
            const i = start + k;
            return new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: chai(v), phone: phoneNo(1000 + i), paymentMethod: i % 10 === 0 && i < 300 ? 'cash' : 'online' });
          }),
        );
        statuses.push(...batch.map((r) => r.status));
      }
      expect(statuses.filter((s) => s !== 201)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('refuses the order over the default total cap with 422, whatever the menu price', async () => {
    const t = await startTestApp();
    try {
      const v = await seedVenue(t);
      const item = await t.app.db.updateTable('menu_items').set({ price: 10_000_000 }).where('id', '=', v.item(v.theatre1, 'Masala Chai')).executeTakeFirst();
      expect(Number(item.numUpdatedRows)).toBe(1);
      const r = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 6 }], phone: phoneNo(1), paymentMethod: 'online' });
      expect(r.status).toBe(422);
      expect(r.body.error.message).toMatch(/Rs 5,00,000\.00/);
    } finally {
      await t.close();
    }
  });

  it('limits orders per phone (429 with Retry-After) without stopping other guests', async () => {
    const t = await startTestApp({ ORDERS_PER_PHONE: '3' });
    try {
      const v = await seedVenue(t);
      const place = (phone: string) => new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: chai(v), phone, paymentMethod: 'online' });
      // The same number written differently is the same phone.
      for (const p of ['+919876500001', '9876500001', '09876500001']) expect((await place(p)).status).toBe(201);
      const limited = await place('98765 00001');
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await place('+919876500002')).status).toBe(201);
    } finally {
      await t.close();
    }
  });

  it('limits orders per client address (429 with Retry-After); an idempotent replay is not counted', async () => {
    const t = await startTestApp({ ORDERS_PER_ADDRESS: '4' });
    try {
      const v = await seedVenue(t);
      const place = (i: number, headers: Record<string, string> = {}) =>
        new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: chai(v), phone: phoneNo(i), paymentMethod: 'online' }, headers);
      const first = await place(1, { 'idempotency-key': 'replayed-key' });
      expect(first.status).toBe(201);
      for (let i = 0; i < 3; i++) expect((await place(1, { 'idempotency-key': 'replayed-key' })).body).toEqual(first.body);
      for (let i = 2; i <= 4; i++) expect((await place(i)).status).toBe(201);
      const limited = await place(5);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it('limits payment starts per order to a handful, and per client address', async () => {
    const t = await startTestApp({ PAYMENT_STARTS_PER_ADDRESS: '8' });
    try {
      const v = await seedVenue(t);
      const place = async (i: number) => {
        const r = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: chai(v), phone: phoneNo(i), paymentMethod: 'online' });
        return { id: r.body.order.id as number, guest: new ApiClient(t, r.body.orderToken) };
      };
      const a = await place(1);
      const attempts = [];
      for (let i = 0; i < 5; i++) attempts.push((await a.guest.call('POST', `/api/orders/${a.id}/payments`)).status);
      expect(attempts).not.toContain(429);
      const sixth = await a.guest.call('POST', `/api/orders/${a.id}/payments`);
      expect(sixth.status).toBe(429);
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another order from the same address still starts, until the address has started 8.
      const b = await place(2);
      expect((await b.guest.call('POST', `/api/orders/${b.id}/payments`)).status).toBe(201);
      const c = await place(3);
      expect((await c.guest.call('POST', `/api/orders/${c.id}/payments`)).status).toBe(201);
      const d = await place(4);
      const overAddress = await d.guest.call('POST', `/api/orders/${d.id}/payments`);
      expect(overAddress.status).toBe(429);
      // A wrong token is 404 and spends nothing of the order's allowance.
      expect((await new ApiClient(t, 'not-the-token').call('POST', `/api/orders/${d.id}/payments`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
