import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountService } from '../accounts/account.service.js';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { ensureDemo } from './demo.js';
import { SeedInputError } from './seed.input.js';
import { seed } from './seed.service.js';
import { SAMPLE_SEED, sequence } from './test-fixture.js';

const engines = await databaseEngines();

async function counts(handle: TestDb) {
  const out: Record<string, number> = {};
  for (const table of ['theatres', 'halls', 'seat_rows', 'seats', 'menu_categories', 'menu_items', 'accounts'] as const) {
    const row = await handle.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    out[table] = Number(row?.n);
  }
  return out;
}

describe.each(engines)('seed on $name', (engine) => {
  let handle: TestDb;
  beforeEach(async () => {
    handle = await engine.open();
  });
  afterEach(async () => {
    await handle?.close();
  });

  it('returns the input tree with ids, seats as {id,name}, and no passwords', async () => {
    const result = await seed(handle.db, SAMPLE_SEED);
    expect(result.admins).toEqual([{ id: expect.any(Number), username: 'root' }]);
    const galaxy = result.theatres[0]!;
    expect(galaxy).toMatchObject({ id: expect.any(Number), name: 'Galaxy Cinemas', cashEnabled: true, orderLimit: 3 });
    expect(galaxy.halls[0]).toEqual({
      id: expect.any(Number),
      name: 'Audi 1',
      rows: [
        { id: expect.any(Number), name: 'A', seats: [{ id: expect.any(Number), name: 'A1' }, { id: expect.any(Number), name: 'A2' }] },
        { id: expect.any(Number), name: 'B', seats: [{ id: expect.any(Number), name: 'B1' }] },
      ],
    });
    expect(galaxy.menu[0]!.items[0]).toEqual({ id: expect.any(Number), name: 'Salted Popcorn', price: 25000, maxTime: 5, available: true });
    expect(galaxy.staff).toEqual([{ id: expect.any(Number), username: 'galaxy-staff' }]);
    expect(JSON.stringify(result)).not.toContain('password');
    expect(await counts(handle)).toEqual({ theatres: 2, halls: 3, seat_rows: 4, seats: 5, menu_categories: 3, menu_items: 5, accounts: 3 });
  });

  it('creates nothing on a second run and returns the same ids', async () => {
    const first = await seed(handle.db, SAMPLE_SEED);
    const before = await counts(handle);
    expect(await seed(handle.db, SAMPLE_SEED)).toEqual(first);
    expect(await counts(handle)).toEqual(before);
  });

  it('updates prices, flags and passwords of existing rows by name', async () => {
    const first = await seed(handle.db, SAMPLE_SEED);
    const changed = structuredClone(SAMPLE_SEED);
    changed.theatres[0]!.menu[0]!.items[0]!.price = 27500;
    changed.theatres[0]!.cashEnabled = false;
    changed.theatres[0]!.staff[0]!.password = 'a-new-password';
    const second = await seed(handle.db, changed);
    expect(second.theatres[0]!.menu[0]!.items[0]).toEqual({ ...first.theatres[0]!.menu[0]!.items[0], price: 27500 });
    expect(second.theatres[0]!.cashEnabled).toBe(false);
    const accounts = new AccountService({ db: handle.db, clock: () => new Date(), newToken: sequence('t') });
    expect(await accounts.authenticate('galaxy-staff', 'a-new-password')).toMatchObject({ role: 'staff', theatreId: first.theatres[0]!.id });
    expect(await accounts.authenticate('galaxy-staff', 'staff-password-1')).toBeNull();
  });

  it('refuses invalid input with a readable message and writes nothing', async () => {
    const bad = { theatres: [{ name: 'X', orderLimit: 0, halls: [], menu: [{ category: 'C', items: [{ name: 'I', price: 9.5, maxTime: 5 }] }] }] };
    const err = await seed(handle.db, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeedInputError);
    expect((err as Error).message).toMatch(/theatres\[0\]\.orderLimit/);
    expect((err as Error).message).toMatch(/theatres\[0\]\.menu\[0\]\.items\[0\]\.price/);
    await expect(seed(handle.db, { admins: [{ username: 'a', password: 'long-enough' }, { username: 'a', password: 'long-enough' }] })).rejects.toThrow(
      /appears twice/,
    );
    expect((await counts(handle)).theatres).toBe(0);
  });

  it('creates the demo venue once, with working logins', async () => {
    const demo = await ensureDemo(handle.db, { newPassword: sequence('pw-demo') });
    expect(demo).toEqual({
      theatreId: expect.any(Number),
      sampleSeatId: expect.any(Number),
      logins: [
        { username: 'staff', password: 'pw-demo-1', role: 'staff' },
        { username: 'admin', password: 'pw-demo-2', role: 'admin' },
      ],
    });
    const accounts = new AccountService({ db: handle.db, clock: () => new Date(), newToken: sequence('t') });
    expect(await accounts.authenticate('admin', 'pw-demo-2')).toMatchObject({ role: 'admin', theatreId: null });
    expect(await ensureDemo(handle.db)).toBeNull();
  });
});
