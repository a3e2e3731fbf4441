import type { Kysely, Migration } from 'kysely';

/**
 * Gateways per theatre and the status check (issue 14):
 * - `payments.next_check_at`: when the background status check next asks the payment's gateway
 *   about a payment still pending (null: never again); `check_attempts` counts those questions
 *   (the backoff grows with it). A check claims a payment with one conditional update of
 *   `next_check_at`, so of several processes one asks at a time.
 * - `payments.checkout_ref`: what the gateway's checkout needs besides the order id (Cashfree's
 *   payment_session_id, PhonePe's redirectUrl); never a secret.
 */
export function paymentStatusChecksMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('payments').addColumn('next_check_at', 'text').execute();
      await db.schema.alterTable('payments').addColumn('check_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('payments').addColumn('checkout_ref', 'text').execute();
      await db.schema.createIndex('payments_next_check').on('payments').column('next_check_at').execute();
    },
  };
}
