import { sql, type Kysely, type Migration } from 'kysely';

/** Matches LAST_TEXT_CHARS of the chat repository at the time of this migration. */
const LAST_TEXT_CHARS = 200;
const INSERT_CHUNK = 200;

interface MessageRow {
  id: number;
  phone: string;
  theatre_id: number | null;
  direction: string;
  text: string;
  created_at: string;
}

interface Conversation {
  theatre_id: number;
  phone: string;
  unread: number;
  reply_required: number;
  last_message_at: string;
  last_text: string;
}

/**
 * Issue 10, finding 1: a conversation was keyed by phone and moved to the theatre of the phone's
 * latest order, even an unpaid one, so one theatre could read another's history. From here a
 * conversation is keyed by (theatre_id, phone); `theatre_id` 0 holds what no theatre owns (0
 * rather than NULL so the primary key conflicts on both SQLite and PostgreSQL, where NULLs are
 * distinct). Existing data:
 * - automatic messages go to the theatre of their order;
 * - incoming messages go to the theatre of the phone's latest confirmed, not cancelled order at
 *   the time they arrived (none: unassigned), which undoes a move by an unpaid order;
 * - staff replies keep the theatre they were written under;
 * - conversations are rebuilt from the messages; the old unread count is split over the
 *   conversations that hold the phone's newest incoming messages.
 */
export function chatPerTheatreMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.dropIndex('chat_conversations_last').execute();
      await db.schema.alterTable('chat_conversations').renameTo('chat_conversations_0002').execute();

      await sql`UPDATE chat_messages SET theatre_id = (SELECT o.theatre_id FROM orders o WHERE o.id = chat_messages.order_id)
        WHERE direction = 'template' AND order_id IS NOT NULL`.execute(db);
      await sql`UPDATE chat_messages SET theatre_id = (
          SELECT o.theatre_id FROM orders o
          WHERE o.phone = chat_messages.phone AND o.confirmed_at IS NOT NULL AND o.confirmed_at <= chat_messages.created_at AND o.status <> 'cancelled'
          ORDER BY o.confirmed_at DESC, o.id DESC LIMIT 1)
        WHERE direction = 'incoming'`.execute(db);

      await db.schema
        .createTable('chat_conversations')
        .addColumn('theatre_id', 'integer', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('unread', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reply_required', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_message_at', 'text', (c) => c.notNull())
        .addColumn('last_text', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('chat_conversations_pk', ['theatre_id', 'phone'])
        .execute();
      await db.schema.createIndex('chat_conversations_theatre_last').on('chat_conversations').columns(['theatre_id', 'last_message_at']).execute();
      await db.schema.createIndex('chat_conversations_last').on('chat_conversations').column('last_message_at').execute();

      const rows = await rebuiltConversations(db);
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db.insertInto('chat_conversations').values(rows.slice(i, i + INSERT_CHUNK)).execute();
      await db.schema.dropTable('chat_conversations_0002').execute();

      // History is read by (theatre, phone).
      await db.schema.createIndex('chat_messages_theatre_phone_id').on('chat_messages').columns(['theatre_id', 'phone', 'id']).execute();

      await db.schema
        .createTable('whatsapp_unknown_phones')
        .addColumn('phone', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('sent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('refused', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}

async function rebuiltConversations(db: Kysely<any>): Promise<Conversation[]> {
  const messages = (await db.selectFrom('chat_messages').select(['id', 'phone', 'theatre_id', 'direction', 'text', 'created_at']).orderBy('id').execute()) as MessageRow[];
  const oldUnread = new Map<string, number>();
  for (const r of (await db.selectFrom('chat_conversations_0002').select(['phone', 'unread']).execute()) as { phone: string; unread: number }[]) {
    oldUnread.set(r.phone, Number(r.unread));
  }
  const byKey = new Map<string, Conversation>();
  const incomingKeys = new Map<string, string[]>();
  for (const m of messages) {
    const theatreId = m.theatre_id ?? 0;
    const key = `${theatreId} ${m.phone}`;
    const c = byKey.get(key) ?? { theatre_id: theatreId, phone: m.phone, unread: 0, reply_required: 0, last_message_at: m.created_at, last_text: '' };
    c.last_message_at = m.created_at;
    c.last_text = m.text.slice(0, LAST_TEXT_CHARS);
    if (m.direction === 'incoming') c.reply_required = 1;
    if (m.direction === 'outgoing') c.reply_required = 0;
    byKey.set(key, c);
    if (m.direction === 'incoming') incomingKeys.set(m.phone, [...(incomingKeys.get(m.phone) ?? []), key]);
  }
  // The old count was "incoming messages since the last read": those are the phone's newest incoming ones.
  for (const [phone, keys] of incomingKeys) {
    const unread = Math.min(oldUnread.get(phone) ?? 0, keys.length);
    for (const key of keys.slice(keys.length - unread)) byKey.get(key)!.unread++;
  }
  return [...byKey.values()];
}
