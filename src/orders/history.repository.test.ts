import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { VENUE_SEED } from '../seed/test-fixture.js';
import { OrderHistoryRepository } from './history.repository.js';
import { OrderRepository } from './order.repository.js';
import type { OrderStatus } from './order.table.js';
import { theatreDayRange } from './theatre-day.js';

const engines = await databaseEngines();

describe('the theatre day (India, UTC+05:30)', () => {
  it('maps a calendar date to its UTC bounds and refuses dates that do not exist', () => {
    expect(theatreDayRange('2026-11-29')).toEqual({ from: '2026-11-28T18:30:00.000Z', to: '2026-11-29T18:30:00.000Z' });
    expect(theatreDayRange('2028-02-29')).toEqual({ from: '2028-02-28T18:30:00.000Z', to: '2028-02-29T18:30:00.000Z' });
    for (const bad of ['2026-02-29', '2026-13-01', '2026-11-31', '2026-1-1', 'today', '']) expect(theatreDayRange(bad)).toBeNull();
  });
});

describe.each(engines)('order history on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let history: OrderHistoryRepository;
  const ids: number[] = [];

  const insert = async (theatre: number, seatId: number, itemId: number, placedAt: string, status: OrderStatus, phone: string) => {
    const row = {
      theatre_id: theatre,
      seat_id: seatId,
      seat_name: 'S',
      row_name: 'R',
      hall_name: 'H',
      phone,
      notes: null,
      payment_method: 'cash' as const,
      payment_status: 'due' as const,
      status,
      amount: 100,
      subtotal: 100,
      max_time: 5,
      token_hash: 'x',
      placed_at: placedAt,
      confirmed_at: placedAt,
      unseen_alerted_at: null,
      updated_at: placedAt,
    };
    return handle.db.transaction().execute((trx) => new OrderRepository(trx).insert(trx, row, [{ item_id: itemId, name: 'I', price: 100, quantity: 1 }]));
  };

  beforeAll(async () => {
    handle = await engine.open();
    venue = await seed(handle.db, VENUE_SEED);
    history = new OrderHistoryRepository(handle.db);
    const [galaxy, regal] = venue.theatres;
    const seat = galaxy!.halls[0]!.rows[0]!.seats[0]!.id;
    const item = galaxy!.menu[0]!.items[0]!.id;
    ids.push(await insert(galaxy!.id, seat, item, '2026-11-28T18:29:59.999Z', 'delivered', '+919876543210'));
    ids.push(await insert(galaxy!.id, seat, item, '2026-11-28T18:30:00.000Z', 'confirmed', '+919876543211'));
    ids.push(await insert(galaxy!.id, seat, item, '2026-11-29T18:29:59.999Z', 'delivered', '+919876543210'));
    await insert(regal!.id, regal!.halls[0]!.rows[0]!.seats[0]!.id, regal!.menu[0]!.items[0]!.id, '2026-11-29T00:00:00.000Z', 'delivered', '+919876543210');
  });
  afterAll(async () => {
    await handle?.close();
  });

  const page = async (q: Partial<Parameters<OrderHistoryRepository['page']>[0]>) =>
    (await history.page({ theatreId: venue.theatres[0]!.id, limit: 50, ...q })).map((r) => r.row.id);

  it('returns one theatre’s orders newest first with their items', async () => {
    expect(await page({})).toEqual([ids[2], ids[1], ids[0]]);
    const [first] = await history.page({ theatreId: venue.theatres[0]!.id, limit: 1 });
    expect(first!.items).toEqual([expect.objectContaining({ order_id: ids[2], name: 'I', quantity: 1, price: 100 })]);
  });

  it('filters by placed-at range (half-open), status, exact phone, and pages by id', async () => {
    expect(await page({ placed: theatreDayRange('2026-11-29')! })).toEqual([ids[2], ids[1]]);
    expect(await page({ status: 'delivered' })).toEqual([ids[2], ids[0]]);
    expect(await page({ phone: '+919876543210' })).toEqual([ids[2], ids[0]]);
    expect(await page({ phone: '9876543210' })).toEqual([]);
    expect(await page({ before: ids[2], limit: 1 })).toEqual([ids[1]]);
    expect(await page({ placed: theatreDayRange('2026-11-29')!, status: 'delivered', phone: '+919876543210' })).toEqual([ids[2]]);
  });
});
