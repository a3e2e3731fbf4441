import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, LOGINS, ROOMY_GUEST_LIMITS, seedVenue, startVenueWorld, type Venue } from './support/venue.js';
import { connectOpen, connectRefused } from './support/ws-client.js';

describe('ordering over HTTP and the live-orders stream', () => {
  let t: TestApp, v: Venue, staff1: ApiClient, staff2: ApiClient, admin: ApiClient;
  const guest = () => new ApiClient(t);

  beforeAll(async () => {
    ({ t, v, staff1, staff2, admin } = await startVenueWorld(ROOMY_GUEST_LIMITS));
  });
  afterAll(() => t.close());

  const cashOrder = (seatId: number, extra: Record<string, unknown> = {}) => ({
    seatId,
    items: [{ itemId: v.item(v.theatre1, 'Salted Popcorn'), quantity: 2 }, { itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }],
    phone: '98765 43210',
    paymentMethod: 'cash',
    ...extra,
  });

  it('logs staff in with an HttpOnly cookie and tells who they are; logout ends the session', async () => {
    const c = await ApiClient.login(t, LOGINS.staff1);
    const me = await c.call('GET', '/api/auth/me');
    expect(me.body.account).toMatchObject({ username: 'galaxy-staff', role: 'staff', theatreId: v.theatre1.id });
    expect((await c.call('POST', '/api/auth/logout')).status).toBe(204);
    expect((await c.call('GET', '/api/auth/me')).status).toBe(401);
    const bad = await guest().call('POST', '/api/auth/login', { username: 'galaxy-staff', password: 'wrong' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('unauthorized');
  });

  it('shows a seat with its theatre menu; an unknown seat is 404', async () => {
    const r = await guest().call('GET', `/api/seats/${v.seat1}`);
    expect(r.status).toBe(200);
    expect(r.body.theatre).toMatchObject({ id: v.theatre1.id, name: 'Galaxy Cinemas' });
    expect(r.body.menu.flatMap((c: any) => c.items).find((i: any) => i.name === 'Nachos').available).toBe(false);
    expect((await guest().call('GET', '/api/seats/999999')).status).toBe(404);
  });

  it('a cash order reaches theatre-1 staff and the admin stream, never theatre-2 staff, with server prices', async () => {
    const s1 = await connectOpen(t.ws(`/ws/all-seat-datasocket/?ticket=${await staff1.ticket('live-orders')}`));
    const s2 = await connectOpen(t.ws(`/ws/all-seat-datasocket/?ticket=${await staff2.ticket('live-orders')}`));
    const a = await connectOpen(t.ws(`/ws/all-seat-datasocket/?ticket=${await admin.ticket('live-orders')}`));
    const keyed = await connectOpen(t.ws(`/ws/all-seat-datasocket/?key=${t.keys.liveOrders}`));
    for (const s of [s1, s2, a, keyed]) await s.next('snapshot');
    expect((s1.messages[0] as any).stream).toBe(`theatre:${v.theatre1.id}`);

    const body = cashOrder(v.seat1);
    (body.items as any[])[0].price = 1;
    (body as any).amount = 1;
    const r = await guest().call('POST', '/api/orders', body);
    expect(r.status).toBe(201);
    expect(r.body.order).toMatchObject({ amount: 2 * 25000 + 6000, status: 'confirmed', paymentStatus: 'due', paymentMethod: 'cash', maxTime: 5 });
    expect(typeof r.body.orderToken).toBe('string');

    const ev = await s1.next('order.confirmed', 1000);
    expect(ev).toMatchObject({ stream: `theatre:${v.theatre1.id}`, data: { order: { id: r.body.order.id, seat: { name: 'A1', row: 'A', hall: 'Audi 1' } } } });
    expect(typeof ev.seq).toBe('number');
    await a.next('order.confirmed', 1000);
    await keyed.next('order.confirmed', 1000);
    // theatre 2's staff: prove the stream is alive, and that nothing of theatre 1 came.
    s2.send({ type: 'ping' });
    await s2.next('pong');
    expect(s2.messages.filter((m) => String(m.type).startsWith('order.'))).toEqual([]);
    for (const s of [s1, s2, a, keyed]) s.close();
  });

  it('validates orders: unknown seat 404, item of another theatre or unavailable 422, quantity 400, cash refused 422', async () => {
    const g = guest();
    expect((await g.call('POST', '/api/orders', cashOrder(999999))).status).toBe(404);
    const foreign = await g.call('POST', '/api/orders', { ...cashOrder(v.seat1), items: [{ itemId: v.item(v.theatre2, 'Cold Coffee'), quantity: 1 }] });
    expect(foreign.status).toBe(422);
    const unavailable = await g.call('POST', '/api/orders', { ...cashOrder(v.seat1), items: [{ itemId: v.item(v.theatre1, 'Nachos'), quantity: 1 }] });
    expect(unavailable.status).toBe(422);
    expect(unavailable.body.error.code).toBe('item_unavailable');
    const tooMany = await g.call('POST', '/api/orders', { ...cashOrder(v.seat1), items: [{ itemId: v.item(v.theatre1, 'Veg Samosa'), quantity: 21 }] });
    expect(tooMany.status).toBe(400);
    const cash = await g.call('POST', '/api/orders', { ...cashOrder(v.seat2), items: [{ itemId: v.item(v.theatre2, 'Cold Coffee'), quantity: 1 }] });
    expect(cash.status).toBe(422);
    expect(cash.body.error.code).toBe('cash_not_accepted');
    expect((await g.call('POST', '/api/orders', { ...cashOrder(v.seat1), phone: 'call me' })).status).toBe(400);
  });

  it('honours Idempotency-Key: the same key gives the same answer and one order', async () => {
    const headers = { 'idempotency-key': `k-${Date.now()}` };
    const first = await guest().call('POST', '/api/orders', cashOrder(v.seat1, { items: [{ itemId: v.item(v.theatre1, 'Veg Samosa'), quantity: 1 }] }), headers);
    const again = await guest().call('POST', '/api/orders', cashOrder(v.seat1, { items: [{ itemId: v.item(v.theatre1, 'Veg Samosa'), quantity: 1 }] }), headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
  });

  it('lets staff act on their theatre only; every forbidden transition is 409', async () => {
    const r = await guest().call('POST', '/api/orders', cashOrder(v.seat1, { items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }] }));
    const id = r.body.order.id as number;
    expect((await staff2.call('POST', `/api/orders/${id}/seen`)).status).toBe(404);
    expect((await staff2.call('GET', `/api/orders/${id}`)).status).toBe(404);
    expect((await guest().call('POST', `/api/orders/${id}/seen`)).status).toBe(401);
    expect((await staff1.call('POST', `/api/orders/${id}/seen`)).body.order.status).toBe('seen');
    expect((await staff1.call('POST', `/api/orders/${id}/seen`)).status).toBe(409);
    expect((await staff1.call('POST', `/api/orders/${id}/refund`)).status).toBe(409); // cash is settled at the seat
    expect((await admin.call('POST', `/api/orders/${id}/deliver`)).body.order.status).toBe('delivered');
    for (const action of ['seen', 'deliver', 'cancel']) expect((await staff1.call('POST', `/api/orders/${id}/${action}`)).status).toBe(409);
    const live = await staff1.call('GET', `/api/theatres/${v.theatre1.id}/live-orders`);
    expect(live.body.orders.map((o: any) => o.id)).not.toContain(id);
    expect((await staff2.call('GET', `/api/theatres/${v.theatre1.id}/live-orders`)).status).toBe(404);
  });

  it('the order token reads its own order only and gets a payment ticket for that order only', async () => {
    const a = await guest().call('POST', '/api/orders', cashOrder(v.seat1, { items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }] }));
    const b = await guest().call('POST', '/api/orders', cashOrder(v.seat1, { items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }] }));
    const tokenA = new ApiClient(t, a.body.orderToken);
    expect((await tokenA.call('GET', `/api/orders/${a.body.order.id}`)).status).toBe(200);
    expect((await tokenA.call('GET', `/api/orders/${b.body.order.id}`)).status).toBe(404);
    expect((await tokenA.call('POST', '/api/ws/tickets', { socket: 'payment', orderId: b.body.order.id })).status).toBe(404);
    const ticket = await tokenA.ticket('payment', a.body.order.id);
    expect((await connectRefused(t.ws(`/ws/payment-socket/${b.body.order.id}/?ticket=${ticket}`))).status).toBe(403);
    const s = await connectOpen(t.ws(`/ws/payment-socket/${a.body.order.id}/?ticket=${ticket}`));
    expect(await s.next('snapshot')).toMatchObject({ stream: `order:${a.body.order.id}`, data: { payment: { orderId: a.body.order.id, method: 'cash', amount: 6000 } } });
    s.close();
    expect((await connectRefused(t.ws(`/ws/payment-socket/${a.body.order.id}/?ticket=${ticket}`))).status).toBe(401);
    // With the payment key, an existing order opens, a missing one is 404.
    const k = await connectOpen(t.ws(`/ws/payment-socket/${a.body.order.id}/?key=${t.keys.payment}`));
    await k.next('snapshot');
    k.close();
  });

  it('refuses a live-orders ticket to a guest, and cookie state changes from a foreign origin', async () => {
    expect((await guest().call('POST', '/api/ws/tickets', { socket: 'live-orders' })).status).toBe(401);
    const r = await staff1.call('POST', '/api/ws/tickets', { socket: 'live-orders' }, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
  });

  it('resumes with since: replays exactly the missed events, and a reset snapshot when since is ahead of the head', async () => {
    const s = await connectOpen(t.ws(`/ws/all-seat-datasocket/?ticket=${await staff1.ticket('live-orders')}`));
    const hello = await s.next('hello');
    s.close();
    await s.waitClose();
    const placed = [];
    for (let i = 0; i < 2; i++) placed.push((await guest().call('POST', '/api/orders', cashOrder(v.seat1, { items: [{ itemId: v.item(v.theatre1, 'Veg Samosa'), quantity: 1 }] }))).body);
    const since = hello.seq as number;
    const r = await connectOpen(t.ws(`/ws/all-seat-datasocket/?since=${since}&ticket=${await staff1.ticket('live-orders')}`));
    await r.until(() => r.messages.filter((m) => m.type === 'order.confirmed').length >= 2 || undefined, 'two replayed orders');
    expect(r.messages.some((m) => m.type === 'snapshot')).toBe(false);
    const seqs = r.messages.filter((m) => typeof m.seq === 'number' && m.type !== 'hello').map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => since + 1 + i));
    r.close();
    const ahead = await connectOpen(t.ws(`/ws/all-seat-datasocket/?since=999999&ticket=${await staff1.ticket('live-orders')}`));
    expect(await ahead.next('snapshot')).toMatchObject({ reset: true });
    ahead.close();
  });
});

describe("a theatre's open-order limit", () => {
  it('answers 422 order_limit_reached at the limit and takes orders again once one is delivered', async () => {
    const t = await startTestApp();
    try {
      const v = await seedVenue(t, 2);
      const staff = await ApiClient.login(t, LOGINS.staff1);
      const order = () =>
        new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone: '+919876543210', paymentMethod: 'cash' });
      const first = await order();
      expect((await order()).status).toBe(201);
      const refused = await order();
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('order_limit_reached');
      await staff.call('POST', `/api/orders/${first.body.order.id}/deliver`);
      expect((await order()).status).toBe(201);
    } finally {
      await t.close();
    }
  });
});

describe('login guessing', () => {
  it('answers 429 with Retry-After after AUTH_FAIL_LIMIT failed logins from one address', async () => {
    const t = await startTestApp({ AUTH_FAIL_LIMIT: '3' });
    try {
      await seedVenue(t);
      const c = new ApiClient(t);
      for (let i = 0; i < 3; i++) expect((await c.call('POST', '/api/auth/login', { username: 'galaxy-staff', password: `guess-${i}` })).status).toBe(401);
      const limited = await c.call('POST', '/api/auth/login', LOGINS.staff1);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.body.error.code).toBe('rate_limited');
    } finally {
      await t.close();
    }
  });
});
