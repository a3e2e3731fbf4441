import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, LOGINS, seedVenue, type Venue } from './support/venue.js';

describe('order history over HTTP', () => {
  let t: TestApp;
  let v: Venue;
  let staff1: ApiClient;
  let staff2: ApiClient;
  let admin: ApiClient;
  const ids: number[] = [];
  const guest = () => new ApiClient(t);

  const place = async (phone: string, placedAt: string): Promise<number> => {
    const r = await guest().call('POST', '/api/orders', {
      seatId: v.seat1,
      items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }],
      phone,
      paymentMethod: 'cash',
    });
    expect(r.status).toBe(201);
    const id = r.body.order.id as number;
    // The app's clock is the real one; move the order to the day the test needs.
    await t.app.db.updateTable('orders').set({ placed_at: placedAt }).where('id', '=', id).execute();
    return id;
  };

  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAIL_LIMIT: '1000' });
    v = await seedVenue(t);
    [staff1, staff2, admin] = await Promise.all([ApiClient.login(t, LOGINS.staff1), ApiClient.login(t, LOGINS.staff2), ApiClient.login(t, LOGINS.admin)]);
    // Around India's midnight between 28 and 29 November (18:30 UTC).
    ids.push(await place('9876543210', '2026-11-28T18:29:59.999Z')); // 28th, 23:59:59 IST
    ids.push(await place('+91 98765 43211', '2026-11-28T18:30:00.000Z')); // 29th, 00:00 IST
    ids.push(await place('9876543210', '2026-11-29T12:00:00.000Z')); // 29th, 17:30 IST
    ids.push(await place('9876543210', '2026-11-29T18:29:00.000Z')); // 29th, 23:59 IST
    ids.push(await place('9876543212', '2026-11-29T18:30:00.000Z')); // 30th, 00:00 IST
    await staff1.call('POST', `/api/orders/${ids[2]}/deliver`);
    await staff1.call('POST', `/api/orders/${ids[3]}/cancel`);
    // An order of another theatre never shows.
    await guest().call('POST', '/api/orders', { seatId: v.seat2, items: [{ itemId: v.item(v.theatre2, 'Cold Coffee'), quantity: 1 }], phone: '9876543210', paymentMethod: 'online' });
  });
  afterAll(() => t.close());

  const history = (c: ApiClient, query = '') => c.call('GET', `/api/theatres/${v.theatre1.id}/orders${query}`);

  it('lists a theatre’s orders newest first as SPEC order views', async () => {
    const r = await history(staff1);
    expect(r.status).toBe(200);
    expect(r.body.orders.map((o: any) => o.id)).toEqual([...ids].reverse());
    expect(r.body.nextBefore).toBeNull();
    expect(r.body.orders[0]).toMatchObject({
      id: ids[4],
      theatreId: v.theatre1.id,
      seat: { id: v.seat1, name: 'A1', row: 'A', hall: 'Audi 1' },
      items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), name: 'Masala Chai', quantity: 1, price: 6000 }],
      amount: 6000,
      paymentMethod: 'cash',
      paymentStatus: 'due',
      status: 'confirmed',
      placedAt: '2026-11-29T18:30:00.000Z',
      maxTime: 3,
    });
    expect((await history(admin)).body.orders).toHaveLength(5);
  });

  it('filters by the theatre’s day in India time (UTC+05:30)', async () => {
    const r = await history(staff1, '?date=2026-11-29');
    expect(r.body.orders.map((o: any) => o.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect((await history(staff1, '?date=2026-11-28')).body.orders.map((o: any) => o.id)).toEqual([ids[0]]);
    expect((await history(staff1, '?date=2026-11-30')).body.orders.map((o: any) => o.id)).toEqual([ids[4]]);
    expect((await history(staff1, '?date=2026-12-01')).body.orders).toEqual([]);
  });

  it('filters by status and by phone, normalised like orders and matched exactly; filters combine', async () => {
    expect((await history(staff1, '?status=delivered')).body.orders.map((o: any) => o.id)).toEqual([ids[2]]);
    expect((await history(staff1, '?status=cancelled')).body.orders.map((o: any) => o.id)).toEqual([ids[3]]);
    const phone = (await history(staff1, `?phone=${encodeURIComponent('098765 43210')}`)).body.orders.map((o: any) => o.id);
    expect(phone).toEqual([ids[3], ids[2], ids[0]]);
    expect((await history(staff1, `?phone=${encodeURIComponent('+919876543211')}`)).body.orders.map((o: any) => o.id)).toEqual([ids[1]]);
    const both = await history(staff1, '?date=2026-11-29&status=confirmed&phone=9876543211');
    expect(both.body.orders.map((o: any) => o.id)).toEqual([ids[1]]);
  });

  it('pages with limit and before: nextBefore leads to the next page and is null on the last', async () => {
    const first = await history(staff1, '?limit=2');
    expect(first.body.orders.map((o: any) => o.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.nextBefore).toBe(ids[3]);
    const second = await history(staff1, `?limit=2&before=${first.body.nextBefore}`);
    expect(second.body.orders.map((o: any) => o.id)).toEqual([ids[2], ids[1]]);
    const third = await history(staff1, `?limit=2&before=${second.body.nextBefore}`);
    expect(third.body).toMatchObject({ orders: [{ id: ids[0] }], nextBefore: null });
    // Exactly `limit` left: no further page is announced.
    expect((await history(staff1, `?limit=3&before=${ids[3]}`)).body.nextBefore).toBeNull();
    expect((await history(staff1, '?limit=200')).status).toBe(200);
  });

  it('answers 401 without a session, 404 to staff of another theatre or for an unknown theatre', async () => {
    expect((await history(guest())).status).toBe(401);
    const other = await history(staff2);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    expect((await admin.call('GET', '/api/theatres/999999/orders')).status).toBe(404);
  });

  it('validates the query: 400 validation_failed', async () => {
    for (const q of ['?date=2026-02-30', '?date=29-11-2026', '?status=eaten', '?phone=call-me', '?limit=0', '?limit=201', '?limit=x', '?before=-1', '?colour=red']) {
      const r = await history(staff1, q);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
  });
});
