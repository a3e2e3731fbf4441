import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Transaction } from '../db/executor.js';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { UnitOfWork } from '../db/unit-of-work.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { manualClock, sequence, VENUE_SEED } from '../seed/test-fixture.js';
import { OrderEvents, type OrderEventType } from './order.events.js';
import { OrderService } from './order.service.js';

const engines = await databaseEngines();

describe.each(engines)('order events and their reactions on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let orderEvents: OrderEvents;
  let orders: OrderService;
  let calls: string[];

  beforeAll(async () => {
    handle = await engine.open();
  });
  beforeEach(async () => {
    await handle.reset();
    const clock = manualClock();
    venue = await seed(handle.db, VENUE_SEED, clock.now);
    orderEvents = new OrderEvents();
    orders = new OrderService({ uow: new UnitOfWork(handle.db), orderEvents, clock: clock.now, newToken: sequence('token') });
    calls = [];
  });
  afterAll(async () => {
    await handle?.close();
  });

  const galaxy = () => venue.theatres[0]!;
  const cashOrder = () =>
    orders.createOrder({
      seatId: galaxy().halls[0]!.rows[0]!.seats[0]!.id,
      items: [{ itemId: galaxy().menu.flatMap((c) => c.items).find((i) => i.available)!.id, quantity: 1 }],
      phone: '9876543210',
      paymentMethod: 'cash',
    });
  const streamEvents = async () => handle.db.selectFrom('stream_events').select(['stream', 'type']).orderBy('id').execute();
  const heads = async () => handle.db.selectFrom('stream_heads').select(['stream', 'seq']).orderBy('stream').execute();

  it('runs each registered reaction once per event, in the event transaction; the events are written at its commit', async () => {
    // Each reaction says how many events its transaction holds so far: none, they are appended at the commit.
    const record = (stage: string) => async (trx: Transaction, type: OrderEventType) => {
      const held = await trx.selectFrom('stream_events').select('id').execute();
      calls.push(`${stage} ${type} ${held.length}`);
    };
    orderEvents.reactBefore(record('before'));
    orderEvents.reactAfter(record('after'));
    await cashOrder();
    expect(calls).toEqual(['before order.confirmed 0', 'after order.confirmed 0']);
    expect((await streamEvents()).map((e) => `${e.stream} ${e.type}`)).toEqual([`theatre:${galaxy().id} order.confirmed`, 'theatres order.confirmed']);
  });

  it('rolls the order and its events back when a reaction fails: nothing half-committed, no seq spent', async () => {
    orderEvents.reactAfter(async (trx, type) => {
      calls.push(type);
      await trx.insertInto('theatres').values({ name: 'written by the reaction', order_limit: 1, cash_enabled: 0, notification_phones: '[]', created_at: 'x' }).execute();
      throw new Error('reaction failed');
    });
    await expect(cashOrder()).rejects.toThrow('reaction failed');
    expect(calls).toEqual(['order.confirmed']);
    expect(await streamEvents()).toEqual([]);
    expect(await heads()).toEqual([]);
    expect(await handle.db.selectFrom('orders').select('id').execute()).toEqual([]);
    expect(await handle.db.selectFrom('theatres').select('name').where('name', '=', 'written by the reaction').execute()).toEqual([]);
  });
});
