import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Reports and feedback (SPEC §6):
 * - `orders.tax_total`: Σ of the order's `taxes[].amount`, written with the order (the JSON list
 *   stays the record of each tax), so a sales report sums taxes in SQL on both engines without
 *   parsing JSON per row. Backfilled here from the JSON of orders placed before.
 * - `orders_theatre_confirmed`: reports select a theatre's orders by confirmation time; a year of
 *   a busy theatre is a range scan of this index, not of the table.
 * - `order_feedback`: one rating per order, the unique order_id deciding a race between two posts.
 */
export function reportsAndFeedbackMigration(dialect: DialectName): Migration {
  const money = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('orders')
        .addColumn('tax_total', sql.raw(money), (c) => c.notNull().defaultTo(0))
        .execute();
      await fillTaxTotals(db, dialect);
      await db.schema.createIndex('orders_theatre_confirmed').on('orders').columns(['theatre_id', 'confirmed_at']).execute();

      await db.schema
        .createTable('order_feedback')
        .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('order_id', 'integer', (c) => c.notNull().unique().references('orders.id').onDelete('cascade'))
        .addColumn('theatre_id', 'integer', (c) => c.notNull().references('theatres.id').onDelete('cascade'))
        .addColumn('rating', 'integer', (c) => c.notNull().check(sql`rating between 1 and 5`))
        .addColumn('comment', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('order_feedback_theatre_id').on('order_feedback').columns(['theatre_id', 'id']).execute();
    },
  };
}

/** Sets each order's tax_total to Σ of its JSON taxes[].amount, in SQL (orders placed before 0007). */
export async function fillTaxTotals(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const taxSum =
    dialect === 'postgres'
      ? sql`(select coalesce(sum((t->>'amount')::bigint), 0) from json_array_elements(orders.taxes::json) t)`
      : sql`(select coalesce(sum(json_extract(t.value, '$.amount')), 0) from json_each(orders.taxes) t)`;
  await db.updateTable('orders').set({ tax_total: taxSum }).where('taxes', '<>', '[]').execute();
}
