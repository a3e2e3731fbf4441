import { sql } from 'kysely';
import type { Executor, Transaction } from '../db/executor.js';

export interface UnknownPhoneCap {
  /** Messages let through per window. */
  cap: number;
  windowMs: number;
}

/** Who may receive automatic WhatsApp messages: known guests, and a few a window for the others. */
export class UnknownPhoneRepository {
  constructor(private readonly db: Executor) {}

  /**
   * A number we know is a real guest who wants to hear from us: it wrote to our WhatsApp number (one
   * number serves every theatre), paid an order online, or received a cash order at its seat.
   */
  async isKnown(phone: string, trx: Executor = this.db): Promise<boolean> {
    // One statement, both questions: a round trip less on PostgreSQL.
    const row = await trx
      .selectNoFrom((eb) => [
        eb.exists(eb.selectFrom('chat_messages').select('id').where('phone', '=', phone).where('direction', '=', 'incoming')).as('wrote'),
        eb
          .exists(
            eb
              .selectFrom('orders')
              .select('id')
              .where('phone', '=', phone)
              .where((w) => w.or([w.and([w('payment_method', '=', 'online'), w('confirmed_at', 'is not', null)]), w('status', '=', 'delivered')])),
          )
          .as('paid'),
      ])
      .executeTakeFirstOrThrow();
    // SQLite answers 0/1, PostgreSQL booleans.
    return Boolean(row.wrote) || Boolean(row.paid);
  }

  /**
   * Takes one message of the unknown number's allowance, or counts a refusal when the window's
   * allowance is spent. One conditional upsert in the caller's transaction, so parallel orders on
   * several processes never let more than `cap` through, and a rolled-back order uses nothing
   * (a rate limiter outside the transaction would count orders that never committed).
   */
  async admit(trx: Transaction, phone: string, at: Date, limit: UnknownPhoneCap): Promise<boolean> {
    const now = at.toISOString();
    const windowEnded = new Date(at.getTime() - limit.windowMs).toISOString();
    const admitted = await trx
      .insertInto('whatsapp_unknown_phones')
      .values({ phone, window_start: now, sent: 1, refused: 0 })
      .onConflict((oc) =>
        oc
          .column('phone')
          .doUpdateSet({
            sent: sql<number>`CASE WHEN whatsapp_unknown_phones.window_start <= ${windowEnded} THEN 1 ELSE whatsapp_unknown_phones.sent + 1 END`,
            window_start: sql<string>`CASE WHEN whatsapp_unknown_phones.window_start <= ${windowEnded} THEN ${now} ELSE whatsapp_unknown_phones.window_start END`,
          })
          .where((eb) => eb.or([eb('whatsapp_unknown_phones.window_start', '<=', windowEnded), eb('whatsapp_unknown_phones.sent', '<', limit.cap)])),
      )
      .returning('sent')
      .executeTakeFirst();
    if (admitted) return true;
    await trx.updateTable('whatsapp_unknown_phones').set({ refused: sql<number>`refused + 1` }).where('phone', '=', phone).execute();
    return false;
  }
}
