import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Running the business (SPEC §6): a theatre's legal and tax settings, richer menu items, an
 * order's totals, invoice number and who served it, and the counters that number invoices and
 * credit notes without gaps.
 */
export function businessMigration(dialect: DialectName): Migration {
  const money = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await addColumns(db, 'theatres', [
        ['legal_name', 'text'],
        ['gstin', 'text'],
        ['address', 'text'],
        ['time_zone', 'text', `'Asia/Kolkata'`],
        // JSON [{name, rate}] with rate in percent (up to two decimals).
        ['taxes', 'text', `'[]'`],
        ['prices_include_tax', 'integer', '0'],
        // Hundredths of a percent (basis points): 12.5 % is 1250, so no float reaches the totals.
        ['discount_bp', 'integer', '0'],
        ['discount_message', 'text'],
        ['invoice_prefix', 'text', `'INV'`],
        ['refund_approval', 'text', `'none'`],
        ['approver_phone', 'text'],
        ['gateway', 'text'],
      ]);
      await addColumns(db, 'menu_items', [
        ['description', 'text'],
        ['food_type', 'text', `'veg'`],
        ['image_key', 'text'],
      ]);
      await addColumns(db, 'orders', [
        ['subtotal', money],
        ['discount', money, '0'],
        ['taxes', 'text', `'[]'`],
        ['refunded_amount', money, '0'],
        ['invoice_number', 'text'],
        ['invoiced_at', 'text'],
        // The seller as the invoice was issued (JSON {legalName, gstin, address}): a GST invoice
        // keeps the details it was issued with when the theatre later changes its settings.
        ['invoice_seller', 'text'],
        ['seen_by_id', 'integer'],
        ['seen_by_username', 'text'],
        ['seen_at', 'text'],
        ['delivered_by_id', 'integer'],
        ['delivered_by_username', 'text'],
        ['delivered_at', 'text'],
      ]);
      // A refund's credit note (issued by the refunds feature in its series, 'CN/<YYYY-YY>/<n>').
      await addColumns(db, 'refunds', [
        ['credit_note_number', 'text'],
        ['credit_note_at', 'text'],
      ]);
      // Orders placed before taxes existed: their amount was their subtotal.
      await db.updateTable('orders').set({ subtotal: sql`amount` }).execute();

      // One row per theatre, series ('invoice' or 'credit_note') and financial year ('2026-27'):
      // the last number given. Taking a number is an upsert in the transaction that uses it, so
      // PostgreSQL's row lock orders concurrent takers and a rolled-back one gives its number back.
      await db.schema
        .createTable('document_counters')
        .addColumn('theatre_id', 'integer', (c) => c.notNull().references('theatres.id').onDelete('cascade'))
        .addColumn('series', 'text', (c) => c.notNull())
        .addColumn('fiscal_year', 'text', (c) => c.notNull())
        .addColumn('last_number', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('document_counters_pk', ['theatre_id', 'series', 'fiscal_year'])
        .execute();
      await db.schema.createIndex('orders_invoice_number').on('orders').columns(['theatre_id', 'invoice_number']).unique().execute();
    },
  };
}

type Column = [name: string, type: string, defaultSql?: string];

async function addColumns(db: Kysely<any>, table: string, columns: Column[]): Promise<void> {
  for (const [name, type, def] of columns) {
    await db.schema
      .alterTable(table)
      .addColumn(name, sql.raw(type), (c) => (def === undefined ? c : c.notNull().defaultTo(sql.raw(def))))
      .execute();
  }
}
