import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { OrderRepository } from '../orders/order.repository.js';
import { OrderService } from '../orders/order.service.js';
import { seed } from '../seed/seed.service.js';
import { manualClock, sequence, serviceWiring, VENUE_SEED } from '../seed/test-fixture.js';
import { GatewayRegistry } from './gateway.factory.js';
import { PaymentService } from './payment.service.js';
import { SimulatedGateway } from './simulated.gateway.js';

const engines = await databaseEngines();

// A webhook names its order by the gateway order of one of its payments; it locks the order by
// that in one statement on PostgreSQL (OrderRepository.lock), then reads the payment under the lock.
describe.each(engines)('locking an order by its payment on $name', (engine) => {
  let handle: TestDb;
  let venue: Awaited<ReturnType<typeof seed>>;
  let orders: OrderService;
  let payments: PaymentService;

  beforeAll(async () => {
    handle = await engine.open();
    venue = await seed(handle.db, VENUE_SEED, manualClock().now);
    orders = new OrderService({ ...serviceWiring(handle.db), clock: manualClock().now, newToken: sequence('token') });
    payments = new PaymentService({ ...serviceWiring(handle.db), clock: manualClock().now, newId: sequence('p'), gateways: new GatewayRegistry([new SimulatedGateway(sequence('g'))]), webhookSecret: 'test-webhook-secret', alert: () => undefined });
  });
  afterAll(async () => {
    await handle?.close();
  });

  // Every change of an order starts here (a webhook names it by its payment's gateway order).
  it('locks an order by its id or by the gateway order of its payment, reading it with its items in order', async () => {
    const galaxy = venue.theatres[0]!;
    const [tea, coffee] = galaxy.menu.flatMap((c) => c.items).filter((i) => i.available);
    const { order } = await orders.createOrder({ seatId: galaxy.halls[0]!.rows[0]!.seats[0]!.id, items: [{ itemId: coffee!.id, quantity: 2 }, { itemId: tea!.id, quantity: 1 }], phone: '+919876543211', paymentMethod: 'online' });
    const payment = await payments.startPayment(order.id);
    const repo = new OrderRepository(handle.db);
    const read = await repo.find(order.id);
    expect(read!.items.map((i) => [i.item_id, i.quantity])).toEqual([[coffee!.id, 2], [tea!.id, 1]]);
    await handle.db.transaction().execute(async (trx) => {
      expect(await repo.lock(trx, order.id)).toEqual(read);
      expect(await repo.lock(trx, { gatewayOrderId: payment.gatewayOrderId })).toEqual(read);
      expect(await repo.lock(trx, { gatewayOrderId: 'order_nobody' })).toBeNull();
      expect(await repo.lock(trx, 999_999)).toBeNull();
      // The phone was read with the lock: no statement needed for it. A statement would see this
      // change (an order's phone never changes in the app; here it tells the two apart).
      await trx.updateTable('orders').set({ phone: '+919000000001' }).where('id', '=', order.id).execute();
      expect(await new OrderRepository(trx).phoneOf(order.id)).toBe('+919876543211');
      await trx.updateTable('orders').set({ phone: '+919876543211' }).where('id', '=', order.id).execute();
    });
  });

  it('holds the lock taken by gateway order until commit: another writer waits, then sees the change', async () => {
    if (engine.name !== 'postgres') return; // SQLite has one writer at a time by construction
    const galaxy = venue.theatres[0]!;
    const item = galaxy.menu.flatMap((c) => c.items).find((i) => i.available)!;
    const { order } = await orders.createOrder({ seatId: galaxy.halls[0]!.rows[0]!.seats[0]!.id, items: [{ itemId: item.id, quantity: 1 }], phone: '+919876543212', paymentMethod: 'online' });
    const payment = await payments.startPayment(order.id);
    const repo = new OrderRepository(handle.db);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const first = handle.db.transaction().execute(async (trx) => {
      await repo.lock(trx, { gatewayOrderId: payment.gatewayOrderId });
      locked();
      await held;
      await trx.updateTable('orders').set({ notes: 'changed by the first' }).where('id', '=', order.id).execute();
    });
    await isLocked;
    let secondRead: string | null | undefined;
    const second = handle.db.transaction().execute(async (trx) => {
      secondRead = (await repo.lock(trx, order.id))?.row.notes;
    });
    // The second is still waiting for the row while the first holds it.
    await new Promise((r) => setTimeout(r, 100));
    expect(secondRead).toBeUndefined();
    release();
    await Promise.all([first, second]);
    expect(secondRead).toBe('changed by the first');
  });

});
