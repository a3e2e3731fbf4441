import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Payment attempts and refunds under races (issue 10):
 * - `orders.live_payment_id`: the one attempt whose outcome the order follows (the newest one
 *   started, or the one that paid it). A late failure of any other attempt changes nothing.
 * - `refunds`: every refund we ask a gateway for, with the idempotency key sent to it, so a
 *   retry never refunds twice; at most one pending refund per captured gateway payment (a
 *   partial unique index, on both dialects), so parallel staff refunds make one gateway call.
 */
export function paymentAttemptsMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('orders').addColumn('live_payment_id', 'integer').execute();
      const table = db.schema.createTable('refunds');
      await (dialect === 'postgres'
        ? table.addColumn('id', 'serial', (c) => c.primaryKey())
        : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
        .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id'))
        .addColumn('payment_id', 'integer', (c) => c.notNull().references('payments.id'))
        .addColumn('gateway', 'text', (c) => c.notNull())
        .addColumn('gateway_payment_id', 'text', (c) => c.notNull())
        .addColumn('amount', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('gateway_refund_id', 'text', (c) => c.unique())
        .addColumn('requested_by', 'integer')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('refunds_order').on('refunds').column('order_id').execute();
      await sql`CREATE UNIQUE INDEX refunds_one_pending ON refunds (gateway_payment_id) WHERE status = 'pending'`.execute(db);
      await db.schema.createIndex('refunds_gateway_payment').on('refunds').column('gateway_payment_id').execute();
      await db.schema.createIndex('refunds_due').on('refunds').columns(['status', 'next_attempt_at']).execute();
    },
  };
}
