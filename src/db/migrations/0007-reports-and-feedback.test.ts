import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderRepository } from '../../orders/order.repository.js';
import { seed } from '../../seed/seed.service.js';
import { VENUE_SEED } from '../../seed/test-fixture.js';
import { databaseEngines, type TestDb } from '../test-databases.js';
import { fillTaxTotals } from './0007-reports-and-feedback.js';

const engines = await databaseEngines();

describe.each(engines)('migration 0007 (reports and feedback) on $name', (engine) => {
  let handle: TestDb;
  beforeAll(async () => {
    handle = await engine.open();
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('fills tax_total of older orders from their JSON taxes, to the paisa', async () => {
    const venue = await seed(handle.db, VENUE_SEED);
    const t = venue.theatres[0]!;
    const at = '2026-11-29T10:00:00.000Z';
    const insert = (taxes: string) =>
      handle.db.transaction().execute((trx) =>
        new OrderRepository(trx).insert(
          trx,
          { theatre_id: t.id, seat_id: t.halls[0]!.rows[0]!.seats[0]!.id, seat_name: 'S', row_name: 'R', hall_name: 'H', phone: '+919876543210', notes: null, payment_method: 'cash', payment_status: 'due', status: 'confirmed', amount: 10_251, subtotal: 10_000, taxes, max_time: 5, token_hash: 'x', placed_at: at, confirmed_at: at, unseen_alerted_at: null, updated_at: at },
          [{ item_id: t.menu[0]!.items[0]!.id, name: 'I', price: 10_000, quantity: 1 }],
        ),
      );
    const taxed = await insert('[{"name":"CGST","rate":2.5,"amount":125},{"name":"SGST","rate":2.51,"amount":126}]');
    const untaxed = await insert('[]');
    await fillTaxTotals(handle.db, handle.dialect);
    const rows = await handle.db.selectFrom('orders').select(['id', 'tax_total']).orderBy('id').execute();
    expect(rows.map((r) => [r.id, Number(r.tax_total)])).toEqual([
      [taxed, 251],
      [untaxed, 0],
    ]);
  });
});
