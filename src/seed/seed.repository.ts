import { settingsColumns } from '../theatres/settings.js';
import type { TheatreSettingsChanges } from '../theatres/settings.input.js';
import type { Executor, Transaction } from '../db/executor.js';

/**
 * `createOnly` (the management API's creates) skips the lookup and inserts: a name taken by a
 * concurrent writer then fails on the unique (parent, name) constraint, which the caller answers
 * with 409, instead of silently returning the other writer's row.
 */
export interface CreateMode {
  createOnly?: boolean;
}

type Named = 'halls' | 'seat_rows' | 'seats' | 'menu_categories';
type ParentKey = 'theatre_id' | 'hall_id' | 'row_id';

/**
 * Find-or-create by natural key (the names the seed file uses), updating the mutable fields of
 * rows that already exist. Each returns the row id, inside the caller's transaction (the seed's,
 * or a management API create's).
 */
export class SeedRepository {
  async upsertTheatre(
    trx: Transaction,
    t: {
      name: string;
      orderLimit: number;
      cashEnabled: boolean;
      serviceEndTime?: string | null | undefined;
      unseenAlertSeconds?: number | null | undefined;
      notificationPhones?: string[] | undefined;
    } & TheatreSettingsChanges,
    now: string,
    mode: CreateMode = {},
  ): Promise<number> {
    const fields = {
      order_limit: t.orderLimit,
      cash_enabled: t.cashEnabled ? 1 : 0,
      // Optional fields the file leaves out keep their stored value.
      ...(t.serviceEndTime !== undefined ? { service_end_time: t.serviceEndTime } : {}),
      ...(t.unseenAlertSeconds !== undefined ? { unseen_alert_seconds: t.unseenAlertSeconds } : {}),
      ...(t.notificationPhones !== undefined ? { notification_phones: JSON.stringify(t.notificationPhones) } : {}),
      ...settingsColumns(t),
    };
    const found = mode.createOnly ? undefined : await trx.selectFrom('theatres').select('id').where('name', '=', t.name).executeTakeFirst();
    if (found) {
      await trx.updateTable('theatres').set(fields).where('id', '=', found.id).execute();
      return found.id;
    }
    const row = await trx
      .insertInto('theatres')
      .values({ name: t.name, created_at: now, ...fields, notification_phones: fields.notification_phones ?? '[]' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Halls, rows, seats and categories: unique by (parent, name). */
  async findOrCreateNamed(
    trx: Transaction,
    table: Named,
    parent: { key: ParentKey; id: number },
    name: string,
    extra: { position?: number } = {},
    mode: CreateMode = {},
  ): Promise<number> {
    // The four tables share the (parent, name) shape; Kysely cannot type a union of tables here.
    const t = trx as unknown as Executor & { selectFrom(t: string): any; insertInto(t: string): any; updateTable(t: string): any };
    const found = mode.createOnly
      ? undefined
      : ((await t.selectFrom(table).select('id').where(parent.key, '=', parent.id).where('name', '=', name).executeTakeFirst()) as { id: number } | undefined);
    if (found) {
      if (extra.position !== undefined) {
        await t.updateTable(table).set({ position: extra.position }).where('id', '=', found.id).execute();
      }
      return found.id;
    }
    const row = (await t
      .insertInto(table)
      .values({ [parent.key]: parent.id, name, ...extra })
      .returning('id')
      .executeTakeFirstOrThrow()) as { id: number };
    return row.id;
  }

  async upsertMenuItem(
    trx: Transaction,
    categoryId: number,
    i: { name: string; price: number; maxTime: number; available: boolean; position: number; description?: string | null | undefined; foodType?: 'veg' | 'nonveg' | 'egg' | undefined },
    mode: CreateMode = {},
  ): Promise<number> {
    const fields = {
      price: i.price,
      max_time: i.maxTime,
      available: i.available ? 1 : 0,
      position: i.position,
      // Left out of the seed file: keep what is stored.
      ...(i.description !== undefined ? { description: i.description === '' ? null : i.description } : {}),
      ...(i.foodType !== undefined ? { food_type: i.foodType } : {}),
    };
    const found = mode.createOnly
      ? undefined
      : await trx.selectFrom('menu_items').select('id').where('category_id', '=', categoryId).where('name', '=', i.name).executeTakeFirst();
    if (found) {
      await trx.updateTable('menu_items').set(fields).where('id', '=', found.id).execute();
      return found.id;
    }
    const row = await trx
      .insertInto('menu_items')
      .values({ category_id: categoryId, name: i.name, ...fields })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }
}
