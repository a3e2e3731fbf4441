import { sql, type Insertable, type Updateable } from 'kysely';
import { sanitizeText } from '../http/safe-text.js';
import type { Executor, Transaction } from '../db/executor.js';
import { UNASSIGNED_THEATRE, type ChatDirection, type ChatMessageTable } from './chat.table.js';
import { toMessageView, type ChatMessageRow, type ConversationView } from './chat.view.js';

/** How much of the last message a conversation list shows. */
const LAST_TEXT_CHARS = 200;

/** A conversation's theatre: a theatre id, or null for the unassigned one (admins only). */
export type ConversationTheatre = number | null;

const keyOf = (theatreId: ConversationTheatre): number => theatreId ?? UNASSIGNED_THEATRE;
const theatreOfKey = (key: number): ConversationTheatre => (Number(key) === UNASSIGNED_THEATRE ? null : Number(key));

/** Chat storage. Every write takes the caller's transaction, so events commit with their changes. */
export class ChatRepository {
  constructor(private readonly db: Executor) {}

  /**
   * The theatre an incoming message from `phone` is filed under: that of the phone's latest
   * confirmed order (paid online, or a cash order) that was not cancelled; null when there is none.
   * An order that was only placed moves nothing: anyone can place one with any number.
   */
  async theatreForIncoming(phone: string, trx: Executor = this.db): Promise<ConversationTheatre> {
    const row = await trx
      .selectFrom('orders')
      .select('theatre_id')
      .where('phone', '=', phone)
      .where('confirmed_at', 'is not', null)
      .where('status', '!=', 'cancelled')
      .orderBy('confirmed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.theatre_id ?? null;
  }

  /** The theatres `phone` has a conversation with (null: the unassigned one). */
  async theatresOfPhone(phone: string, trx: Executor = this.db): Promise<ConversationTheatre[]> {
    const rows = await trx.selectFrom('chat_conversations').select('theatre_id').where('phone', '=', phone).orderBy('theatre_id').execute();
    return rows.map((r) => theatreOfKey(r.theatre_id));
  }

  async conversationExists(theatreId: ConversationTheatre, phone: string, trx: Executor = this.db): Promise<boolean> {
    const row = await trx.selectFrom('chat_conversations').select('phone').where('theatre_id', '=', keyOf(theatreId)).where('phone', '=', phone).executeTakeFirst();
    return row !== undefined;
  }

  async theatreExists(theatreId: number, trx: Executor = this.db): Promise<boolean> {
    return (await trx.selectFrom('theatres').select('id').where('id', '=', theatreId).executeTakeFirst()) !== undefined;
  }

  /** Inserts a message; undefined when its `notice_key` was already used (an automatic message sent before). */
  async insert(trx: Transaction, values: Insertable<ChatMessageTable>): Promise<ChatMessageRow | undefined> {
    let q = trx.insertInto('chat_messages').values(values);
    if (values.notice_key) q = q.onConflict((oc) => oc.column('notice_key').doNothing());
    return q.returningAll().executeTakeFirst();
  }

  async findByWaId(waId: string, trx: Executor = this.db): Promise<ChatMessageRow | undefined> {
    return trx.selectFrom('chat_messages').selectAll().where('wa_id', '=', waId).executeTakeFirst();
  }

  async update(trx: Transaction, id: number, values: Updateable<ChatMessageTable>): Promise<ChatMessageRow> {
    return trx.updateTable('chat_messages').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  /** Updates the message only if its status is still `from`; undefined when another writer moved it first. */
  async updateIfStatus(trx: Transaction, id: number, from: ChatMessageRow['status'], values: Updateable<ChatMessageTable>): Promise<ChatMessageRow | undefined> {
    return trx.updateTable('chat_messages').set(values).where('id', '=', id).where('status', '=', from).returningAll().executeTakeFirst();
  }

  /**
   * Records a new message on the (theatre, phone) conversation, creating it: an incoming message
   * counts as unread and asks for a reply; a staff reply answers it; an automatic template changes
   * neither. One upsert, so concurrent messages never lose a count.
   */
  async touchConversation(trx: Transaction, theatreId: ConversationTheatre, phone: string, direction: ChatDirection, text: string, at: string): Promise<void> {
    // Cutting may split a surrogate pair; sanitizing turns the half into U+FFFD.
    const lastText = sanitizeText(text.slice(0, LAST_TEXT_CHARS));
    const incoming = direction === 'incoming';
    await trx
      .insertInto('chat_conversations')
      .values({ theatre_id: keyOf(theatreId), phone, unread: incoming ? 1 : 0, reply_required: incoming ? 1 : 0, last_message_at: at, last_text: lastText })
      .onConflict((oc) =>
        oc.columns(['theatre_id', 'phone']).doUpdateSet({
          unread: incoming ? sql<number>`chat_conversations.unread + 1` : sql<number>`chat_conversations.unread`,
          reply_required: incoming ? 1 : direction === 'outgoing' ? 0 : sql<number>`chat_conversations.reply_required`,
          last_message_at: at,
          last_text: lastText,
        }),
      )
      .execute();
  }

  /** Sets unread to 0 on one conversation, or on every conversation of the phone; returns how many exist. */
  async markRead(phone: string, theatreId: ConversationTheatre | undefined): Promise<number> {
    let q = this.db.updateTable('chat_conversations').set({ unread: 0 }).where('phone', '=', phone);
    if (theatreId !== undefined) q = q.where('theatre_id', '=', keyOf(theatreId));
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  /** Conversations newest first: one theatre's, or all (a phone once per theatre, and the unassigned ones). */
  async conversations(theatreId?: number, trx: Executor = this.db): Promise<ConversationView[]> {
    let q = trx.selectFrom('chat_conversations as c').select(['c.theatre_id', 'c.phone', 'c.unread', 'c.reply_required', 'c.last_message_at', 'c.last_text']);
    if (theatreId !== undefined) q = q.where('c.theatre_id', '=', theatreId);
    const rows = await q.orderBy('c.last_message_at', 'desc').orderBy('c.phone').orderBy('c.theatre_id').execute();
    return rows.map((r) => ({
      phone: r.phone,
      theatreId: theatreOfKey(r.theatre_id),
      unread: Number(r.unread),
      replyRequired: Number(r.reply_required) === 1,
      lastMessageAt: r.last_message_at,
      lastText: r.last_text,
    }));
  }

  /**
   * Messages with `phone` newest first, older than `before` when given: of one conversation, or
   * (admins, `theatreId` undefined) of all the phone's conversations.
   */
  async history(phone: string, theatreId: ConversationTheatre | undefined, before: number | undefined, limit: number) {
    let q = this.db.selectFrom('chat_messages').selectAll().where('phone', '=', phone);
    if (theatreId !== undefined) q = q.where('theatre_id', theatreId === null ? 'is' : '=', theatreId);
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
