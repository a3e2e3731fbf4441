import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Refunds under control (issue 13, SPEC §6):
 * - several partial refunds of one payment: the one-pending-refund-per-payment index goes (the
 *   sum refunded is bounded instead, under the order's row lock); a refund keeps the items it
 *   gave back (JSON) and the staff's reason;
 * - `orders.pricing`: the pricing rules (taxes, pricesIncludeTax, discountPercent) frozen when
 *   the order was placed, so a refund by items is priced as the order was;
 * - `refund_approvals`: a staff refund waiting for the code sent to the approver (only its hash);
 * - `refund_requests`: a guest's request, at most one open per order (a partial unique index).
 */
export function refundsMigration(dialect: DialectName): Migration {
  const money = dialect === 'postgres' ? 'bigint' : 'integer';
  const serial = <T extends { addColumn: (...a: any[]) => T }>(t: T): T =>
    dialect === 'postgres' ? t.addColumn('id', 'serial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<any>) {
      await sql`DROP INDEX IF EXISTS refunds_one_pending`.execute(db);
      await db.schema.alterTable('refunds').addColumn('items', 'text').execute();
      await db.schema.alterTable('refunds').addColumn('note', 'text').execute();
      await db.schema.alterTable('orders').addColumn('pricing', 'text').execute();

      await serial(db.schema.createTable('refund_approvals'))
        .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id'))
        .addColumn('theatre_id', 'integer', (c) => c.notNull())
        // Null: what remains when the code is given.
        .addColumn('amount', sql.raw(money))
        .addColumn('items', 'text')
        .addColumn('note', 'text')
        .addColumn('requested_by', 'integer', (c) => c.notNull())
        .addColumn('code_salt', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('wrong_tries', 'integer', (c) => c.notNull().defaultTo(0))
        // pending → used (carried out) or void (too many wrong codes).
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('refund_approvals_order').on('refund_approvals').column('order_id').execute();

      await serial(db.schema.createTable('refund_requests'))
        .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id'))
        .addColumn('theatre_id', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        // open → refunded | rejected.
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('resolution', 'text')
        .addColumn('resolved_by', 'integer')
        .addColumn('resolved_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await sql`CREATE UNIQUE INDEX refund_requests_one_open ON refund_requests (order_id) WHERE status = 'open'`.execute(db);
      await db.schema.createIndex('refund_requests_theatre').on('refund_requests').columns(['theatre_id', 'status']).execute();
    },
  };
}
