import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/schema.js';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { OrderService } from '../orders/order.service.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { manualClock, sequence, VENUE_SEED, serviceWiring } from '../seed/test-fixture.js';
import { EventRepository } from '../streams/event.repository.js';
import { PaymentService } from './payment.service.js';
import { SimulatedGateway } from './simulated.gateway.js';
import { GatewayRegistry } from './gateway.factory.js';
import { buildWebhook } from './webhook.js';
import type { Kysely } from 'kysely';

const engines = await databaseEngines();
const SECRET = 'webhook-secret';

/**
 * Makes every write to `table` fail (an UPDATE or INSERT naming it, or raw SQL mentioning it), to
 * prove a failure late in a transaction undoes it all.
 */
function failWritesTo(table: string): KyselyPlugin {
  return {
    transformQuery(args) {
      const kind = args.node.kind;
      if ((kind === 'UpdateQueryNode' || kind === 'InsertQueryNode' || kind === 'RawNode') && JSON.stringify(args.node).includes(table)) {
        throw new Error('injected failure');
      }
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

describe.each(engines)('payments on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let clock: ReturnType<typeof manualClock>;
  let gateway: SimulatedGateway;
  let alerts: Array<[string, Record<string, unknown>]>;
  let payments: PaymentService;
  let orders: OrderService;
  let events: EventRepository;

  function services(db: Kysely<Database>) {
    const p = new PaymentService({ ...serviceWiring(db), clock: clock.now, newId: sequence('p'), gateways: new GatewayRegistry([gateway]), webhookSecret: SECRET, alert: (m, f) => alerts.push([m, f]) });
    const o = new OrderService({ ...serviceWiring(db), clock: clock.now, newToken: sequence('token'), refunds: p });
    return { p, o };
  }

  beforeAll(async () => {
    handle = await engine.open();
  });
  beforeEach(async () => {
    await handle.reset();
    clock = manualClock();
    venue = await seed(handle.db, VENUE_SEED, clock.now);
    gateway = new SimulatedGateway(sequence('g'));
    alerts = [];
    ({ p: payments, o: orders } = services(handle.db));
    events = new EventRepository(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
  });

  const galaxy = () => venue.theatres[0]!;
  const popcorn = () => galaxy().menu[0]!.items[0]!;
  async function onlineOrder() {
    const { order } = await orders.createOrder({
      seatId: galaxy().halls[0]!.rows[0]!.seats[0]!.id,
      items: [{ itemId: popcorn().id, quantity: 2 }],
      phone: '9876543210',
      paymentMethod: 'online',
    });
    return order;
  }
  async function paidOrder() {
    const order = await onlineOrder();
    const started = await payments.startPayment(order.id);
    const hook = await payments.simulateCheckout(started.paymentId, 'pay');
    expect(await payments.handleWebhook(Buffer.from(hook.rawBody), hook.signature, hook.eventId)).toEqual({ status: 'processed' });
    return { order: await orders.getOrder(order.id), started };
  }
  const errorOf = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: { status: number; code: string }) => ({ status: e.status, code: e.code }),
    );
  async function snapshot() {
    return {
      orders: await handle.db.selectFrom('orders').select(['id', 'status', 'payment_status']).orderBy('id').execute(),
      payments: await handle.db.selectFrom('payments').select(['id', 'status']).orderBy('id').execute(),
      events: (await events.unpublishedAfter(0, 1000)).map((e) => e.id),
    };
  }

  it('starts a payment: pending, with a checkout URL and payment.status on the order stream', async () => {
    const order = await onlineOrder();
    const started = await payments.startPayment(order.id);
    expect(started).toEqual({
      paymentId: expect.any(Number),
      gateway: 'simulated',
      gatewayOrderId: 'order_sim_g-1',
      amount: 50000,
      currency: 'INR',
      checkoutUrl: `/pay/sim/${started.paymentId}`,
    });
    expect((await orders.getOrder(order.id)).paymentStatus).toBe('pending');
    expect(await events.eventsSince(`order:${order.id}`, 0, 10)).toMatchObject([
      { seq: 1, type: 'payment.status', data: { orderId: order.id, status: 'pending', amount: 50000, method: 'online', gateway: 'simulated', orderStatus: 'placed' } },
    ]);
    expect(await payments.paymentStatus(order.id)).toEqual({ orderId: order.id, status: 'pending', amount: 50000, method: 'online', gateway: 'simulated', orderStatus: 'placed', refundedAmount: 0 });
    await expect(payments.paymentStatus(999_999)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses to start a payment for a cash order, a paid order or a missing one', async () => {
    const { order: cash } = await orders.createOrder({
      seatId: galaxy().halls[0]!.rows[0]!.seats[0]!.id,
      items: [{ itemId: popcorn().id, quantity: 1 }],
      phone: '9876543210',
      paymentMethod: 'cash',
    });
    expect(await errorOf(payments.startPayment(cash.id))).toEqual({ status: 409, code: 'conflict' });
    const { order: paid } = await paidOrder();
    expect(await errorOf(payments.startPayment(paid.id))).toEqual({ status: 409, code: 'conflict' });
    expect(await errorOf(payments.startPayment(999_999))).toEqual({ status: 404, code: 'not_found' });
  });

  it('confirms the order on payment.captured, with events on the order and theatre streams', async () => {
    const { order } = await paidOrder();
    expect(order).toMatchObject({ status: 'confirmed', paymentStatus: 'success' });
    expect((await events.eventsSince(`order:${order.id}`, 0, 10)).map((e) => [e.seq, (e.data as { status: string }).status])).toEqual([
      [1, 'pending'],
      [2, 'success'],
    ]);
    for (const stream of [`theatre:${galaxy().id}`, 'theatres']) {
      expect(await events.eventsSince(stream, 0, 10)).toMatchObject([{ seq: 1, type: 'order.confirmed', data: { order } }]);
    }
  });

  it('answers a bad or missing signature with 400 and changes nothing', async () => {
    const order = await onlineOrder();
    const started = await payments.startPayment(order.id);
    const hook = await payments.simulateCheckout(started.paymentId, 'pay');
    const before = await snapshot();
    const forged = buildWebhook({ event: 'payment.captured', gatewayOrderId: started.gatewayOrderId, gatewayPaymentId: 'pay_x', amount: 50000, secret: 'not-the-secret', eventId: 'e1', at: clock.now() });
    for (const [body, signature] of [
      [forged.rawBody, forged.signature],
      [hook.rawBody, undefined],
      [hook.rawBody, 'zz'],
      [hook.rawBody.replace('50000', '50001'), hook.signature],
    ] as const) {
      expect(await errorOf(payments.handleWebhook(Buffer.from(body), signature, hook.eventId))).toEqual({ status: 400, code: 'bad_request' });
    }
    expect(await snapshot()).toEqual(before);
    expect(await handle.db.selectFrom('webhook_events').selectAll().execute()).toEqual([]);
  });

  it('answers a replayed event id with duplicate and changes nothing', async () => {
    const order = await onlineOrder();
    const started = await payments.startPayment(order.id);
    const hook = await payments.simulateCheckout(started.paymentId, 'pay');
    const body = Buffer.from(hook.rawBody);
    expect(await payments.handleWebhook(body, hook.signature, hook.eventId)).toEqual({ status: 'processed' });
    const before = await snapshot();
    expect(await payments.handleWebhook(body, hook.signature, hook.eventId)).toEqual({ status: 'duplicate' });
    const concurrent = await Promise.all([1, 2, 3].map(() => payments.handleWebhook(body, hook.signature, hook.eventId)));
    expect(concurrent).toEqual([{ status: 'duplicate' }, { status: 'duplicate' }, { status: 'duplicate' }]);
    expect(await snapshot()).toEqual(before);
    expect(await handle.db.selectFrom('webhook_events').select(['id', 'outcome']).execute()).toEqual([{ id: hook.eventId, outcome: 'processed' }]);
  });

  it('changes nothing and alerts when the captured amount differs from the order', async () => {
    const order = await onlineOrder();
    const started = await payments.startPayment(order.id);
    const before = await snapshot();
    const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: started.gatewayOrderId, gatewayPaymentId: 'pay_short', amount: 100, secret: SECRET, eventId: 'evt_short', at: clock.now() });
    expect(await payments.handleWebhook(Buffer.from(hook.rawBody), hook.signature, hook.eventId)).toEqual({ status: 'ignored', reason: 'amount mismatch' });
    expect(await snapshot()).toEqual(before);
    // Recorded as processed first, corrected in the same transaction: only the final outcome is seen.
    expect(await handle.db.selectFrom('webhook_events').select(['id', 'outcome']).execute()).toEqual([{ id: 'evt_short', outcome: 'ignored: amount mismatch' }]);
    expect(alerts).toEqual([
      [expect.stringContaining('amount mismatch'), expect.objectContaining({ orderId: order.id, expected: 50000, received: 100 })],
    ]);
  });

  it('records a failed payment, keeps the order placed, and lets the guest pay on retry', async () => {
    const order = await onlineOrder();
    const started = await payments.startPayment(order.id);
    const fail = await payments.simulateCheckout(started.paymentId, 'fail');
    expect(await payments.handleWebhook(Buffer.from(fail.rawBody), fail.signature, fail.eventId)).toEqual({ status: 'processed' });
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'placed', paymentStatus: 'failed' });
    expect((await events.eventsSince(`order:${order.id}`, 1, 10)).map((e) => e.data)).toEqual([
      { orderId: order.id, status: 'failed', amount: 50000, method: 'online', gateway: 'simulated', orderStatus: 'placed', refundedAmount: 0 },
    ]);
    expect(await events.head('theatres')).toBe(0);
    const pay = await payments.simulateCheckout(started.paymentId, 'pay');
    expect(await payments.handleWebhook(Buffer.from(pay.rawBody), pay.signature, pay.eventId)).toEqual({ status: 'processed' });
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'confirmed', paymentStatus: 'success' });
  });

  it('rolls back the whole change when its last statement, writing its events, fails', async () => {
    const order = await onlineOrder();
    const started = await payments.startPayment(order.id);
    const hook = await payments.simulateCheckout(started.paymentId, 'pay');
    const before = await snapshot();
    const broken = services(handle.db.withPlugin(failWritesTo('stream_events'))).p;
    await expect(broken.handleWebhook(Buffer.from(hook.rawBody), hook.signature, hook.eventId)).rejects.toThrow('injected failure');
    expect(await snapshot()).toEqual(before);
    expect(await events.head(`theatre:${galaxy().id}`)).toBe(0);
    expect(await handle.db.selectFrom('webhook_events').selectAll().execute()).toEqual([]);
    expect(await handle.db.selectFrom('document_counters').selectAll().execute()).toEqual([]);
    // Nothing was recorded, so the gateway's retry of the same event goes through.
    expect(await payments.handleWebhook(Buffer.from(hook.rawBody), hook.signature, hook.eventId)).toEqual({ status: 'processed' });
  });

  it('refunds through the gateway on the staff action, then ignores the refund webhook', async () => {
    const { order, started } = await paidOrder();
    const staff = { role: 'staff' as const, theatreId: galaxy().id };
    const refunded = await orders.transition(order.id, 'refund', staff);
    expect(refunded).toEqual({ ...order, status: 'refunded', paymentStatus: 'refunded', refundedAmount: 50000 });
    const payment = await payments.getPayment(started.paymentId);
    expect(payment.status).toBe('refunded');
    expect(gateway.refunds).toEqual([{ gatewayPaymentId: 'pay_sim_p-2', amount: 50000, idempotencyKey: expect.stringMatching(/^rf_/) }]);
    expect((await events.eventsSince(`theatre:${galaxy().id}`, 1, 10)).map((e) => e.type)).toEqual(['order.refunded']);
    expect((await events.eventsSince(`order:${order.id}`, 2, 10)).map((e) => (e.data as { status: string }).status)).toEqual(['refunded']);

    const before = await snapshot();
    const { gateway_refund_id: refundId } = await handle.db.selectFrom('refunds').select('gateway_refund_id').executeTakeFirstOrThrow();
    const hook = buildWebhook({ event: 'refund.processed', gatewayOrderId: started.gatewayOrderId, gatewayPaymentId: 'pay_sim_p-2', amount: 50000, secret: SECRET, eventId: 'evt_rf', at: clock.now(), refundId: refundId! });
    expect(await payments.handleWebhook(Buffer.from(hook.rawBody), hook.signature, hook.eventId)).toEqual({ status: 'ignored', reason: 'refund already processed' });
    expect(await snapshot()).toEqual(before);
    expect(await errorOf(orders.transition(order.id, 'refund', staff))).toEqual({ status: 409, code: 'conflict' });
  });

  it('marks the order refunded on refund.processed from the gateway', async () => {
    const { order, started } = await paidOrder();
    await orders.transition(order.id, 'deliver', { role: 'admin' });
    const hook = buildWebhook({ event: 'refund.processed', gatewayOrderId: started.gatewayOrderId, gatewayPaymentId: 'pay_sim_p-2', amount: 50000, secret: SECRET, eventId: 'evt_rf2', at: clock.now() });
    expect(await payments.handleWebhook(Buffer.from(hook.rawBody), hook.signature, hook.eventId)).toEqual({ status: 'processed' });
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'refunded', paymentStatus: 'refunded' });
    expect((await events.eventsSince('theatres', 0, 10)).map((e) => e.type)).toEqual(['order.confirmed', 'order.delivered', 'order.refunded']);
    const onOrderStream = (await events.eventsSince(`order:${order.id}`, 0, 10)).map((e) => e.data as { status: string; orderStatus: string });
    expect(onOrderStream.map((d) => [d.status, d.orderStatus])).toEqual([
      ['pending', 'placed'],
      ['success', 'confirmed'],
      ['success', 'delivered'],
      ['refunded', 'refunded'],
    ]);
  });

  it('refuses refunds of unpaid orders with 409 and of other theatres with 404, without calling the gateway', async () => {
    const placed = await onlineOrder();
    expect(await errorOf(orders.transition(placed.id, 'refund', { role: 'admin' }))).toEqual({ status: 409, code: 'conflict' });
    const { order } = await paidOrder();
    const outsider = { role: 'staff' as const, theatreId: venue.theatres[1]!.id };
    expect(await errorOf(orders.transition(order.id, 'refund', outsider))).toEqual({ status: 404, code: 'not_found' });
    expect(await errorOf(payments.refundOrder(order.id, outsider))).toEqual({ status: 404, code: 'not_found' });
    expect(gateway.refunds).toEqual([]);
  });

  it('answers 503 and changes nothing when the gateway refuses the refund; another refund may follow', async () => {
    const { order } = await paidOrder();
    const { GatewayError } = await import('./payment.gateway.js');
    const real = gateway.refund.bind(gateway);
    gateway.refund = async () => {
      throw new GatewayError('BAD_REQUEST_ERROR: refund amount exceeds', 400);
    };
    const before = await snapshot();
    expect(await errorOf(payments.refundOrder(order.id, { role: 'admin' }))).toEqual({ status: 503, code: 'unavailable' });
    expect(await snapshot()).toEqual(before);
    expect(await handle.db.selectFrom('refunds').select(['status', 'reason']).execute()).toEqual([{ status: 'failed', reason: 'staff' }]);
    gateway.refund = real;
    expect(await payments.refundOrder(order.id, { role: 'admin' })).toMatchObject({ status: 'refunded' });
  });

  it('keeps a refund the gateway did not answer pending, and the worker finishes it once with the same key', async () => {
    const { order } = await paidOrder();
    const { GatewayError } = await import('./payment.gateway.js');
    const real = gateway.refund.bind(gateway);
    const keys: string[] = [];
    gateway.refund = async (req) => {
      keys.push(req.idempotencyKey);
      // The gateway refunded, but its answer was lost on the way back.
      await real(req);
      throw new GatewayError('Razorpay is unreachable: socket hang up');
    };
    expect(await errorOf(payments.refundOrder(order.id, { role: 'admin' }))).toEqual({ status: 503, code: 'unavailable' });
    expect(await errorOf(payments.refundOrder(order.id, { role: 'admin' }))).toEqual({ status: 409, code: 'conflict' });
    expect((await orders.getOrder(order.id)).status).toBe('confirmed');
    gateway.refund = real;
    await payments.refunds.retryDue();
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'refunded', paymentStatus: 'refunded' });
    expect(gateway.refunds).toHaveLength(1);
    expect(new Set(keys).size).toBe(1);
    expect((await events.eventsSince('theatres', 0, 10)).map((e) => e.type)).toEqual(['order.confirmed', 'order.refunded']);
  });

  it('keeps every stream gap-free when captures, cancels and new orders race', async () => {
    await handle.db.updateTable('theatres').set({ order_limit: 1000 }).execute();
    const pending = [];
    for (let i = 0; i < 10; i++) {
      const order = await onlineOrder();
      const started = await payments.startPayment(order.id);
      pending.push({ order, hook: await payments.simulateCheckout(started.paymentId, 'pay') });
    }
    const results = await Promise.allSettled([
      ...pending.map(({ hook }) => payments.handleWebhook(Buffer.from(hook.rawBody), hook.signature, hook.eventId)),
      ...pending.map(({ order }) => orders.transition(order.id, 'cancel', { role: 'admin' })),
      ...Array.from({ length: 10 }, () =>
        orders.createOrder({ seatId: galaxy().halls[0]!.rows[0]!.seats[0]!.id, items: [{ itemId: popcorn().id, quantity: 1 }], phone: '9876543210', paymentMethod: 'cash' }),
      ),
    ]);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'conflict' });
    }
    const heads = await handle.db.selectFrom('stream_heads').selectAll().execute();
    expect(heads.length).toBeGreaterThanOrEqual(12);
    for (const { stream, seq } of heads) {
      const list = await events.eventsSince(stream, 0, 1000);
      expect(list.map((e) => e.seq)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
    }
    // Whichever came first, the order's final state is the one its events tell, and money taken
    // for an order cancelled before its capture is going back.
    const theatreEvents = await events.eventsSince(`theatre:${galaxy().id}`, 0, 1000);
    for (const { order } of pending) {
      const final = await orders.getOrder(order.id);
      const types = theatreEvents.filter((e) => (e.data as { order: { id: number } }).order.id === order.id).map((e) => e.type);
      const surplus = await handle.db.selectFrom('refunds').select('reason').where('order_id', '=', order.id).execute();
      if (types[0] === 'order.confirmed') {
        expect(types).toEqual(['order.confirmed', 'order.cancelled']);
        expect(final).toMatchObject({ status: 'cancelled', paymentStatus: 'success' });
        expect(surplus).toEqual([]);
      } else {
        expect(types).toEqual(['order.cancelled']);
        expect(final.status).toBe('cancelled');
        expect(surplus).toEqual([{ reason: 'surplus' }]);
      }
    }
  });

  const hookFor = (event: 'payment.captured' | 'payment.failed', gatewayOrderId: string, gatewayPaymentId: string, eventId: string, amount = 50000) =>
    buildWebhook({ event, gatewayOrderId, gatewayPaymentId, amount, secret: SECRET, eventId, at: clock.now() });
  const deliver = (hook: { rawBody: string; signature: string; eventId: string }) => payments.handleWebhook(Buffer.from(hook.rawBody), hook.signature, hook.eventId);
  const typesOn = async (stream: string) => (await events.eventsSince(stream, 0, 1000)).map((e) => e.type);

  it('a late failure of a superseded attempt changes nothing on the paid order (finding 2)', async () => {
    const order = await onlineOrder();
    const first = await payments.startPayment(order.id);
    const second = await payments.startPayment(order.id);
    expect((await payments.getPayment(first.paymentId)).status).toBe('superseded');
    expect(await deliver(hookFor('payment.captured', second.gatewayOrderId, 'pay_second', 'evt_c2'))).toEqual({ status: 'processed' });
    const before = await snapshot();
    expect(await deliver(hookFor('payment.failed', first.gatewayOrderId, 'pay_first', 'evt_f1'))).toMatchObject({ status: 'ignored' });
    expect(await snapshot()).toEqual(before);
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'confirmed', paymentStatus: 'success' });
    const statuses = (await events.eventsSince(`order:${order.id}`, 0, 10)).map((e) => (e.data as { status: string }).status);
    expect(statuses).toEqual(['pending', 'pending', 'success']);
    expect(await payments.refundOrder(order.id, { role: 'admin' })).toMatchObject({ status: 'refunded', paymentStatus: 'refunded' });
    expect(gateway.refunds).toMatchObject([{ gatewayPaymentId: 'pay_second', amount: 50000 }]);
  });

  it('a failure of the attempt the order follows still tells the guest; of an older one, nothing', async () => {
    const order = await onlineOrder();
    const first = await payments.startPayment(order.id);
    const second = await payments.startPayment(order.id);
    expect(await deliver(hookFor('payment.failed', first.gatewayOrderId, 'pay_first', 'evt_f1'))).toMatchObject({ status: 'ignored' });
    expect((await orders.getOrder(order.id)).paymentStatus).toBe('pending');
    expect(await deliver(hookFor('payment.failed', second.gatewayOrderId, 'pay_second', 'evt_f2'))).toEqual({ status: 'processed' });
    expect((await orders.getOrder(order.id)).paymentStatus).toBe('failed');
  });

  it('refunds a second capture automatically and records it; the order is paid once (finding 2)', async () => {
    const order = await onlineOrder();
    const first = await payments.startPayment(order.id);
    const second = await payments.startPayment(order.id);
    expect(await deliver(hookFor('payment.captured', second.gatewayOrderId, 'pay_second', 'evt_c2'))).toEqual({ status: 'processed' });
    expect(await deliver(hookFor('payment.captured', first.gatewayOrderId, 'pay_first', 'evt_c1'))).toEqual({ status: 'processed' });
    // The same capture told again (another event id) does not refund it twice.
    expect(await deliver(hookFor('payment.captured', first.gatewayOrderId, 'pay_first', 'evt_c1b'))).toMatchObject({ status: 'ignored' });
    await payments.refunds.retryDue();
    expect(gateway.refunds).toMatchObject([{ gatewayPaymentId: 'pay_first', amount: 50000 }]);
    expect(await handle.db.selectFrom('refunds').select(['reason', 'status', 'gateway_payment_id']).execute()).toEqual([
      { reason: 'surplus', status: 'processed', gateway_payment_id: 'pay_first' },
    ]);
    expect((await payments.getPayment(first.paymentId)).status).toBe('refunded');
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'confirmed', paymentStatus: 'success' });
    expect(await typesOn('theatres')).toEqual(['order.confirmed']);
    expect(alerts.map(([m]) => m)).toContain('payment captured that the order did not take; refunding it automatically');
    // The order can still be refunded by staff: the paying capture, not the surplus one.
    await payments.refundOrder(order.id, { role: 'admin' });
    expect(gateway.refunds.map((r) => r.gatewayPaymentId)).toEqual(['pay_first', 'pay_second']);
  });

  it('refunds a capture that arrives after the unpaid order was cancelled, and tells the guest', async () => {
    const order = await onlineOrder();
    const started = await payments.startPayment(order.id);
    await orders.transition(order.id, 'cancel', { role: 'admin' });
    expect(await deliver(hookFor('payment.captured', started.gatewayOrderId, 'pay_late', 'evt_late'))).toEqual({ status: 'processed' });
    await payments.refunds.retryDue();
    expect(gateway.refunds).toMatchObject([{ gatewayPaymentId: 'pay_late', amount: 50000 }]);
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' });
    expect(await typesOn('theatres')).toEqual(['order.cancelled']);
    expect((await events.eventsSince(`order:${order.id}`, 0, 10)).map((e) => (e.data as { status: string }).status).at(-1)).toBe('refunded');
  });

  it('checks the amount of refund.processed and the currency of every event (finding 5)', async () => {
    const { order, started } = await paidOrder();
    const before = await snapshot();
    const oneRupee = buildWebhook({ event: 'refund.processed', gatewayOrderId: started.gatewayOrderId, gatewayPaymentId: 'pay_sim_p-2', amount: 100, secret: SECRET, eventId: 'evt_r1', at: clock.now() });
    expect(await deliver(oneRupee)).toMatchObject({ status: 'ignored' });
    expect(await snapshot()).toEqual(before);
    expect((await orders.getOrder(order.id)).status).toBe('confirmed');

    const other = await onlineOrder();
    const pay = await payments.startPayment(other.id);
    const hook = hookFor('payment.captured', pay.gatewayOrderId, 'pay_usd', 'evt_usd');
    const usd = JSON.stringify({ ...JSON.parse(hook.rawBody), payload: { payment: { entity: { ...JSON.parse(hook.rawBody).payload.payment.entity, currency: 'USD' } } } });
    const signed = { rawBody: usd, signature: (await import('./webhook.js')).signWebhook(usd, SECRET), eventId: 'evt_usd' };
    expect(await deliver(signed)).toEqual({ status: 'ignored', reason: 'currency mismatch' });
    expect((await orders.getOrder(other.id)).status).toBe('placed');
    expect(alerts.some(([m]) => m.includes('currency mismatch'))).toBe(true);
  });

  it('of 24 parallel staff refunds, one reaches the gateway and answers 200; the rest 409 (finding 6)', async () => {
    const { order } = await paidOrder();
    const results = await Promise.allSettled(Array.from({ length: 24 }, () => payments.refundOrder(order.id, { role: 'admin' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'conflict' });
    expect(gateway.refunds).toHaveLength(1);
    expect(await typesOn('theatres')).toEqual(['order.confirmed', 'order.refunded']);
  });

  it('of 6 parallel captures with distinct event ids, one confirms the order (finding 4)', async () => {
    const order = await onlineOrder();
    const started = await payments.startPayment(order.id);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => deliver(hookFor('payment.captured', started.gatewayOrderId, 'pay_once', `evt_cap_${i}`))));
    expect(results.filter((r) => r.status === 'processed')).toHaveLength(1);
    expect(await typesOn('theatres')).toEqual(['order.confirmed']);
    expect(gateway.refunds).toEqual([]);
  });

  it('a staff refund racing two refund.processed webhooks refunds once (finding 4)', async () => {
    const { order, started } = await paidOrder();
    const refundHooks = [1, 2].map((i) =>
      buildWebhook({ event: 'refund.processed', gatewayOrderId: started.gatewayOrderId, gatewayPaymentId: 'pay_sim_p-2', amount: 50000, secret: SECRET, eventId: `evt_rp_${i}`, at: clock.now(), refundId: 'rfnd_dashboard' }),
    );
    await Promise.allSettled([payments.refundOrder(order.id, { role: 'admin' }), ...refundHooks.map(deliver)]);
    expect(await typesOn('theatres')).toEqual(['order.confirmed', 'order.refunded']);
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'refunded', paymentStatus: 'refunded' });
    const statuses = (await events.eventsSince(`order:${order.id}`, 0, 10)).map((e) => (e.data as { status: string }).status);
    expect(statuses.filter((s) => s === 'refunded')).toHaveLength(1);
  });

  it('40 staff cancels racing a capture: at most one cancel wins and the final state matches the events (finding 4)', async () => {
    const order = await onlineOrder();
    const started = await payments.startPayment(order.id);
    const capture = hookFor('payment.captured', started.gatewayOrderId, 'pay_race', 'evt_race');
    const [hook, ...cancels] = await Promise.allSettled([deliver(capture), ...Array.from({ length: 40 }, () => orders.transition(order.id, 'cancel', { role: 'admin' }))]);
    expect(hook).toMatchObject({ status: 'fulfilled', value: { status: 'processed' } });
    expect(cancels.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of cancels) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'conflict' });
    const types = await typesOn(`theatre:${galaxy().id}`);
    const final = await orders.getOrder(order.id);
    expect(final.status).toBe('cancelled');
    if (types[0] === 'order.confirmed') expect(types).toEqual(['order.confirmed', 'order.cancelled']);
    else expect(types).toEqual(['order.cancelled']);
  });
});
