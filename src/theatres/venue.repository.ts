import type { Updateable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { TheatreChanges } from './manage.input.js';
import type { TheatreTable } from './theatre.table.js';
import { settingsColumns } from './settings.js';
import type { LayoutView } from '../protocol/index.js';

/** The tables whose rows have a name unique within a parent, and that parent's column. */
export const PARENT_KEY = {
  halls: 'theatre_id',
  seat_rows: 'hall_id',
  seats: 'row_id',
  menu_categories: 'theatre_id',
  menu_items: 'category_id',
} as const;
export type NamedTable = keyof typeof PARENT_KEY;

/** `GET /api/theatres/<id>/layout`: the contract's own type. */
export type Layout = LayoutView;

// The five tables share the (id, parent, name) shape; Kysely cannot type a union of tables here.
type Untyped = { selectFrom(t: string): any; updateTable(t: string): any; deleteFrom(t: string): any };
const untyped = (db: Executor) => db as unknown as Untyped;

/**
 * Writes and reads of the venue layout (halls, rows, seats) and the theatres themselves, for the
 * management API. Creation reuses the seed's find-or-create functions (seed.repository.ts).
 */
export class VenueRepository {
  constructor(private readonly db: Executor) {}

  /** The theatre a hall, row, seat, menu category or menu item belongs to; null if it does not exist. */
  async theatreOf(table: NamedTable, id: number, trx: Executor = this.db): Promise<number | null> {
    let row: { theatre_id: number } | undefined;
    switch (table) {
      case 'halls':
      case 'menu_categories':
        row = await untyped(trx).selectFrom(table).select('theatre_id').where('id', '=', id).executeTakeFirst();
        break;
      case 'seat_rows':
        row = await trx
          .selectFrom('seat_rows')
          .innerJoin('halls', 'halls.id', 'seat_rows.hall_id')
          .select('halls.theatre_id')
          .where('seat_rows.id', '=', id)
          .executeTakeFirst();
        break;
      case 'seats':
        row = await trx
          .selectFrom('seats')
          .innerJoin('seat_rows', 'seat_rows.id', 'seats.row_id')
          .innerJoin('halls', 'halls.id', 'seat_rows.hall_id')
          .select('halls.theatre_id')
          .where('seats.id', '=', id)
          .executeTakeFirst();
        break;
      case 'menu_items':
        row = await trx
          .selectFrom('menu_items')
          .innerJoin('menu_categories', 'menu_categories.id', 'menu_items.category_id')
          .select('menu_categories.theatre_id')
          .where('menu_items.id', '=', id)
          .executeTakeFirst();
        break;
    }
    return row?.theatre_id ?? null;
  }

  /** Whether `name` is used by another row with the same parent (`exceptId` is the row being renamed). */
  async nameTaken(table: NamedTable, parentId: number, name: string, exceptId?: number, trx: Executor = this.db): Promise<boolean> {
    let q = untyped(trx).selectFrom(table).select('id').where(PARENT_KEY[table], '=', parentId).where('name', '=', name);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async parentOf(table: NamedTable, id: number, trx: Executor = this.db): Promise<number | null> {
    const row = (await untyped(trx).selectFrom(table).select(`${PARENT_KEY[table]} as parent`).where('id', '=', id).executeTakeFirst()) as
      | { parent: number }
      | undefined;
    return row?.parent ?? null;
  }

  async rename(table: NamedTable, id: number, name: string, trx: Executor = this.db): Promise<void> {
    await untyped(trx).updateTable(table).set({ name }).where('id', '=', id).execute();
  }

  /** Whether any row of `table` has `parentId` as its parent (a row of a hall, a seat of a row...). */
  async hasChildren(table: NamedTable, parentId: number, trx: Executor = this.db): Promise<boolean> {
    const row = await untyped(trx).selectFrom(table).select('id').where(PARENT_KEY[table], '=', parentId).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async seatHasOrders(seatId: number, trx: Executor = this.db): Promise<boolean> {
    const row = await trx.selectFrom('orders').select('id').where('seat_id', '=', seatId).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async deleteById(table: 'halls' | 'seat_rows' | 'seats', id: number, trx: Executor = this.db): Promise<void> {
    await untyped(trx).deleteFrom(table).where('id', '=', id).execute();
  }

  async theatreNameTaken(name: string, exceptId?: number, trx: Executor = this.db): Promise<boolean> {
    let q = trx.selectFrom('theatres').select('id').where('name', '=', name);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async updateTheatre(id: number, c: TheatreChanges, trx: Executor = this.db): Promise<void> {
    const set: Updateable<TheatreTable> = {
      ...(c.name !== undefined ? { name: c.name } : {}),
      ...(c.orderLimit !== undefined ? { order_limit: c.orderLimit } : {}),
      ...(c.cashEnabled !== undefined ? { cash_enabled: c.cashEnabled ? 1 : 0 } : {}),
      ...(c.serviceEndTime !== undefined ? { service_end_time: c.serviceEndTime } : {}),
      ...(c.unseenAlertSeconds !== undefined ? { unseen_alert_seconds: c.unseenAlertSeconds } : {}),
      ...(c.notificationPhones !== undefined ? { notification_phones: JSON.stringify(c.notificationPhones) } : {}),
      ...settingsColumns(c),
    };
    if (Object.keys(set).length === 0) return;
    await trx.updateTable('theatres').set(set).where('id', '=', id).execute();
  }

  /** Halls, rows and seats of a theatre, each level in creation (id) order. */
  async layout(theatreId: number, trx: Executor = this.db): Promise<Layout> {
    const halls = await trx.selectFrom('halls').select(['id', 'name']).where('theatre_id', '=', theatreId).orderBy('id').execute();
    if (halls.length === 0) return { halls: [] };
    const rows = await trx
      .selectFrom('seat_rows')
      .select(['id', 'name', 'hall_id'])
      .where('hall_id', 'in', halls.map((h) => h.id))
      .orderBy('id')
      .execute();
    const seats =
      rows.length === 0
        ? []
        : await trx
            .selectFrom('seats')
            .select(['id', 'name', 'row_id'])
            .where('row_id', 'in', rows.map((r) => r.id))
            .orderBy('id')
            .execute();
    return {
      halls: halls.map((h) => ({
        id: h.id,
        name: h.name,
        rows: rows
          .filter((r) => r.hall_id === h.id)
          .map((r) => ({ id: r.id, name: r.name, seats: seats.filter((s) => s.row_id === r.id).map((s) => ({ id: s.id, name: s.name })) })),
      })),
    };
  }
}
