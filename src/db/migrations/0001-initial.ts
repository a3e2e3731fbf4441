import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * The initial schema. Written with Kysely's schema builder so the same code creates it on
 * SQLite and PostgreSQL; the only dialect difference (auto-increment ids) is `withId`.
 */
export function initialMigration(dialect: DialectName): Migration {
  const withId = <T extends string>(b: CreateTableBuilder<T, never>) =>
    dialect === 'postgres'
      ? b.addColumn('id', 'serial', (c) => c.primaryKey())
      : b.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  return {
    async up(db: Kysely<any>) {
      await withId(db.schema.createTable('theatres'))
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('order_limit', 'integer', (c) => c.notNull())
        .addColumn('cash_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('service_end_time', 'text')
        .addColumn('unseen_alert_seconds', 'integer')
        .addColumn('notification_phones', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('halls'))
        .addColumn('theatre_id', 'integer', (c) => c.notNull().references('theatres.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addUniqueConstraint('halls_theatre_name', ['theatre_id', 'name'])
        .execute();

      await withId(db.schema.createTable('seat_rows'))
        .addColumn('hall_id', 'integer', (c) => c.notNull().references('halls.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addUniqueConstraint('seat_rows_hall_name', ['hall_id', 'name'])
        .execute();

      await withId(db.schema.createTable('seats'))
        .addColumn('row_id', 'integer', (c) => c.notNull().references('seat_rows.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addUniqueConstraint('seats_row_name', ['row_id', 'name'])
        .execute();

      await withId(db.schema.createTable('menu_categories'))
        .addColumn('theatre_id', 'integer', (c) => c.notNull().references('theatres.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('menu_categories_theatre_name', ['theatre_id', 'name'])
        .execute();

      await withId(db.schema.createTable('menu_items'))
        .addColumn('category_id', 'integer', (c) =>
          c.notNull().references('menu_categories.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('price', 'integer', (c) => c.notNull())
        .addColumn('available', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('max_time', 'integer', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('menu_items_category_name', ['category_id', 'name'])
        .execute();

      await withId(db.schema.createTable('accounts'))
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('theatre_id', 'integer', (c) => c.references('theatres.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();

      await withId(db.schema.createTable('orders'))
        .addColumn('theatre_id', 'integer', (c) => c.notNull().references('theatres.id'))
        .addColumn('seat_id', 'integer', (c) => c.notNull().references('seats.id'))
        .addColumn('seat_name', 'text', (c) => c.notNull())
        .addColumn('row_name', 'text', (c) => c.notNull())
        .addColumn('hall_name', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('notes', 'text')
        .addColumn('payment_method', 'text', (c) => c.notNull())
        .addColumn('payment_status', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('amount', 'integer', (c) => c.notNull())
        .addColumn('max_time', 'integer', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('placed_at', 'text', (c) => c.notNull())
        .addColumn('confirmed_at', 'text')
        .addColumn('unseen_alerted_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('orders_theatre_status').on('orders').columns(['theatre_id', 'status']).execute();

      await withId(db.schema.createTable('order_items'))
        .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id').onDelete('cascade'))
        .addColumn('item_id', 'integer', (c) => c.notNull().references('menu_items.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('price', 'integer', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('order_items_order').on('order_items').column('order_id').execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('key_hash', 'text', (c) => c.primaryKey())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('answer', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('payments'))
        .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id'))
        .addColumn('gateway', 'text', (c) => c.notNull())
        .addColumn('gateway_order_id', 'text', (c) => c.notNull().unique())
        .addColumn('gateway_payment_id', 'text')
        .addColumn('amount', 'integer', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('payments_order').on('payments').column('order_id').execute();

      await db.schema
        .createTable('webhook_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('stream_heads')
        .addColumn('stream', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('stream_events'))
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('published', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('stream_events_stream_seq', ['stream', 'seq'])
        .execute();
      await db.schema.createIndex('stream_events_unpublished').on('stream_events').columns(['published', 'id']).execute();
      await db.schema.createIndex('stream_events_at').on('stream_events').column('at').execute();
    },
  };
}
