import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountRepository } from '../accounts/account.repository.js';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { SAMPLE_SEED } from '../seed/test-fixture.js';
import { MenuRepository } from './menu.repository.js';
import { VenueRepository } from './venue.repository.js';

const engines = await databaseEngines();

describe.each(engines)('management queries on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let repo: VenueRepository;
  let menu: MenuRepository;

  beforeAll(async () => {
    handle = await engine.open();
    venue = await seed(handle.db, SAMPLE_SEED);
    repo = new VenueRepository(handle.db);
    menu = new MenuRepository(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
  });

  const galaxy = () => venue.theatres[0]!;

  it('finds the theatre of halls, rows, seats, categories and items; null for unknown ids', async () => {
    const g = galaxy();
    const hall = g.halls[0]!;
    expect(await repo.theatreOf('halls', hall.id)).toBe(g.id);
    expect(await repo.theatreOf('seat_rows', hall.rows[0]!.id)).toBe(g.id);
    expect(await repo.theatreOf('seats', hall.rows[0]!.seats[0]!.id)).toBe(g.id);
    expect(await repo.theatreOf('menu_categories', g.menu[0]!.id)).toBe(g.id);
    expect(await repo.theatreOf('menu_items', g.menu[0]!.items[0]!.id)).toBe(g.id);
    expect(await repo.theatreOf('seats', 999_999)).toBeNull();
  });

  it('checks names within a parent, excluding the row being renamed', async () => {
    const hall = galaxy().halls[0]!;
    expect(await repo.nameTaken('seat_rows', hall.id, 'A')).toBe(true);
    expect(await repo.nameTaken('seat_rows', hall.id, 'A', hall.rows[0]!.id)).toBe(false);
    expect(await repo.nameTaken('seat_rows', galaxy().halls[1]!.id, 'A')).toBe(false);
    expect(await repo.theatreNameTaken('Galaxy Cinemas')).toBe(true);
    expect(await repo.theatreNameTaken('Galaxy Cinemas', galaxy().id)).toBe(false);
    expect(await repo.parentOf('seat_rows', hall.rows[0]!.id)).toBe(hall.id);
    expect(await repo.hasChildren('seat_rows', hall.id)).toBe(true);
    expect(await repo.seatHasOrders(hall.rows[0]!.seats[0]!.id)).toBe(false);
  });

  it('reads the layout in creation order and updates a theatre partially', async () => {
    const g = galaxy();
    expect(await repo.layout(g.id)).toEqual({ halls: g.halls.map((h) => ({ id: h.id, name: h.name, rows: h.rows })) });
    await repo.updateTheatre(g.id, { notificationPhones: ['+919876543210'], serviceEndTime: '23:00' });
    const row = await handle.db.selectFrom('theatres').selectAll().where('id', '=', g.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Galaxy Cinemas', order_limit: 3, cash_enabled: 1, service_end_time: '23:00', notification_phones: '["+919876543210"]' });
  });

  it('appends menu positions and updates items field by field', async () => {
    const g = galaxy();
    expect(await menu.nextCategoryPosition(g.id)).toBe(2);
    expect(await menu.nextItemPosition(g.menu[0]!.id)).toBe(3);
    const id = g.menu[0]!.items[0]!.id;
    await menu.updateItem(id, { available: false, price: 26000 });
    expect(await menu.findItem(id)).toEqual({ id, categoryId: g.menu[0]!.id, name: 'Salted Popcorn', price: 26000, maxTime: 5, available: false, description: null, foodType: 'veg', imageUrl: null, sortOrder: 0 });
  });

  it('lists staff, changes a password hash, and deletes an account with its sessions', async () => {
    const accounts = new AccountRepository(handle.db);
    const staff = galaxy().staff[0]!;
    expect(await accounts.listStaff(galaxy().id)).toEqual([{ id: staff.id, username: 'galaxy-staff' }]);
    await accounts.insertSession({ idHash: 'h1', accountId: staff.id, createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' });
    await accounts.setPasswordHash(staff.id, 'scrypt$new');
    expect((await accounts.findByUsername('galaxy-staff'))!.passwordHash).toBe('scrypt$new');
    await accounts.deleteSessionsOf(staff.id);
    expect(await accounts.findSession('h1', '2026-01-01T00:00:00.000Z')).toBeNull();
    await accounts.delete(staff.id);
    expect(await accounts.findById(staff.id)).toBeNull();
  });
});
