import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { OrderService } from '../orders/order.service.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { manualClock, sequence, VENUE_SEED, serviceWiring } from '../seed/test-fixture.js';
import { GatewayRegistry } from './gateway.factory.js';
import { GatewayError } from './payment.gateway.js';
import { nextCheckDelay } from './payment-poller.js';
import { PaymentService } from './payment.service.js';
import { SimulatedGateway } from './simulated.gateway.js';

const engines = await databaseEngines();
const CHECKS = { afterMs: 60_000, maxIntervalMs: 300_000, giveUpMs: 3_600_000 };

describe('the backoff of status checks', () => {
  it('waits `after`, then doubles, at most the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 30].map((n) => nextCheckDelay({ ...CHECKS }, n))).toEqual([60_000, 120_000, 240_000, 300_000, 300_000, 300_000, 300_000]);
  });
});

describe.each(engines)('status check of pending payments on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let clock: ReturnType<typeof manualClock>;
  let gateway: SimulatedGateway;
  let alerts: string[];
  let confirmed: string[];
  let payments: PaymentService;
  let orders: OrderService;

  beforeAll(async () => {
    handle = await engine.open();
  });
  beforeEach(async () => {
    await handle.reset();
    clock = manualClock();
    venue = await seed(handle.db, VENUE_SEED, clock.now);
    gateway = new SimulatedGateway(sequence('g'));
    alerts = [];
    confirmed = [];
    payments = new PaymentService({
      ...serviceWiring(handle.db),
      clock: clock.now,
      newId: sequence('p'),
      gateways: new GatewayRegistry([gateway]),
      webhookSecret: 'secret',
      alert: (m) => alerts.push(m),
      statusChecks: CHECKS,
      onConfirmed: (source) => confirmed.push(source),
    });
    orders = new OrderService({ ...serviceWiring(handle.db), clock: clock.now, newToken: sequence('token'), refunds: payments });
  });
  afterAll(async () => {
    await handle?.close();
  });

  async function started() {
    const galaxy = venue.theatres[0]!;
    const { order } = await orders.createOrder({
      seatId: galaxy.halls[0]!.rows[0]!.seats[0]!.id,
      items: [{ itemId: galaxy.menu[0]!.items[0]!.id, quantity: 1 }],
      phone: '9876543210',
      paymentMethod: 'online',
    });
    return { order, payment: await payments.startPayment(order.id) };
  }
  const row = (id: number) => handle.db.selectFrom('payments').select(['status', 'check_attempts', 'next_check_at']).where('id', '=', id).executeTakeFirstOrThrow();

  it('asks nothing before `after`; then asks with backoff; a paid answer confirms the order once, counted as status_check', async () => {
    const { order, payment } = await started();
    clock.advance(59_000);
    await payments.statusChecks.round();
    expect(await row(payment.paymentId)).toMatchObject({ check_attempts: 0 });
    clock.advance(1_000);
    await payments.statusChecks.round();
    expect(await row(payment.paymentId)).toEqual({ status: 'pending', check_attempts: 1, next_check_at: new Date(clock.now().getTime() + 120_000).toISOString() });
    // Not due again yet: nothing asked.
    await payments.statusChecks.round();
    expect((await row(payment.paymentId)).check_attempts).toBe(1);

    gateway.settle(payment.gatewayOrderId, { state: 'paid', gatewayPaymentId: 'pay_lost', amount: payment.amount, currency: 'INR' });
    clock.advance(120_000);
    await payments.statusChecks.round();
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'confirmed', paymentStatus: 'success' });
    expect(confirmed).toEqual(['status_check']);
    // Final: never asked again.
    clock.advance(3_600_000);
    await payments.statusChecks.round();
    expect(confirmed).toEqual(['status_check']);
    expect((await row(payment.paymentId)).check_attempts).toBe(2);
  });

  it('a failed answer fails the attempt (the guest may retry); a payment never final is given up with an alert', async () => {
    const first = await started();
    gateway.settle(first.payment.gatewayOrderId, { state: 'failed' });
    clock.advance(60_000);
    await payments.statusChecks.round();
    expect(await orders.getOrder(first.order.id)).toMatchObject({ status: 'placed', paymentStatus: 'failed' });

    const second = await started();
    for (let i = 0; i < 30 && (await row(second.payment.paymentId)).next_check_at !== null; i++) {
      clock.advance(300_000);
      await payments.statusChecks.round();
    }
    expect(await row(second.payment.paymentId)).toMatchObject({ status: 'pending', next_check_at: null });
    expect(alerts.some((a) => a.includes('no longer checked'))).toBe(true);
  });

  it('a capture found on a superseded attempt pays the unpaid order, exactly as its webhook would', async () => {
    const { order, payment: old } = await started();
    const newer = await payments.startPayment(order.id);
    expect((await row(old.paymentId)).status).toBe('superseded');
    gateway.settle(old.gatewayOrderId, { state: 'paid', gatewayPaymentId: 'pay_old', amount: old.amount, currency: 'INR' });
    clock.advance(60_000);
    await payments.statusChecks.round();
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'confirmed', paymentStatus: 'success' });
    expect((await row(old.paymentId)).status).toBe('success');
    // The newer attempt stays open to checks: a capture on it too would be refunded as surplus.
    expect((await row(newer.paymentId)).status).toBe('pending');
  });

  it('a gateway that does not answer is asked again at the next check', async () => {
    const { order, payment } = await started();
    const real = gateway.status.bind(gateway);
    gateway.status = async () => {
      throw new GatewayError('unreachable');
    };
    clock.advance(60_000);
    await payments.statusChecks.round();
    expect(alerts).toEqual([expect.stringContaining('status check failed')]);
    gateway.status = real;
    gateway.settle(payment.gatewayOrderId, { state: 'paid', gatewayPaymentId: 'pay_x', amount: payment.amount, currency: 'INR' });
    clock.advance(120_000);
    await payments.statusChecks.round();
    expect(await orders.getOrder(order.id)).toMatchObject({ status: 'confirmed' });
  });
});
