import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { UnitOfWork } from '../db/unit-of-work.js';
import { OrderService } from '../orders/order.service.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { manualClock, sequence, serviceWiring, VENUE_SEED } from '../seed/test-fixture.js';
import { fiscalYearOf, invoiceNumber, MAX_DOCUMENT_NUMBER_LENGTH, takeCreditNoteNumber, takeInvoiceNumber } from './invoice-numbers.js';

/** The last second of FY 2026-27 in India (IST is UTC+05:30) and the first of 2027-28. */
const LAST_SECOND = new Date('2027-03-31T18:29:59Z');
const NEW_YEAR = new Date('2027-03-31T18:30:00Z');

describe('fiscalYearOf', () => {
  it('turns at midnight of 1 April in the theatre time zone, not in UTC', () => {
    expect(fiscalYearOf(LAST_SECOND, 'Asia/Kolkata')).toBe('2026-27');
    expect(fiscalYearOf(NEW_YEAR, 'Asia/Kolkata')).toBe('2027-28');
    // The same instants in UTC are still 31 March.
    expect(fiscalYearOf(NEW_YEAR, 'UTC')).toBe('2026-27');
    expect(fiscalYearOf(new Date('2027-04-01T00:00:00Z'), 'UTC')).toBe('2027-28');
  });

  it('writes the century turn as GST documents do', () => {
    expect(fiscalYearOf(new Date('2099-06-01T00:00:00Z'), 'Asia/Kolkata')).toBe('2099-00');
    expect(fiscalYearOf(new Date('2027-01-15T00:00:00Z'), 'Asia/Kolkata')).toBe('2026-27');
  });
});

describe('invoiceNumber', () => {
  const prefixes = fc.stringMatching(/^[A-Z0-9]{1,4}$/).filter((p) => p !== 'CN');
  const years = fc.integer({ min: 2000, max: 2098 }).map((y) => `${y}-${String((y + 1) % 100).padStart(2, '0')}`);

  it('is <prefix>/<YYYY-YY>/<n> while that fits in 16 characters, then cuts the prefix one letter per digit', () => {
    expect(invoiceNumber('INV', '2026-27', 9_999)).toBe('INV/2026-27/9999');
    expect(invoiceNumber('INV', '2026-27', 10_000)).toBe('IN/2026-27/10000');
    expect(invoiceNumber('INV', '2026-27', 100_000)).toBe('I/2026-27/100000');
    expect(invoiceNumber('INV', '2026-27', 1_000_000)).toBe('2026-27/1000000');
    expect(invoiceNumber('GX', '2026-27', 99_999)).toBe('GX/2026-27/99999');
    expect(invoiceNumber('ABCD', '2026-27', 999)).toBe('ABCD/2026-27/999');
    expect(invoiceNumber('ABCD', '2026-27', 1_000)).toBe('ABC/2026-27/1000');
  });

  it('never cuts a prefix down to CN, the credit notes\' series', () => {
    expect(invoiceNumber('CNMA', '2026-27', 1_000)).toBe('CNM/2026-27/1000');
    expect(invoiceNumber('CNMA', '2026-27', 10_000)).toBe('C/2026-27/10000');
    expect(invoiceNumber('CNX', '2026-27', 10_000)).toBe('C/2026-27/10000');
  });

  it('any prefix, year and n up to 99,999,999: at most 16 characters, n at the end, a cut of the prefix in front, never a credit note number', () => {
    fc.assert(
      fc.property(prefixes, years, fc.integer({ min: 1, max: 99_999_999 }), (prefix, year, n) => {
        const number = invoiceNumber(prefix, year, n);
        expect(number.length).toBeLessThanOrEqual(MAX_DOCUMENT_NUMBER_LENGTH);
        expect(number.endsWith(`${year}/${n}`)).toBe(true);
        const front = number.slice(0, -`${year}/${n}`.length);
        if (front !== '') {
          expect(front.endsWith('/')).toBe(true);
          expect(prefix.startsWith(front.slice(0, -1))).toBe(true);
        }
        expect(number.startsWith('CN/')).toBe(false);
        if (`${prefix}/${year}/${n}`.length <= MAX_DOCUMENT_NUMBER_LENGTH) expect(number).toBe(`${prefix}/${year}/${n}`);
      }),
    );
  });

  it('two numbers of one series and year never read the same', () => {
    fc.assert(
      fc.property(prefixes, fc.integer({ min: 1, max: 99_999_999 }), fc.integer({ min: 1, max: 99_999_999 }), (prefix, a, b) => {
        fc.pre(a !== b);
        expect(invoiceNumber(prefix, '2026-27', a)).not.toBe(invoiceNumber(prefix, '2026-27', b));
      }),
    );
  });
});

const engines = await databaseEngines();

describe.each(engines)('invoice numbers on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let uow: UnitOfWork;
  const galaxy = () => venue.theatres[0]!;
  const regal = () => venue.theatres[1]!;

  beforeAll(async () => {
    handle = await engine.open();
  });
  beforeEach(async () => {
    await handle.reset();
    venue = await seed(handle.db, VENUE_SEED, manualClock().now);
    uow = new UnitOfWork(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
  });

  const take = (theatreId: number, at: Date) => uow.write((trx) => takeInvoiceNumber(trx, theatreId, at));

  it('counts from 1 per theatre and financial year, and starts again at 1 on 1 April (Asia/Kolkata)', async () => {
    expect(await take(galaxy().id, LAST_SECOND)).toBe('INV/2026-27/1');
    expect(await take(galaxy().id, LAST_SECOND)).toBe('INV/2026-27/2');
    expect(await take(galaxy().id, NEW_YEAR)).toBe('INV/2027-28/1');
    // Another theatre has its own series.
    expect(await take(regal().id, LAST_SECOND)).toBe('INV/2026-27/1');
    // A late confirmation dated in the old year continues the old series.
    expect(await take(galaxy().id, LAST_SECOND)).toBe('INV/2026-27/3');
    expect(await take(galaxy().id, NEW_YEAR)).toBe('INV/2027-28/2');
  });

  it('uses the theatre prefix and time zone; credit notes have their own CN series', async () => {
    await handle.db.updateTable('theatres').set({ invoice_prefix: 'GX', time_zone: 'UTC' }).where('id', '=', galaxy().id).execute();
    expect(await take(galaxy().id, NEW_YEAR)).toBe('GX/2026-27/1');
    expect(await uow.write((trx) => takeCreditNoteNumber(trx, galaxy().id, NEW_YEAR))).toBe('CN/2026-27/1');
    expect(await take(galaxy().id, NEW_YEAR)).toBe('GX/2026-27/2');
  });

  it('the 10,000th invoice of a year still fits in 16 characters: the default prefix gives up a letter', async () => {
    await handle.db.insertInto('document_counters').values({ theatre_id: galaxy().id, series: 'invoice', fiscal_year: '2026-27', last_number: 9_998 }).execute();
    expect(await take(galaxy().id, LAST_SECOND)).toBe('INV/2026-27/9999');
    expect(await take(galaxy().id, LAST_SECOND)).toBe('IN/2026-27/10000');
    expect(await take(galaxy().id, LAST_SECOND)).toBe('IN/2026-27/10001');
  });

  it('a rolled-back confirmation gives its number back: the next one takes it (no gap), even one waiting on it', async () => {
    expect(await take(galaxy().id, LAST_SECOND)).toBe('INV/2026-27/1');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let tookFirst!: () => void;
    const took = new Promise<void>((r) => (tookFirst = r));
    const rolledBack = uow
      .write(async (trx) => {
        expect(await takeInvoiceNumber(trx, galaxy().id, LAST_SECOND)).toBe('INV/2026-27/2');
        tookFirst();
        await held;
        throw new Error('the confirmation failed after taking its number');
      })
      .catch((err: Error) => err.message);
    await took;
    // This one queues behind the open transaction (the counter row's lock, or SQLite's write lock).
    const waiting = take(galaxy().id, LAST_SECOND);
    release();
    expect(await rolledBack).toBe('the confirmation failed after taking its number');
    expect(await waiting).toBe('INV/2026-27/2');
    expect(await take(galaxy().id, LAST_SECOND)).toBe('INV/2026-27/3');
  });

  it('30 concurrent takers of one series get 1 to 30, each once', async () => {
    const numbers = await Promise.all(Array.from({ length: 30 }, () => take(galaxy().id, NEW_YEAR)));
    expect(numbers.map((n) => Number(n.split('/')[2])).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('OrderService with a fake clock: cash orders invoiced at 23:59:59 IST on 31 March and a second later fall in two years', async () => {
    const clock = manualClock(LAST_SECOND.toISOString());
    const orders = new OrderService({ ...serviceWiring(handle.db), clock: clock.now, newToken: sequence('token') });
    const place = async () => {
      const seat = galaxy().halls[0]!.rows[0]!.seats[0]!;
      const item = galaxy().menu[0]!.items[0]!;
      return (await orders.createOrder({ seatId: seat.id, items: [{ itemId: item.id, quantity: 1 }], phone: '98765 43210', paymentMethod: 'cash' })).order;
    };
    const first = await place();
    const second = await place();
    clock.advance(1_000);
    const third = await place();
    expect([first.invoiceNumber, second.invoiceNumber, third.invoiceNumber]).toEqual(['INV/2026-27/1', 'INV/2026-27/2', 'INV/2027-28/1']);
    const stored = await handle.db.selectFrom('orders').select(['invoice_number', 'invoiced_at']).where('id', '=', third.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ invoice_number: 'INV/2027-28/1', invoiced_at: NEW_YEAR.toISOString() });
  });
});
