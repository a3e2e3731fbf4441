import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/** WhatsApp chat: messages (also the outbound queue) and per-phone conversation state. */
export function chatMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      const table = db.schema.createTable('chat_messages');
      await (dialect === 'postgres'
        ? table.addColumn('id', 'serial', (c) => c.primaryKey())
        : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('theatre_id', 'integer')
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('order_id', 'integer')
        .addColumn('wa_id', 'text', (c) => c.unique())
        .addColumn('template', 'text')
        .addColumn('template_params', 'text')
        .addColumn('notice_key', 'text', (c) => c.unique())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text')
        .addColumn('lease_until', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('chat_messages_phone_id').on('chat_messages').columns(['phone', 'id']).execute();
      await db.schema.createIndex('chat_messages_queue').on('chat_messages').columns(['status', 'next_attempt_at']).execute();

      await db.schema
        .createTable('chat_conversations')
        .addColumn('phone', 'text', (c) => c.primaryKey())
        .addColumn('unread', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reply_required', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_message_at', 'text', (c) => c.notNull())
        .addColumn('last_text', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('chat_conversations_last').on('chat_conversations').column('last_message_at').execute();

      // A conversation belongs to the theatre of its phone's latest order: looked up by phone.
      await db.schema.createIndex('orders_phone_id').on('orders').columns(['phone', 'id']).execute();
    },
  };
}
