import type { Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { MenuItemTable, TheatreTable } from './theatre.table.js';
import type { MenuItemView, TheatreView } from '../protocol/index.js';
import { toSettings } from './settings.js';

/** A theatre as the API shows it: the contract's own type. */
export type Theatre = TheatreView;

export interface MenuItem extends MenuItemView {
  theatreId: number;
}

/** Where a menu photo is served (web.routes.ts); the key changes with the photo, so it caches forever. */
export const MENU_IMAGE_PATH = '/media/menu/';
export const imageUrlOf = (key: string | null): string | null => (key === null ? null : `${MENU_IMAGE_PATH}${key}`);

/** A menu item row as the API shows it. */
export const toMenuItemView = (r: Selectable<MenuItemTable>): MenuItemView => ({
  id: r.id,
  categoryId: r.category_id,
  name: r.name,
  price: r.price,
  maxTime: r.max_time,
  available: r.available === 1,
  description: r.description,
  foodType: r.food_type,
  imageUrl: imageUrlOf(r.image_key),
  sortOrder: r.position,
});

export interface MenuCategory {
  id: number;
  name: string;
  items: MenuItem[];
}

export interface SeatPlace {
  seat: { id: number; name: string };
  row: { id: number; name: string };
  hall: { id: number; name: string };
  theatre: Theatre;
}

export const toTheatre = (r: Selectable<TheatreTable>): Theatre => ({
  id: r.id,
  name: r.name,
  orderLimit: r.order_limit,
  cashEnabled: r.cash_enabled === 1,
  serviceEndTime: r.service_end_time,
  unseenAlertSeconds: r.unseen_alert_seconds,
  notificationPhones: JSON.parse(r.notification_phones) as string[],
  ...toSettings(r),
});

const toItem = (r: Selectable<MenuItemTable> & { theatre_id: number }): MenuItem => ({ ...toMenuItemView(r), theatreId: r.theatre_id });

/** Read access to theatres, their seats and menus. Every method takes an optional transaction. */
export class TheatreRepository {
  constructor(private readonly db: Executor) {}

  async findTheatre(id: number, trx: Executor = this.db): Promise<Theatre | null> {
    const row = await trx.selectFrom('theatres').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toTheatre(row) : null;
  }

  async listTheatres(trx: Executor = this.db): Promise<Theatre[]> {
    const rows = await trx.selectFrom('theatres').selectAll().orderBy('id').execute();
    return rows.map(toTheatre);
  }

  async hasTheatres(trx: Executor = this.db): Promise<boolean> {
    const row = await trx.selectFrom('theatres').select('id').limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** The seat with its row, hall and theatre; null when there is no such seat. */
  async findSeatPlace(seatId: number, trx: Executor = this.db): Promise<SeatPlace | null> {
    const row = await trx
      .selectFrom('seats')
      .innerJoin('seat_rows', 'seat_rows.id', 'seats.row_id')
      .innerJoin('halls', 'halls.id', 'seat_rows.hall_id')
      .select([
        'seats.id as seat_id',
        'seats.name as seat_name',
        'seat_rows.id as row_id',
        'seat_rows.name as row_name',
        'halls.id as hall_id',
        'halls.name as hall_name',
        'halls.theatre_id as theatre_id',
      ])
      .where('seats.id', '=', seatId)
      .executeTakeFirst();
    if (!row) return null;
    const theatre = await this.findTheatre(row.theatre_id, trx);
    if (!theatre) return null;
    return {
      seat: { id: row.seat_id, name: row.seat_name },
      row: { id: row.row_id, name: row.row_name },
      hall: { id: row.hall_id, name: row.hall_name },
      theatre,
    };
  }

  /** The theatre's menu by category, in menu order, unavailable items included. */
  async menu(theatreId: number, trx: Executor = this.db): Promise<MenuCategory[]> {
    const categories = await trx
      .selectFrom('menu_categories')
      .select(['id', 'name'])
      .where('theatre_id', '=', theatreId)
      .orderBy('position')
      .orderBy('id')
      .execute();
    const items = await trx
      .selectFrom('menu_items')
      .innerJoin('menu_categories', 'menu_categories.id', 'menu_items.category_id')
      .selectAll('menu_items')
      .select('menu_categories.theatre_id')
      .where('menu_categories.theatre_id', '=', theatreId)
      .orderBy('menu_items.position')
      .orderBy('menu_items.id')
      .execute();
    return categories.map((c) => ({
      id: c.id,
      name: c.name,
      items: items.filter((i) => i.category_id === c.id).map(toItem),
    }));
  }

  /** Menu items by id, whatever their theatre (the caller checks it). */
  async findItems(ids: readonly number[], trx: Executor = this.db): Promise<MenuItem[]> {
    if (ids.length === 0) return [];
    const rows = await trx
      .selectFrom('menu_items')
      .innerJoin('menu_categories', 'menu_categories.id', 'menu_items.category_id')
      .selectAll('menu_items')
      .select('menu_categories.theatre_id')
      .where('menu_items.id', 'in', [...ids])
      .execute();
    return rows.map(toItem);
  }
}
