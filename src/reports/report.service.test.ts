import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { OrderRepository } from '../orders/order.repository.js';
import type { OrderStatus, PaymentMethod } from '../orders/order.table.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { VENUE_SEED } from '../seed/test-fixture.js';
import { ReportRepository } from './report.repository.js';
import { ReportService, type ReportGroupBy } from './report.service.js';
import { localMidnight, offsetSegments, parseDate } from './time-zones.js';

const engines = await databaseEngines();

describe('time zones for reports', () => {
  it('finds local midnight and the offsets in force, across a daylight-saving change', () => {
    expect(new Date(localMidnight('Asia/Kolkata', parseDate('2026-11-29')!)).toISOString()).toBe('2026-11-28T18:30:00.000Z');
    expect(new Date(localMidnight('America/New_York', parseDate('2026-03-08')!)).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(localMidnight('America/New_York', parseDate('2026-03-09')!)).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(offsetSegments('America/New_York', Date.parse('2026-03-08T05:00:00Z'), Date.parse('2026-03-09T04:00:00Z'))).toEqual([
      { until: '2026-03-08T07:00:00.000Z', minutes: -300 },
      { until: null, minutes: -240 },
    ]);
    expect(offsetSegments('Asia/Kolkata', Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z'))).toEqual([{ until: null, minutes: 330 }]);
    for (const bad of ['2026-02-29', '2026-13-01', '26-01-01', 'today']) expect(parseDate(bad)).toBeNull();
  });
});

interface Fixture {
  theatre: number;
  confirmedAt: string | null;
  status: OrderStatus;
  method?: PaymentMethod;
  subtotal: number;
  discount?: number;
  tax?: number;
  refunded?: number;
  deliveredAfterMinutes?: number;
  items: Array<{ item: number; name: string; price: number; quantity: number }>;
}

describe.each(engines)('sales reports on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let service: ReportService;
  let galaxy: number, regal: number, popcorn: number, samosa: number, coffee: number;
  const admin = { role: 'admin' } as const;

  const insert = async (f: Fixture) => {
    const discount = f.discount ?? 0;
    const tax = f.tax ?? 0;
    const amount = f.subtotal - discount + tax;
    const t = venue.theatres.find((x) => x.id === f.theatre)!;
    const at = f.confirmedAt ?? '2026-11-29T00:00:00.000Z';
    const row = {
      theatre_id: f.theatre,
      seat_id: t.halls[0]!.rows[0]!.seats[0]!.id,
      seat_name: 'S',
      row_name: 'R',
      hall_name: 'H',
      phone: '+919876543210',
      notes: null,
      payment_method: f.method ?? 'cash',
      payment_status: f.method === 'online' ? ('success' as const) : ('due' as const),
      status: f.status,
      amount,
      subtotal: f.subtotal,
      discount,
      taxes: JSON.stringify(tax ? [{ name: 'GST', rate: 5, amount: tax }] : []),
      tax_total: tax,
      refunded_amount: f.refunded ?? 0,
      max_time: 5,
      token_hash: 'x',
      placed_at: at,
      confirmed_at: f.confirmedAt,
      delivered_at: f.deliveredAfterMinutes === undefined ? null : new Date(Date.parse(at) + f.deliveredAfterMinutes * 60_000).toISOString(),
      unseen_alerted_at: null,
      updated_at: at,
    };
    const items = f.items.map((i) => ({ item_id: i.item, name: i.name, price: i.price, quantity: i.quantity }));
    return handle.db.transaction().execute((trx) => new OrderRepository(trx).insert(trx, row, items));
  };

  // Rows read loosely here: each test knows which shape its groupBy gives.
  const report = (groupBy: ReportGroupBy, from = '2026-11-29', to = '2026-11-30', theatreId?: number, actor: Parameters<ReportService['sales']>[0] = admin) =>
    service.sales(actor, { from, to, groupBy, theatreId }) as Promise<{ from: string; rows: Array<Record<string, any>>; totals: Record<string, any> }>;

  beforeAll(async () => {
    handle = await engine.open();
    venue = await seed(handle.db, VENUE_SEED);
    service = new ReportService({ db: handle.db, reports: new ReportRepository(handle.db, handle.dialect) });
    const [g, r] = venue.theatres;
    galaxy = g!.id;
    regal = r!.id;
    popcorn = g!.menu[0]!.items[0]!.id;
    samosa = g!.menu[0]!.items[1]!.id;
    coffee = r!.menu[0]!.items[0]!.id;
    await handle.db.updateTable('theatres').set({ time_zone: 'America/New_York' }).where('id', '=', regal).execute();
    const pop = (quantity: number) => ({ item: popcorn, name: 'Salted Popcorn', price: 25000, quantity });
    const sam = (quantity: number) => ({ item: samosa, name: 'Veg Samosa', price: 8000, quantity });
    // Galaxy, Asia/Kolkata: 2026-11-29 starts at 2026-11-28T18:30:00Z.
    await insert({ theatre: galaxy, confirmedAt: '2026-11-28T18:29:59.999Z', status: 'delivered', subtotal: 25000, items: [pop(1)], deliveredAfterMinutes: 5 });
    await insert({ theatre: galaxy, confirmedAt: '2026-11-28T18:30:00.000Z', status: 'delivered', subtotal: 50000, tax: 2500, items: [pop(2)], deliveredAfterMinutes: 12 });
    // Delivered, then partly refunded (the status stays delivered).
    await insert({ theatre: galaxy, confirmedAt: '2026-11-29T10:00:00.000Z', status: 'delivered', method: 'online', subtotal: 41000, discount: 4100, tax: 1845, refunded: 8000, items: [pop(1), sam(2)], deliveredAfterMinutes: 20 });
    // Cancelled before delivery: not counted.
    await insert({ theatre: galaxy, confirmedAt: '2026-11-29T12:00:00.000Z', status: 'cancelled', subtotal: 8000, items: [sam(1)] });
    // Confirmed, not delivered yet.
    await insert({ theatre: galaxy, confirmedAt: '2026-11-30T05:00:00.000Z', status: 'confirmed', method: 'online', subtotal: 16000, tax: 800, items: [sam(2)] });
    // Refunded in full before delivery: counted, its refund with it (net 0).
    await insert({ theatre: galaxy, confirmedAt: '2026-11-30T06:15:00.000Z', status: 'refunded', method: 'online', subtotal: 8000, tax: 400, refunded: 8400, items: [sam(1)] });
    // Never confirmed (unpaid online): not counted.
    await insert({ theatre: galaxy, confirmedAt: null, status: 'placed', method: 'online', subtotal: 25000, items: [pop(1)] });
    // The last instant of 2026-11-30 in Kolkata, then the first of 12-01.
    await insert({ theatre: galaxy, confirmedAt: '2026-11-30T18:29:59.999Z', status: 'seen', subtotal: 8000, items: [sam(1)] });
    await insert({ theatre: galaxy, confirmedAt: '2026-11-30T18:30:00.000Z', status: 'seen', subtotal: 8000, items: [sam(1)] });
    // Regal, America/New_York (UTC−5 in November): 2026-11-29 starts at 05:00Z.
    await insert({ theatre: regal, confirmedAt: '2026-11-29T04:59:59.999Z', status: 'delivered', subtotal: 12000, items: [{ item: coffee, name: 'Cold Coffee', price: 12000, quantity: 1 }] });
    await insert({ theatre: regal, confirmedAt: '2026-11-29T05:00:00.000Z', status: 'delivered', subtotal: 24000, items: [{ item: coffee, name: 'Cold Coffee', price: 12000, quantity: 2 }], deliveredAfterMinutes: 30 });
  });
  afterAll(async () => {
    await handle?.close();
  });

  const g = (key: string, orders: number, gross: number, discount: number, tax: number, refunds: number) => ({ key, orders, gross, discount, tax, refunds, net: gross - refunds });

  it('groups one theatre by its local day: 18:29:59.999Z is the day before in Kolkata, 18:30:00Z the next', async () => {
    const r = await report('day', '2026-11-29', '2026-11-30', galaxy);
    expect(r.rows).toEqual([g('2026-11-29', 2, 52500 + 38745, 4100, 2500 + 1845, 8000), g('2026-11-30', 3, 16800 + 8400 + 8000, 0, 800 + 400, 8400)]);
    expect(r.totals).toEqual({ ...g('', 5, 52500 + 38745 + 16800 + 8400 + 8000, 4100, 2500 + 1845 + 800 + 400, 16400), key: undefined, avgDeliveryMinutes: 16 });
    const before = await report('day', '2026-11-28', '2026-11-28', galaxy);
    expect(before.rows).toEqual([g('2026-11-28', 1, 25000, 0, 0, 0)]);
  });

  it('groups by local hour ("00"–"23"), month, payment method and theatre (each theatre in its own zone)', async () => {
    expect((await report('hour', '2026-11-29', '2026-11-30', galaxy)).rows.map((r) => [r.key, r.orders])).toEqual([
      ['00', 1],
      ['10', 1],
      ['11', 1],
      ['15', 1],
      ['23', 1],
    ]);
    expect((await report('month', '2026-11-29', '2026-11-30', galaxy)).rows).toEqual([g('2026-11', 5, 124445, 4100, 5545, 16400)]);
    expect((await report('paymentMethod', '2026-11-29', '2026-11-30', galaxy)).rows).toEqual([g('cash', 2, 60500, 0, 2500, 0), g('online', 3, 63945, 4100, 3045, 16400)]);
    const all = await report('theatre');
    expect(all.rows).toEqual([g(String(galaxy), 5, 124445, 4100, 5545, 16400), g(String(regal), 1, 24000, 0, 0, 0)]);
    expect(all.totals).toEqual({ orders: 6, gross: 148445, discount: 4100, tax: 5545, refunds: 16400, net: 132045, avgDeliveryMinutes: 20.7 });
    // Regal's hours are New York's: its order at 05:00Z is at midnight there.
    expect((await report('hour', '2026-11-29', '2026-11-29', regal)).rows.map((r) => r.key)).toEqual(['00']);
    expect((await report('day')).rows.map((r) => [r.key, r.orders])).toEqual([
      ['2026-11-29', 3],
      ['2026-11-30', 3],
    ]);
  });

  it('lists items by takings with Σ price × quantity, best seller first', async () => {
    const r = await report('item', '2026-11-29', '2026-11-30');
    expect(r.rows).toEqual([
      { key: 'Salted Popcorn', itemId: popcorn, quantity: 3, gross: 75000 },
      { key: 'Veg Samosa', itemId: samosa, quantity: 6, gross: 48000 },
      { key: 'Cold Coffee', itemId: coffee, quantity: 2, gross: 24000 },
    ]);
    expect(r.totals).toEqual({ quantity: 11, gross: 147000 });
  });

  it('follows daylight saving: a New York day is 23 hours on 2026-03-08', async () => {
    const coffeeOne = [{ item: coffee, name: 'Cold Coffee', price: 12000, quantity: 1 }];
    for (const at of ['2026-03-08T06:59:59.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T03:59:59.000Z', '2026-03-09T04:00:00.000Z']) {
      await insert({ theatre: regal, confirmedAt: at, status: 'delivered', subtotal: 12000, items: coffeeOne });
    }
    expect((await report('hour', '2026-03-08', '2026-03-08', regal)).rows.map((r) => [r.key, r.orders])).toEqual([
      ['01', 1],
      ['03', 1],
      ['23', 1],
    ]);
    expect((await report('day', '2026-03-07', '2026-03-09', regal)).rows.map((r) => [r.key, r.orders])).toEqual([
      ['2026-03-08', 3],
      ['2026-03-09', 1],
    ]);
  });

  it('staff see their own theatre only: another theatre is 404; ranges over 366 days or backwards are 422', async () => {
    const staff = { role: 'staff', theatreId: galaxy } as const;
    expect((await report('day', '2026-11-29', '2026-11-30', undefined, staff)).totals).toMatchObject({ orders: 5 });
    await expect(report('day', '2026-11-29', '2026-11-30', regal, staff)).rejects.toMatchObject({ code: 'not_found' });
    await expect(report('day', '2026-11-29', '2026-11-30', 999_999)).rejects.toMatchObject({ code: 'not_found' });
    expect((await report('day', '2026-01-01', '2027-01-01')).from).toBe('2026-01-01'); // 366 days
    await expect(report('day', '2026-01-01', '2027-01-02')).rejects.toMatchObject({ code: 'unprocessable' });
    await expect(report('day', '2026-11-30', '2026-11-29')).rejects.toMatchObject({ code: 'unprocessable' });
  });

  it('loses no paisa: over many random orders the totals and the rows add up to the orders’ own figures', async () => {
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const statuses: OrderStatus[] = ['confirmed', 'seen', 'delivered', 'cancelled', 'refunded'];
    for (let i = 0; i < 150; i++) {
      const subtotal = 1 + rand(90_000);
      const discount = rand(subtotal);
      const tax = rand(5_000);
      const status = statuses[rand(statuses.length)]!;
      const ms = Date.parse('2026-06-01T00:00:00Z') + rand(30 * 86_400) * 1000;
      await insert({
        theatre: rand(2) === 0 ? galaxy : regal,
        confirmedAt: new Date(ms).toISOString(),
        status,
        method: rand(2) === 0 ? 'cash' : 'online',
        subtotal,
        discount,
        tax,
        refunded: status === 'refunded' ? subtotal - discount + tax : rand(3) === 0 ? rand(subtotal - discount + tax) : 0,
        items: [{ item: popcorn, name: 'Salted Popcorn', price: subtotal, quantity: 1 }],
      });
    }
    const orders = await handle.db.selectFrom('orders').selectAll().where('confirmed_at', '>=', '2026-05-31T00:00:00Z').where('confirmed_at', '<', '2026-07-02T00:00:00Z').execute();
    const counted = orders.filter((o) => o.status !== 'cancelled');
    const expected = {
      orders: counted.length,
      gross: counted.reduce((s, o) => s + Number(o.amount), 0),
      discount: counted.reduce((s, o) => s + Number(o.discount), 0),
      tax: counted.reduce((s, o) => s + Number(o.tax_total), 0),
      refunds: counted.reduce((s, o) => s + Number(o.refunded_amount), 0),
    };
    for (const groupBy of ['day', 'month', 'hour', 'paymentMethod', 'theatre'] as const) {
      const r = await report(groupBy, '2026-05-31', '2026-07-01');
      expect(r.totals, groupBy).toMatchObject({ ...expected, net: expected.gross - expected.refunds });
      for (const field of ['orders', 'gross', 'discount', 'tax', 'refunds', 'net'] as const) {
        expect(r.rows.reduce((s, row) => s + (row[field] as number), 0), `${groupBy} ${field}`).toBe(r.totals[field]);
      }
    }
  });
});
