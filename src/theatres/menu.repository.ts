import type { Updateable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { MenuItemChanges } from './manage.input.js';
import type { MenuItemTable } from './theatre.table.js';
import type { MenuItemView } from '../protocol/index.js';
import { toMenuItemView } from './theatre.repository.js';

/** A menu item as the management API shows it. */
export type { MenuItemView };

/** Menu reads and writes of the management API; creation reuses the seed's upserts. */
export class MenuRepository {
  constructor(private readonly db: Executor) {}

  async findItem(id: number, trx: Executor = this.db): Promise<MenuItemView | null> {
    const r = await trx.selectFrom('menu_items').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toMenuItemView(r) : null;
  }

  async findCategory(id: number, trx: Executor = this.db): Promise<{ id: number; name: string; theatreId: number } | null> {
    const r = await trx.selectFrom('menu_categories').select(['id', 'name', 'theatre_id']).where('id', '=', id).executeTakeFirst();
    return r ? { id: r.id, name: r.name, theatreId: r.theatre_id } : null;
  }

  async updateItem(id: number, c: MenuItemChanges, trx: Executor = this.db): Promise<void> {
    const set: Updateable<MenuItemTable> = {
      ...(c.name !== undefined ? { name: c.name } : {}),
      ...(c.price !== undefined ? { price: c.price } : {}),
      ...(c.maxTime !== undefined ? { max_time: c.maxTime } : {}),
      ...(c.available !== undefined ? { available: c.available ? 1 : 0 } : {}),
      ...(c.categoryId !== undefined ? { category_id: c.categoryId } : {}),
      ...(c.description !== undefined ? { description: c.description === '' ? null : c.description } : {}),
      ...(c.foodType !== undefined ? { food_type: c.foodType } : {}),
      ...(c.sortOrder !== undefined ? { position: c.sortOrder } : {}),
    };
    if (Object.keys(set).length === 0) return;
    await trx.updateTable('menu_items').set(set).where('id', '=', id).execute();
  }

  /** The position after the last category of a theatre (new categories go to the end of the menu). */
  async nextCategoryPosition(theatreId: number, trx: Executor = this.db): Promise<number> {
    const r = await trx
      .selectFrom('menu_categories')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('theatre_id', '=', theatreId)
      .executeTakeFirst();
    return r?.p === null || r?.p === undefined ? 0 : Number(r.p) + 1;
  }

  /** The position after the last item of a category. */
  async nextItemPosition(categoryId: number, trx: Executor = this.db): Promise<number> {
    const r = await trx
      .selectFrom('menu_items')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('category_id', '=', categoryId)
      .executeTakeFirst();
    return r?.p === null || r?.p === undefined ? 0 : Number(r.p) + 1;
  }
}
