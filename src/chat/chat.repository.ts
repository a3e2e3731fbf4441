import { sql, type ExpressionBuilder, type Insertable, type Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Executor } from '../streams/event.repository.js';
import type { ChatConversationTable, ChatDirection, ChatMessageTable } from './chat.table.js';
import { toMessageView, type ChatMessageRow, type ConversationView } from './chat.view.js';

/** How much of the last message a conversation list shows. */
const LAST_TEXT_CHARS = 200;

/** The theatre of the phone's latest order, as a correlated subquery on `c.phone`. */
const theatreOfConversation = (eb: ExpressionBuilder<Database & { c: ChatConversationTable }, 'c'>) =>
  eb.selectFrom('orders as o').select('o.theatre_id').whereRef('o.phone', '=', 'c.phone').orderBy('o.id', 'desc').limit(1);

/** Chat storage. Every write takes the caller's transaction, so events commit with their changes. */
export class ChatRepository {
  constructor(private readonly db: Executor) {}

  /** A conversation belongs to the theatre of its phone's latest order; null when it has none. */
  async theatreOfPhone(phone: string, trx: Executor = this.db): Promise<number | null> {
    const row = await trx.selectFrom('orders').select('theatre_id').where('phone', '=', phone).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row?.theatre_id ?? null;
  }

  /** Inserts a message; undefined when its `notice_key` was already used (an automatic message sent before). */
  async insert(trx: Executor, values: Insertable<ChatMessageTable>): Promise<ChatMessageRow | undefined> {
    let q = trx.insertInto('chat_messages').values(values);
    if (values.notice_key) q = q.onConflict((oc) => oc.column('notice_key').doNothing());
    return q.returningAll().executeTakeFirst();
  }

  async find(id: number, trx: Executor = this.db): Promise<ChatMessageRow | undefined> {
    return trx.selectFrom('chat_messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByWaId(waId: string, trx: Executor = this.db): Promise<ChatMessageRow | undefined> {
    return trx.selectFrom('chat_messages').selectAll().where('wa_id', '=', waId).executeTakeFirst();
  }

  async update(trx: Executor, id: number, values: Updateable<ChatMessageTable>): Promise<ChatMessageRow> {
    return trx.updateTable('chat_messages').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  /**
   * Records a new message on its conversation: an incoming one counts as unread and asks for a
   * reply; a staff reply answers it; an automatic template changes neither.
   */
  async touchConversation(trx: Executor, phone: string, direction: ChatDirection, text: string, at: string): Promise<void> {
    const lastText = text.slice(0, LAST_TEXT_CHARS);
    const incoming = direction === 'incoming';
    await trx
      .insertInto('chat_conversations')
      .values({ phone, unread: incoming ? 1 : 0, reply_required: incoming ? 1 : 0, last_message_at: at, last_text: lastText })
      .onConflict((oc) =>
        oc.column('phone').doUpdateSet({
          unread: incoming ? sql<number>`chat_conversations.unread + 1` : sql<number>`chat_conversations.unread`,
          reply_required: incoming ? 1 : direction === 'outgoing' ? 0 : sql<number>`chat_conversations.reply_required`,
          last_message_at: at,
          last_text: lastText,
        }),
      )
      .execute();
  }

  /** Returns whether the conversation exists. */
  async markRead(phone: string): Promise<boolean> {
    const r = await this.db.updateTable('chat_conversations').set({ unread: 0 }).where('phone', '=', phone).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Conversations newest first: one theatre's, or all (with those of phones without an order). */
  async conversations(theatreId?: number, trx: Executor = this.db): Promise<ConversationView[]> {
    let q = trx
      .selectFrom('chat_conversations as c')
      .select((eb) => ['c.phone', 'c.unread', 'c.reply_required', 'c.last_message_at', 'c.last_text', theatreOfConversation(eb).as('theatre_id')]);
    if (theatreId !== undefined) q = q.where((eb) => eb(theatreOfConversation(eb), '=', theatreId));
    const rows = await q.orderBy('c.last_message_at', 'desc').orderBy('c.phone').execute();
    return rows.map((r) => ({
      phone: r.phone,
      theatreId: r.theatre_id ?? null,
      unread: Number(r.unread),
      replyRequired: Number(r.reply_required) === 1,
      lastMessageAt: r.last_message_at,
      lastText: r.last_text,
    }));
  }

  /** A conversation's messages newest first, older than `before` when given. */
  async history(phone: string, before: number | undefined, limit: number) {
    let q = this.db.selectFrom('chat_messages').selectAll().where('phone', '=', phone);
    if (before !== undefined) q = q.where('id', '<', before);
    return (await q.orderBy('id', 'desc').limit(limit).execute()).map(toMessageView);
  }

  /** Queued messages whose next attempt is due and that no live sender holds. */
  async due(now: string, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('chat_messages')
      .select('id')
      .where('status', '=', 'queued')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** The earliest time a queued message becomes due (ISO), or null when none is queued. */
  async nextDueAt(): Promise<string | null> {
    const row = await this.db
      .selectFrom('chat_messages')
      .select((eb) => eb.fn.min<string>('next_attempt_at').as('next'))
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return row?.next ?? null;
  }

  /**
   * Takes a due message for one attempt. A conditional update, so of several processes exactly
   * one gets it; the lease lets another take it over if this one dies mid-attempt.
   */
  async claim(id: number, now: string, leaseUntil: string): Promise<ChatMessageRow | undefined> {
    return this.db
      .updateTable('chat_messages')
      .set({ lease_until: leaseUntil, attempts: sql<number>`attempts + 1`, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .returningAll()
      .executeTakeFirst();
  }
}
