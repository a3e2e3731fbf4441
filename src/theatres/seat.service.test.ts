import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { VENUE_SEED } from '../seed/test-fixture.js';

/** Items the seed gives no SPEC §6 extras: no description, the default veg mark, no photo. */
const unmarked = { description: null, foodType: 'veg', imageUrl: null } as const;
import { SeatService } from './seat.service.js';

const engines = await databaseEngines();

describe.each(engines)('seat page on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;

  beforeAll(async () => {
    handle = await engine.open();
    venue = await seed(handle.db, VENUE_SEED);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('shows the seat, its row, hall and theatre, and the menu by category with availability', async () => {
    const galaxy = venue.theatres[0]!;
    const hall = galaxy.halls[1]!;
    const seat = hall.rows[0]!.seats[0]!;
    const ids = galaxy.menu.map((c) => c.items.map((i) => i.id));
    expect(await new SeatService({ db: handle.db }).seatView(seat.id)).toEqual({
      seat: { id: seat.id, name: 'C1' },
      row: { id: hall.rows[0]!.id, name: 'C' },
      hall: { id: hall.id, name: 'Audi 2' },
      theatre: { id: galaxy.id, name: 'Galaxy Cinemas', cashEnabled: true, serviceEndTime: null, pricing: { taxes: [], pricesIncludeTax: false, discountPercent: 0 }, discountMessage: null },
      menu: [
        {
          id: galaxy.menu[0]!.id,
          category: 'Snacks',
          items: [
            { id: ids[0]![0], name: 'Salted Popcorn', price: 25000, maxTime: 5, available: true, ...unmarked },
            { id: ids[0]![1], name: 'Veg Samosa', price: 8000, maxTime: 10, available: true, ...unmarked },
            { id: ids[0]![2], name: 'Nachos', price: 18000, maxTime: 8, available: false, ...unmarked },
          ],
        },
        { id: galaxy.menu[1]!.id, category: 'Drinks', items: [{ id: ids[1]![0], name: 'Masala Chai', price: 6000, maxTime: 3, available: true, ...unmarked }] },
      ],
    });
  });

  it('answers 404 for an unknown seat', async () => {
    await expect(new SeatService({ db: handle.db }).seatView(999_999)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});
