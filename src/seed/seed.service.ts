import { settingsProblem } from '../theatres/settings.js';
import { TheatreRepository } from '../theatres/theatre.repository.js';
import type { Kysely } from 'kysely';
import { AccountRepository } from '../accounts/account.repository.js';
import type { Role } from '../accounts/account.table.js';
import { hashPassword, verifyPassword } from '../accounts/password.js';
import type { Database } from '../db/schema.js';
import type { Executor } from '../db/executor.js';
import { parseSeedInput, SeedInputError } from './seed.input.js';
import { SeedRepository } from './seed.repository.js';

export interface SeededAccount {
  id: number;
  username: string;
}

export interface SeededTheatre {
  id: number;
  name: string;
  cashEnabled: boolean;
  orderLimit: number;
  halls: Array<{ id: number; name: string; rows: Array<{ id: number; name: string; seats: Array<{ id: number; name: string }> }> }>;
  menu: Array<{ id: number; category: string; items: Array<{ id: number; name: string; price: number; maxTime: number; available: boolean }> }>;
  staff: SeededAccount[];
}

/** The seed input's tree with ids added and passwords left out. */
export interface SeedResult {
  admins: SeededAccount[];
  theatres: SeededTheatre[];
}

/**
 * Loads theatres, halls, rows, seats, menu, staff and admins, idempotently by name: a second run
 * with the same file creates nothing and returns the same ids; changed prices, limits, flags and
 * passwords are updated. Existing rows the file does not mention are left alone. One transaction.
 *
 * @throws SeedInputError (readable, one line per problem) when the input does not validate.
 */
export async function seed(db: Kysely<Database>, input: unknown, clock: () => Date = () => new Date()): Promise<SeedResult> {
  const parsed = parseSeedInput(input);
  const now = clock().toISOString();
  return db.transaction().execute(async (trx) => {
    const places = new SeedRepository();
    const admins: SeededAccount[] = [];
    for (const a of parsed.admins) admins.push(await upsertAccount(trx, a, 'admin', null, now));

    const theatres: SeededTheatre[] = [];
    for (const t of parsed.theatres) {
      const theatreId = await places.upsertTheatre(trx, t, now);
      const stored = await new TheatreRepository(trx).findTheatre(theatreId, trx);
      const problem = settingsProblem(stored!);
      if (problem) throw new SeedInputError(`invalid seed input:\ntheatre "${t.name}": ${problem}`);
      const halls: SeededTheatre['halls'] = [];
      for (const h of t.halls) {
        const hallId = await places.findOrCreateNamed(trx, 'halls', { key: 'theatre_id', id: theatreId }, h.name);
        const rows: SeededTheatre['halls'][number]['rows'] = [];
        for (const r of h.rows) {
          const rowId = await places.findOrCreateNamed(trx, 'seat_rows', { key: 'hall_id', id: hallId }, r.name);
          const seats = [];
          for (const s of r.seats) {
            seats.push({ id: await places.findOrCreateNamed(trx, 'seats', { key: 'row_id', id: rowId }, s), name: s });
          }
          rows.push({ id: rowId, name: r.name, seats });
        }
        halls.push({ id: hallId, name: h.name, rows });
      }
      const menu: SeededTheatre['menu'] = [];
      for (const [position, c] of t.menu.entries()) {
        const categoryId = await places.findOrCreateNamed(
          trx,
          'menu_categories',
          { key: 'theatre_id', id: theatreId },
          c.category,
          { position },
        );
        const items = [];
        for (const [itemPosition, i] of c.items.entries()) {
          items.push({ id: await places.upsertMenuItem(trx, categoryId, { ...i, position: itemPosition }), ...i });
        }
        menu.push({ id: categoryId, category: c.category, items });
      }
      const staff: SeededAccount[] = [];
      for (const s of t.staff) staff.push(await upsertAccount(trx, s, 'staff', theatreId, now));
      theatres.push({ id: theatreId, name: t.name, cashEnabled: t.cashEnabled, orderLimit: t.orderLimit, halls, menu, staff });
    }
    return { admins, theatres };
  });
}

/** A username already present takes the file's role, theatre and (if it changed) password. */
async function upsertAccount(
  trx: Executor,
  a: { username: string; password: string },
  role: Role,
  theatreId: number | null,
  now: string,
): Promise<SeededAccount> {
  const accounts = new AccountRepository(trx);
  const found = await accounts.findByUsername(a.username);
  if (!found) {
    const created = await accounts.insert({ username: a.username, passwordHash: await hashPassword(a.password), role, theatreId, createdAt: now });
    return { id: created.id, username: created.username };
  }
  const samePassword = await verifyPassword(a.password, found.passwordHash);
  await accounts.update(found.id, {
    role,
    theatreId,
    ...(samePassword ? {} : { passwordHash: await hashPassword(a.password) }),
  });
  return { id: found.id, username: found.username };
}
