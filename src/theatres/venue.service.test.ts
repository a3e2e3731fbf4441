import { UnitOfWork } from '../db/unit-of-work.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../accounts/session.http.js';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { manualClock, VENUE_SEED } from '../seed/test-fixture.js';
import { MenuService } from './menu.service.js';
import { VenueService } from './venue.service.js';

const engines = await databaseEngines();

describe.each(engines)('venue and menu management on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let venues: VenueService;
  let menus: MenuService;
  const audited: Array<{ action: string; id: number; fields?: readonly string[] }> = [];
  const admin: SignedIn = { account: { id: 1, username: 'root', role: 'admin', theatreId: null }, actor: { role: 'admin' } };

  beforeAll(async () => {
    handle = await engine.open();
    venue = await seed(handle.db, VENUE_SEED);
    const audit = (_by: unknown, action: string, id: number, fields?: readonly string[]) => void audited.push({ action, id, ...(fields ? { fields } : {}) });
    venues = new VenueService({ uow: new UnitOfWork(handle.db), clock: manualClock().now, audit });
    menus = new MenuService({ uow: new UnitOfWork(handle.db), audit });
  });
  afterAll(async () => {
    await handle?.close();
  });

  const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: { status: number; code: string }) => ({ status: e.status, code: e.code }));

  it('lets exactly one of two concurrent creations of the same name win; the other is 409', async () => {
    const theatreId = venue.theatres[0]!.id;
    const results = await Promise.all([errorOf(venues.create(admin, 'halls', theatreId, ['Audi 9'])), errorOf(venues.create(admin, 'halls', theatreId, ['Audi 9']))]);
    expect(results.filter((r) => r === null)).toHaveLength(1);
    expect(results.filter((r) => r !== null)).toEqual([{ status: 409, code: 'conflict' }]);
    const both = await Promise.all([
      errorOf(venues.createTheatre(admin, { name: 'Twin', cashEnabled: true, orderLimit: 1 })),
      errorOf(venues.createTheatre(admin, { name: 'Twin', cashEnabled: true, orderLimit: 1 })),
    ]);
    expect(both.filter((r) => r === null)).toHaveLength(1);
    expect(both.filter((r) => r !== null)).toEqual([{ status: 409, code: 'conflict' }]);
  });

  it('creates menu entries at the end and audits each change by id', async () => {
    const theatreId = venue.theatres[0]!.id;
    const category = await menus.createCategory(admin, theatreId, 'Combos');
    const item = await menus.createItem(admin, category.id, { name: 'Popcorn + Cola', price: 35000, maxTime: 5, available: true });
    const staff: SignedIn = { account: { id: 2, username: 's', role: 'staff', theatreId }, actor: { role: 'staff', theatreId } };
    expect(await menus.updateItem(staff, item.id, { available: false })).toMatchObject({ id: item.id, available: false });
    expect(await errorOf(menus.updateItem(staff, item.id, { name: 'Cheaper' }))).toEqual({ status: 403, code: 'forbidden' });
    const other: SignedIn = { account: { id: 3, username: 'o', role: 'staff', theatreId: venue.theatres[1]!.id }, actor: { role: 'staff', theatreId: venue.theatres[1]!.id } };
    expect(await errorOf(menus.updateItem(other, item.id, { available: true }))).toEqual({ status: 404, code: 'not_found' });
    const view = await menus.menuOf(admin, theatreId);
    expect(view.categories.at(-1)).toEqual({ id: category.id, name: 'Combos', items: [{ ...item, available: false }] });
    expect(audited.slice(-3)).toEqual([
      { action: 'menu_category.create', id: category.id },
      { action: 'menu_item.create', id: item.id },
      { action: 'menu_item.update', id: item.id, fields: ['available'] },
    ]);
  });
});
