import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { EventRepository } from '../streams/event.repository.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { manualClock, sequence, VENUE_SEED, serviceWiring } from '../seed/test-fixture.js';
import type { OrderStatus } from './order.table.js';
import { OrderService, type StaffAction } from './order.service.js';

const engines = await databaseEngines();

describe.each(engines)('orders on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let orders: OrderService;
  let events: EventRepository;
  let clock: ReturnType<typeof manualClock>;

  beforeAll(async () => {
    handle = await engine.open();
  });
  beforeEach(async () => {
    await handle.reset();
    clock = manualClock();
    venue = await seed(handle.db, VENUE_SEED, clock.now);
    orders = new OrderService({ ...serviceWiring(handle.db), clock: clock.now, newToken: sequence('token') });
    events = new EventRepository(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
  });

  const galaxy = () => venue.theatres[0]!;
  const regal = () => venue.theatres[1]!;
  const seat = (t = galaxy()) => t.halls[0]!.rows[0]!.seats[0]!;
  const item = (name: string, t = galaxy()) => t.menu.flatMap((c) => c.items).find((i) => i.name === name)!;
  const cashOrder = (extra: Record<string, unknown> = {}) => ({
    seatId: seat().id,
    items: [{ itemId: item('Salted Popcorn').id, quantity: 2 }],
    phone: '98765 43210',
    paymentMethod: 'cash',
    ...extra,
  });
  const errorOf = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: { status: number; code: string }) => ({ status: e.status, code: e.code }),
    );

  it('confirms a cash order at once, prices it from the menu and tells both streams', async () => {
    const { order, orderToken } = await orders.createOrder({
      seatId: seat().id,
      items: [
        { itemId: item('Salted Popcorn').id, quantity: 2, price: 1 },
        { itemId: item('Veg Samosa').id, quantity: 1, price: 1 },
      ],
      phone: '098765 43210',
      paymentMethod: 'cash',
      amount: 2,
    });
    expect(orderToken).toBe('token-1');
    expect(order).toEqual({
      id: expect.any(Number),
      theatreId: galaxy().id,
      seat: { id: seat().id, name: 'A1', row: 'A', hall: 'Audi 1' },
      items: [
        { itemId: item('Salted Popcorn').id, name: 'Salted Popcorn', quantity: 2, price: 25000 },
        { itemId: item('Veg Samosa').id, name: 'Veg Samosa', quantity: 1, price: 8000 },
      ],
      amount: 58000,
      paymentMethod: 'cash',
      paymentStatus: 'due',
      status: 'confirmed',
      placedAt: '2026-11-29T18:00:00.000Z',
      maxTime: 10,
      subtotal: 58000,
      discount: 0,
      taxes: [],
      total: 58000,
      refundedAmount: 0,
      // Confirmed as placed: invoiced then, first of the theatre's 2026-27 series.
      invoiceNumber: 'INV/2026-27/1',
      seenBy: null,
      seenAt: null,
      deliveredBy: null,
      deliveredAt: null,
    });
    const stored = await handle.db.selectFrom('orders').select(['phone', 'token_hash']).executeTakeFirstOrThrow();
    expect(stored.phone).toBe('+919876543210');
    expect(stored.token_hash).not.toContain('token');
    for (const stream of [`theatre:${galaxy().id}`, 'theatres']) {
      expect(await events.eventsSince(stream, 0, 10)).toEqual([
        { id: expect.any(Number), stream, seq: 1, type: 'order.confirmed', at: order.placedAt, data: { order } },
      ]);
    }
  });

  it('keeps an online order placed, payment created, and tells no one yet', async () => {
    const { order } = await orders.createOrder(cashOrder({ paymentMethod: 'online' }));
    expect(order).toMatchObject({ status: 'placed', paymentStatus: 'created', paymentMethod: 'online', amount: 50000 });
    expect(await events.unpublishedAfter(0, 10)).toEqual([]);
  });

  it('refuses an unknown seat with 404', async () => {
    expect(await errorOf(orders.createOrder(cashOrder({ seatId: 999_999 })))).toEqual({ status: 404, code: 'not_found' });
  });

  it.each([
    ['an item of another theatre', () => item('Cold Coffee', regal()).id],
    ['an unavailable item', () => item('Nachos').id],
    ['an unknown item', () => 999_999],
  ])('refuses %s with 422', async (_, itemId) => {
    const input = cashOrder({ items: [{ itemId: itemId(), quantity: 1 }] });
    expect(await errorOf(orders.createOrder(input))).toEqual({ status: 422, code: 'item_unavailable' });
  });

  it('refuses cash where the theatre does not take it with 422', async () => {
    const input = cashOrder({ seatId: seat(regal()).id, items: [{ itemId: item('Cold Coffee', regal()).id, quantity: 1 }] });
    expect(await errorOf(orders.createOrder(input))).toEqual({ status: 422, code: 'cash_not_accepted' });
  });

  it.each([
    ['quantity 0', { items: [{ itemId: 1, quantity: 0 }] }],
    ['quantity 21', { items: [{ itemId: 1, quantity: 21 }] }],
    ['a fractional quantity', { items: [{ itemId: 1, quantity: 1.5 }] }],
    ['no items', { items: [] }],
    ['an unknown payment method', { paymentMethod: 'card' }],
    ['an invalid phone', { phone: '12345' }],
    ['a phone that is not a number', { phone: 'call me' }],
    ['a string seat id', { seatId: '1' }],
  ])('refuses %s with 400', async (_, patch) => {
    expect(await errorOf(orders.createOrder(cashOrder(patch)))).toEqual({ status: 400, code: 'validation_failed' });
  });

  it('refuses new orders while the theatre is at its limit of open orders', async () => {
    const placed = [];
    for (let i = 0; i < 3; i++) placed.push((await orders.createOrder(cashOrder())).order);
    expect(await errorOf(orders.createOrder(cashOrder()))).toEqual({ status: 422, code: 'order_limit_reached' });
    expect(await errorOf(orders.createOrder(cashOrder({ paymentMethod: 'online' })))).toEqual({
      status: 422,
      code: 'order_limit_reached',
    });
    await orders.transition(placed[0]!.id, 'deliver', { role: 'admin' });
    await expect(orders.createOrder(cashOrder())).resolves.toBeTruthy();
  });

  it('lets exactly orderLimit of many concurrent orders through', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => orders.createOrder(cashOrder())));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'order_limit_reached' });
    }
  });

  it('answers a repeated Idempotency-Key with the first answer, token included', async () => {
    const first = await orders.createOrder(cashOrder(), { idempotencyKey: 'k-1' });
    const again = await orders.createOrder(cashOrder(), { idempotencyKey: 'k-1' });
    expect(again).toEqual(first);
    const count = await handle.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    expect(Number(count?.n)).toBe(1);
    expect(await events.head('theatres')).toBe(1);
    expect(await errorOf(orders.createOrder(cashOrder({ notes: 'other' }), { idempotencyKey: 'k-1' }))).toEqual({
      status: 422,
      code: 'unprocessable',
    });
    expect(await errorOf(orders.createOrder(cashOrder(), { idempotencyKey: '' }))).toEqual({ status: 400, code: 'validation_failed' });
    const other = await orders.createOrder(cashOrder(), { idempotencyKey: 'k-2' });
    expect(other.order.id).not.toBe(first.order.id);
  });

  it('gives concurrent requests with one Idempotency-Key one order', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => orders.createOrder(cashOrder(), { idempotencyKey: 'same' })),
    );
    expect(new Set(answers.map((a) => a.order.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.orderToken)).size).toBe(1);
  });

  it('checks the order token in constant time and only for its order', async () => {
    const { order, orderToken } = await orders.createOrder(cashOrder());
    expect(await orders.verifyOrderToken(order.id, orderToken)).toBe(true);
    expect(await orders.verifyOrderToken(order.id, 'token-999')).toBe(false);
    expect(await orders.verifyOrderToken(order.id + 1000, orderToken)).toBe(false);
  });

  describe('staff actions', () => {
    async function orderIn(status: OrderStatus) {
      const { order } = await orders.createOrder(cashOrder());
      await handle.db.updateTable('orders').set({ status }).where('id', '=', order.id).execute();
      return order.id;
    }
    const ALLOWED: Record<Exclude<StaffAction, 'refund'>, OrderStatus[]> = {
      seen: ['confirmed'],
      deliver: ['confirmed', 'seen'],
      cancel: ['placed', 'confirmed', 'seen'],
    };
    const STATUSES: OrderStatus[] = ['placed', 'confirmed', 'seen', 'delivered', 'cancelled', 'refunded'];

    for (const [action, allowed] of Object.entries(ALLOWED) as Array<[Exclude<StaffAction, 'refund'>, OrderStatus[]]>) {
      for (const from of STATUSES.filter((s) => !allowed.includes(s))) {
        it(`answers 409 to ${action} on a ${from} order and changes nothing`, async () => {
          const id = await orderIn(from);
          const head = await events.head('theatres');
          expect(await errorOf(orders.transition(id, action, { role: 'admin' }))).toEqual({ status: 409, code: 'conflict' });
          expect((await orders.getOrder(id)).status).toBe(from);
          expect(await events.head('theatres')).toBe(head);
        });
      }
    }

    it('marks seen, then delivered, with an event on both streams each time', async () => {
      const { order } = await orders.createOrder(cashOrder());
      const staff = { role: 'staff' as const, theatreId: galaxy().id };
      clock.advance(60_000);
      const asha = { id: 7, username: 'asha' };
      expect(await orders.transition(order.id, 'seen', staff, asha)).toEqual({ ...order, status: 'seen', seenBy: asha, seenAt: '2026-11-29T18:01:00.000Z' });
      // Made with a theatre key (no account): recorded without a name.
      const delivered = await orders.transition(order.id, 'deliver', staff);
      expect(delivered).toMatchObject({ status: 'delivered', seenBy: asha, deliveredBy: null, deliveredAt: '2026-11-29T18:01:00.000Z' });
      expect(await orders.getOrder(order.id)).toEqual(delivered);
      const theatreEvents = await events.eventsSince(`theatre:${galaxy().id}`, 0, 10);
      expect(theatreEvents.map((e) => [e.seq, e.type])).toEqual([
        [1, 'order.confirmed'],
        [2, 'order.seen'],
        [3, 'order.delivered'],
      ]);
      expect(theatreEvents[2]).toMatchObject({ at: '2026-11-29T18:01:00.000Z', data: { order: delivered } });
      expect((await events.eventsSince('theatres', 0, 10)).map((e) => e.type)).toEqual(theatreEvents.map((e) => e.type));
    });

    it('answers 404 to staff of another theatre, as for a missing order', async () => {
      const { order } = await orders.createOrder(cashOrder());
      const outsider = { role: 'staff' as const, theatreId: regal().id };
      expect(await errorOf(orders.transition(order.id, 'seen', outsider))).toEqual({ status: 404, code: 'not_found' });
      expect(await errorOf(orders.getOrderFor(order.id, outsider))).toEqual({ status: 404, code: 'not_found' });
      expect(await errorOf(orders.transition(999_999, 'seen', { role: 'admin' }))).toEqual({ status: 404, code: 'not_found' });
      expect((await orders.getOrder(order.id)).status).toBe('confirmed');
    });

    it('lets one of two simultaneous deliveries win and refuses the other with 409', async () => {
      const { order } = await orders.createOrder(cashOrder());
      const results = await Promise.allSettled([
        orders.transition(order.id, 'deliver', { role: 'admin' }),
        orders.transition(order.id, 'deliver', { role: 'admin' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await events.head(`theatre:${galaxy().id}`)).toBe(2);
    });

    it('lists live orders oldest first, without placed, delivered or cancelled ones', async () => {
      const a = (await orders.createOrder(cashOrder())).order;
      clock.advance(1000);
      const b = (await orders.createOrder(cashOrder())).order;
      clock.advance(1000);
      const c = (await orders.createOrder(cashOrder())).order;
      await orders.createOrder(cashOrder({ paymentMethod: 'online' })).catch(() => undefined);
      await orders.transition(b.id, 'seen', { role: 'admin' });
      await orders.transition(c.id, 'cancel', { role: 'admin' });
      expect((await orders.liveOrders(galaxy().id)).map((o) => [o.id, o.status])).toEqual([
        [a.id, 'confirmed'],
        [b.id, 'seen'],
      ]);
      expect(await orders.liveOrders(regal().id)).toEqual([]);
      expect((await orders.liveOrders()).map((o) => o.id)).toEqual([a.id, b.id]);
    });

    it('alerts once about an order left unseen longer than the theatre allows', async () => {
      await handle.db.updateTable('theatres').set({ unseen_alert_seconds: 120 }).where('id', '=', galaxy().id).execute();
      const { order } = await orders.createOrder(cashOrder());
      const seenInTime = (await orders.createOrder(cashOrder())).order;
      clock.advance(60_000);
      await orders.transition(seenInTime.id, 'seen', { role: 'admin' });
      expect(await orders.emitUnseenAlerts()).toEqual([]);
      clock.advance(60_000);
      expect(await orders.emitUnseenAlerts()).toEqual([order]);
      expect(await orders.emitUnseenAlerts()).toEqual([]);
      const last = await events.eventsSince(`theatre:${galaxy().id}`, 3, 10);
      expect(last).toMatchObject([{ seq: 4, type: 'order.unseen', at: '2026-11-29T18:02:00.000Z', data: { order } }]);
      expect((await events.eventsSince('theatres', 3, 10)).map((e) => e.type)).toEqual(['order.unseen']);
    });
  });
});
