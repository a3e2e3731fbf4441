import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { seed } from '../seed/seed.service.js';
import { manualClock, sequence, serviceWiring, VENUE_SEED } from '../seed/test-fixture.js';
import { OrderRepository } from './order.repository.js';
import { OrderService } from './order.service.js';

const engines = await databaseEngines();

describe.each(engines)('order ids from a URL on $name', (engine) => {
  let handle: TestDb;
  let placed: number;

  beforeAll(async () => {
    handle = await engine.open();
    const venue = await seed(handle.db, VENUE_SEED, manualClock().now);
    const galaxy = venue.theatres[0]!;
    const orders = new OrderService({ ...serviceWiring(handle.db), clock: manualClock().now, newToken: sequence('token') });
    const item = galaxy.menu.flatMap((c) => c.items).find((i) => i.available)!;
    placed = (await orders.createOrder({ seatId: galaxy.halls[0]!.rows[0]!.seats[0]!.id, items: [{ itemId: item.id, quantity: 1 }], phone: '+919876543210', paymentMethod: 'cash' })).order.id;
  });
  afterAll(async () => {
    await handle?.close();
  });

  // The payment socket asks this with the id in its path (a key holder may name any order).
  it('names an order only within the ids range: past it, no order (PostgreSQL refused to bind it)', async () => {
    const repo = new OrderRepository(handle.db);
    expect(await repo.exists(String(placed))).toBe(true);
    for (const id of ['2147483648', '99999999999', '999999999999999', '']) expect(await repo.exists(id), id).toBe(false);
  });
});
