import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeedInput, SeedInputError } from '../src/seed/seed.input.js';
import { appEngines } from './support/app-engines.js';
import type { TestApp } from './support/test-app.js';
import { ApiClient, ROOMY_GUEST_LIMITS, startVenueWorld, type Venue } from './support/venue.js';

/*
 * Property-based tests of the edge decoders through the real HTTP app (issue 10, "prove it cannot
 * come back"): hostile strings (NUL and other control characters, lone surrogates, 1 MB), huge,
 * negative and fractional numbers, deep nesting and `__proto__` keys get the documented error
 * (400, 404, 413, 422), never a 500 or a crash, and change no row. On SQLite and PostgreSQL: the
 * NUL and 2^31 findings were PostgreSQL-only.
 */
const engines = await appEngines();
const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);
const REFUSALS = [400, 404, 413, 422];
const MB = 1024 * 1024;

/** Text no person types on purpose: a control character or a lone surrogate somewhere in it. */
const hostileText = fc
  .tuple(
    fc.string({ maxLength: 40 }),
    fc.constantFrom('\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff', '\ud83d'),
    fc.string({ maxLength: 40 }),
  )
  .map(([a, bad, b]) => a + bad + b);
/** Strings refused for what they hold or for their size (1 MB: over the body limit). */
const hostileString = fc.oneof({ weight: 8, arbitrary: hostileText }, { weight: 1, arbitrary: fc.constant('x'.repeat(MB)) }, { weight: 1, arbitrary: fc.constant('é'.repeat(600)) });
/** Numbers no id, quantity or price may be. */
const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, -(2 ** 31), 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, 1.5, Number.MIN_VALUE),
  fc.integer({ min: -(2 ** 31), max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
);
/** A value of the wrong kind where a string or number belongs. */
const wrongKind = fc.oneof(fc.constant(null), fc.boolean(), fc.constant([]), fc.constant({}), fc.string({ maxLength: 5 }).map((s) => ({ s })));
/** JSON text nested `depth` deep at `where` ("[[[...]]]"). */
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

async function send(t: TestApp, method: string, path: string, rawBody: string, cookie = ''): Promise<{ status: number; body: any }> {
  const res = await fetch(t.http(path), { method, headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: rawBody });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Every row of the tables an order or the management API could change, in id order. */
async function snapshot(t: TestApp): Promise<string> {
  const db = t.app.db;
  const tables = ['orders', 'order_items', 'theatres', 'halls', 'seat_rows', 'seats', 'menu_categories', 'menu_items'] as const;
  const rows = await Promise.all(tables.map((name) => db.selectFrom(name).selectAll().orderBy('id').execute()));
  return JSON.stringify(rows);
}

for (const engine of engines) {
  describe(`edge decoders never 500 on ${engine.name}`, () => {
    let t: TestApp, v: Venue, admin: ApiClient;
    const validOrder = () => ({ seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone: '+919876543210', paymentMethod: 'cash', notes: 'no sugar' });

    beforeAll(async () => {
      ({ t, v, admin } = await startVenueWorld({ ...engine.env(), ...ROOMY_GUEST_LIMITS }));
    });
    afterAll(async () => {
      await t?.close();
      await engine.cleanup();
    });

    it('POST /api/orders: a hostile value in any field is refused with a documented status and stores nothing', async () => {
      const before = await snapshot(t);
      const field = fc.constantFrom('seatId', 'phone', 'notes', 'paymentMethod', 'itemId', 'quantity', 'items');
      await fc.assert(
        fc.asyncProperty(field, fc.oneof(hostileString, hostileNumber, wrongKind), async (where, bad) => {
          const body: any = validOrder();
          if (where === 'itemId' || where === 'quantity') body.items[0][where] = bad;
          else body[where] = bad;
          // Numbers are legal for notes/phone only as wrong kinds; strings legal nowhere numeric.
          const r = await send(t, 'POST', '/api/orders', JSON.stringify(body));
          expect(REFUSALS).toContain(r.status);
          expect(typeof r.body.error.code).toBe('string');
        }),
        { numRuns: RUNS },
      );
      expect(await snapshot(t)).toBe(before);
    });

    it('ids beyond a 32-bit row id are refused at the edge (were 500 on PostgreSQL), in bodies, queries and paths', async () => {
      const before = await snapshot(t);
      for (const big of [2 ** 31, 2 ** 53 - 1]) {
        expect((await send(t, 'POST', '/api/orders', JSON.stringify({ ...validOrder(), seatId: big }))).status).toBe(400);
        const line = validOrder();
        line.items[0]!.itemId = big;
        expect((await send(t, 'POST', '/api/orders', JSON.stringify(line))).status).toBe(400);
        expect((await admin.call('PATCH', `/api/menu-items/${v.item(v.theatre1, 'Masala Chai')}`, { categoryId: big })).status).toBe(400);
      }
      for (const path of ['/api/orders/2147483648', '/api/orders/99999999999', '/api/seats/2147483648', '/api/theatres/9999999999/live-orders']) {
        expect({ path, status: (await admin.call('GET', path)).status }).toEqual({ path, status: 404 });
      }
      expect((await admin.call('GET', `/api/theatres/${v.theatre1.id}/orders?date=2026-12-01&before=2147483648`)).status).toBe(400);
      expect(await snapshot(t)).toBe(before);
    });

    it('POST /api/orders: __proto__ and constructor keys, deep nesting and malformed JSON are 400 and store nothing', async () => {
      const before = await snapshot(t);
      const valid = JSON.stringify(validOrder()).slice(1, -1);
      const raw = fc.oneof(
        fc.constant(`{"__proto__":{"amount":1},${valid}}`),
        fc.constant(`{${valid},"items":[{"__proto__":{"quantity":1},"itemId":${v.item(v.theatre1, 'Masala Chai')},"quantity":1}]}`),
        fc.constant(`{"constructor":{"prototype":{"admin":true}},${valid}}`),
        fc.integer({ min: 1, max: 20_000 }).map((depth) => `{${valid},"items":${nested(depth)}}`),
        fc.integer({ min: 1, max: 20_000 }).map((depth) => `{${valid},"notes":${nested(depth)}}`),
        fc.string({ maxLength: 60 }).map((s) => `{${valid},${s}`),
      );
      await fc.assert(
        fc.asyncProperty(raw, async (text) => {
          const r = await send(t, 'POST', '/api/orders', text);
          expect(r.status).toBe(400);
        }),
        { numRuns: RUNS },
      );
      expect(({} as any).amount).toBeUndefined();
      expect(await snapshot(t)).toBe(before);
    });

    it('management inputs: hostile names and numbers are refused with a documented status and change no row', async () => {
      const before = await snapshot(t);
      const layout = (await admin.call('GET', `/api/theatres/${v.theatre1.id}/layout`)).body;
      const menu = (await admin.call('GET', `/api/theatres/${v.theatre1.id}/menu`)).body;
      const hallId = v.theatre1.halls[0]!.id;
      const rowId = v.theatre1.halls[0]!.rows[0]!.id;
      const categoryId = menu.categories[0].id;
      const itemId = menu.categories[0].items[0].id;
      expect(layout).toBeTruthy();
      const requests = fc.oneof(
        hostileString.map((name) => ['POST', '/api/theatres', { name, cashEnabled: true, orderLimit: 10 }] as const),
        hostileString.map((name) => ['PATCH', `/api/theatres/${v.theatre1.id}`, { name }] as const),
        fc.oneof(hostileNumber, wrongKind).map((orderLimit) => ['PATCH', `/api/theatres/${v.theatre1.id}`, { orderLimit }] as const),
        hostileString.map((p) => ['PATCH', `/api/theatres/${v.theatre1.id}`, { notificationPhones: [p] }] as const),
        hostileString.map((name) => ['POST', `/api/theatres/${v.theatre1.id}/halls`, { name }] as const),
        hostileString.map((name) => ['PATCH', `/api/halls/${hallId}`, { name }] as const),
        hostileString.map((name) => ['POST', `/api/halls/${hallId}/rows`, { name }] as const),
        hostileString.map((name) => ['POST', `/api/rows/${rowId}/seats`, { names: ['Z1', name] }] as const),
        hostileString.map((name) => ['POST', `/api/theatres/${v.theatre1.id}/menu-categories`, { name }] as const),
        hostileString.map((name) => ['PATCH', `/api/menu-categories/${categoryId}`, { name }] as const),
        hostileString.map((name) => ['POST', `/api/menu-categories/${categoryId}/items`, { name, price: 100, maxTime: 5, available: true }] as const),
        fc.oneof(hostileNumber, wrongKind).map((price) => ['POST', `/api/menu-categories/${categoryId}/items`, { name: 'Fuzz', price, maxTime: 5, available: true }] as const),
        fc.oneof(hostileNumber, wrongKind).map((price) => ['PATCH', `/api/menu-items/${itemId}`, { price }] as const),
        hostileString.map((name) => ['PATCH', `/api/menu-items/${itemId}`, { name }] as const),
        fc.constant(['PATCH', `/api/menu-items/${itemId}`, JSON.parse('{"__proto__":{"price":1}}')] as const),
      );
      await fc.assert(
        fc.asyncProperty(requests, async ([method, path, body]) => {
          const text = body && Object.prototype.hasOwnProperty.call(body, '__proto__') ? '{"__proto__":{"price":1}}' : JSON.stringify(body);
          const r = await send(t, method, path, text, admin.cookie);
          expect(REFUSALS).toContain(r.status);
        }),
        { numRuns: RUNS * 2 },
      );
      expect(await snapshot(t)).toBe(before);
    });
  });
}

describe('seed input decoder', () => {
  it('refuses hostile names, usernames and numbers with SeedInputError, never anything else', () => {
    const theatre = (over: Record<string, unknown>) => ({ name: 'Fuzz', orderLimit: 5, halls: [{ name: 'H', rows: [{ name: 'R', seats: ['S1'] }] }], menu: [{ category: 'C', items: [{ name: 'I', price: 100, maxTime: 5 }] }], ...over });
    const input = fc.oneof(
      hostileString.map((name) => ({ theatres: [theatre({ name })] })),
      hostileString.map((name) => ({ theatres: [theatre({ halls: [{ name, rows: [] }] })] })),
      hostileString.map((name) => ({ theatres: [theatre({ halls: [{ name: 'H', rows: [{ name: 'R', seats: [name] }] }] })] })),
      hostileString.map((name) => ({ theatres: [theatre({ menu: [{ category: name, items: [] }] })] })),
      hostileString.map((name) => ({ theatres: [theatre({ menu: [{ category: 'C', items: [{ name, price: 1, maxTime: 1 }] }] })] })),
      hostileString.map((username) => ({ admins: [{ username, password: 'long-enough-password' }] })),
      hostileString.map((p) => ({ theatres: [theatre({ notificationPhones: [p] })] })),
      fc.oneof(hostileNumber, wrongKind).map((price) => ({ theatres: [theatre({ menu: [{ category: 'C', items: [{ name: 'I', price, maxTime: 5 }] }] })] })),
      fc.oneof(hostileNumber, wrongKind).map((orderLimit) => ({ theatres: [theatre({ orderLimit })] })),
      fc.constant(JSON.parse('{"__proto__":{"admins":[]},"theatres":[]}')),
    );
    fc.assert(
      fc.property(input, (value) => {
        const run = () => parseSeedInput(value);
        // __proto__ as an own key is an unknown key of a strict object: refused like any typo.
        expect(run).toThrow(SeedInputError);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
