import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/** Every column that holds paise. */
const MONEY_COLUMNS = [
  ['orders', 'amount'],
  ['order_items', 'price'],
  ['payments', 'amount'],
  ['menu_items', 'price'],
  ['refunds', 'amount'],
] as const;

/**
 * Money in 64-bit columns: PostgreSQL's `integer` is 32-bit, so an order total above 2^31-1
 * paise was a 500 there (SQLite's INTEGER is 64-bit already). database.ts reads int8 back as JS
 * numbers. Also the key of the client address that placed an order, so open cash orders can be
 * counted per address inside the order's transaction.
 */
export function moneyAndAbuseMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect === 'postgres') {
        for (const [table, column] of MONEY_COLUMNS) {
          await db.schema.alterTable(table).alterColumn(column, (c) => c.setDataType('bigint')).execute();
        }
      }
      await db.schema.alterTable('orders').addColumn('client_address', 'text').execute();
    },
  };
}
