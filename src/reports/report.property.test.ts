import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { OrderRepository } from '../orders/order.repository.js';
import { computeTotals, type PricingRules } from '../protocol/index.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { VENUE_SEED } from '../seed/test-fixture.js';
import { csvField, rupees } from './report.csv.js';
import { ReportRepository } from './report.repository.js';
import { ReportService } from './report.service.js';

const engines = await databaseEngines();

const percent = (maxHundredths: number) => fc.integer({ min: 0, max: maxHundredths }).map((h) => h / 100);
const rules: fc.Arbitrary<PricingRules> = fc.record({
  taxes: fc.array(fc.record({ name: fc.constantFrom('CGST', 'SGST', 'Cess'), rate: percent(2_800) }), { maxLength: 3 }),
  pricesIncludeTax: fc.boolean(),
  discountPercent: percent(5_000),
});
const order = fc.record({
  lines: fc.array(fc.record({ item: fc.integer({ min: 0, max: 3 }), price: fc.integer({ min: 1, max: 5_000_000 }), quantity: fc.integer({ min: 1, max: 20 }) }), { minLength: 1, maxLength: 4 }),
  rules,
  status: fc.constantFrom('confirmed' as const, 'seen' as const, 'delivered' as const, 'cancelled' as const, 'refunded' as const),
  refundShare: fc.integer({ min: 0, max: 100 }),
  second: fc.integer({ min: 0, max: 14 * 86_400 - 1 }),
  method: fc.constantFrom('cash' as const, 'online' as const),
});

describe('CSV fields', () => {
  it('writes paise as rupees exactly and quotes what needs quoting', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (p) => {
        expect(Math.round(Number(rupees(p)) * 100)).toBe(p);
      }),
    );
    expect([rupees(0), rupees(5), rupees(-5), rupees(123456)]).toEqual(['0.00', '0.05', '-0.05', '1234.56']);
    expect([csvField('Tea, hot'), csvField('2" pizza'), csvField('a\nb'), csvField('=1+1'), csvField('Chai')]).toEqual(['"Tea, hot"', '"2"" pizza"', '"a\nb"', "'=1+1", 'Chai']);
  });
});

describe.each(engines)('sales report sums on $name (property)', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let service: ReportService;

  beforeAll(async () => {
    handle = await engine.open();
    venue = await seed(handle.db, VENUE_SEED);
    service = new ReportService({ db: handle.db, reports: new ReportRepository(handle.db, handle.dialect) });
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('never loses a paisa: for random carts, taxes and discounts the report adds up to the orders’ own totals', async () => {
    const theatre = venue.theatres[0]!;
    const items = [...theatre.menu.flatMap((c) => c.items), ...venue.theatres[1]!.menu.flatMap((c) => c.items)];
    await fc.assert(
      fc.asyncProperty(fc.array(order, { minLength: 1, maxLength: 25 }), async (orders) => {
        await handle.db.deleteFrom('order_items').execute();
        await handle.db.deleteFrom('orders').execute();
        const expected = { orders: 0, gross: 0, discount: 0, tax: 0, refunds: 0, itemGross: 0, quantity: 0 };
        for (const o of orders) {
          const totals = computeTotals(o.lines, o.rules);
          const tax = totals.taxes.reduce((s, t) => s + t.amount, 0);
          const refunded = o.status === 'refunded' ? totals.total : Math.floor((totals.total * o.refundShare) / 100);
          const at = new Date(Date.parse('2026-03-01T00:00:00Z') + o.second * 1000).toISOString();
          await handle.db.transaction().execute((trx) =>
            new OrderRepository(trx).insert(
              trx,
              {
                theatre_id: theatre.id, seat_id: theatre.halls[0]!.rows[0]!.seats[0]!.id, seat_name: 'S', row_name: 'R', hall_name: 'H', phone: '+919876543210', notes: null,
                payment_method: o.method, payment_status: 'success', status: o.status, amount: totals.total, subtotal: totals.subtotal, discount: totals.discount,
                taxes: JSON.stringify(totals.taxes), tax_total: tax, refunded_amount: refunded, max_time: 5, token_hash: 'x', placed_at: at, confirmed_at: at, unseen_alerted_at: null, updated_at: at,
              },
              o.lines.map((l) => ({ item_id: items[l.item]!.id, name: items[l.item]!.name, price: l.price, quantity: l.quantity })),
            ),
          );
          if (o.status === 'cancelled') continue;
          expected.orders++;
          expected.gross += totals.total;
          expected.discount += totals.discount;
          expected.tax += tax;
          expected.refunds += refunded;
          expected.itemGross += totals.subtotal;
          expected.quantity += o.lines.reduce((s, l) => s + l.quantity, 0);
        }
        const range = { from: '2026-02-28', to: '2026-03-16', theatreId: theatre.id };
        for (const groupBy of ['day', 'hour', 'paymentMethod'] as const) {
          const r = await service.sales({ role: 'admin' }, { ...range, groupBy });
          if (r.groupBy === 'item') throw new Error('unexpected');
          const { orders: n, gross, discount, tax, refunds } = expected;
          expect(r.totals).toMatchObject({ orders: n, gross, discount, tax, refunds, net: gross - refunds });
          expect(r.rows.reduce((s, row) => s + row.net, 0)).toBe(gross - refunds);
        }
        const byItem = await service.sales({ role: 'admin' }, { ...range, groupBy: 'item' });
        expect(byItem.totals).toEqual({ quantity: expected.quantity, gross: expected.itemGross });
      }),
      { numRuns: 15 },
    );
  });
});
