import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { toNumber } from '../db/dialect.js';

export interface FeedbackRow {
  id: number;
  order_id: number;
  rating: number;
  comment: string | null;
  created_at: string;
}

export interface NewFeedback {
  orderId: number;
  rating: number;
  comment: string | null;
  at: string;
}

/** Guests' ratings (table order_feedback, migration 0007). */
export class FeedbackRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Rates a delivered order in one statement: the insert copies the order's theatre only when the
   * order was delivered, so "delivered?" and "write" cannot be split by a concurrent change, and
   * the unique order_id refuses a second rating (the caller turns that into 409).
   * @returns false when the order was not delivered (nothing written)
   */
  async insertIfDelivered(f: NewFeedback): Promise<boolean> {
    const result = await this.db
      .insertInto('order_feedback')
      .columns(['order_id', 'theatre_id', 'rating', 'comment', 'created_at'])
      .expression((eb) =>
        eb
          .selectFrom('orders')
          .select((s) => [
            'orders.id',
            'orders.theatre_id',
            sql<number>`${f.rating}`.as('rating'),
            // A typed NULL: PostgreSQL cannot infer the type of a bare parameter in a select list.
            (f.comment === null ? sql<string | null>`cast(null as text)` : sql<string>`cast(${f.comment} as text)`).as('comment'),
            sql<string>`cast(${f.at} as text)`.as('created_at'),
          ])
          .where('orders.id', '=', f.orderId)
          .where('orders.delivered_at', 'is not', null),
      )
      .executeTakeFirst();
    return toNumber(result.numInsertedOrUpdatedRows) > 0;
  }

  async findByOrder(orderId: number): Promise<FeedbackRow | undefined> {
    return this.db.selectFrom('order_feedback').select(['id', 'order_id', 'rating', 'comment', 'created_at']).where('order_id', '=', orderId).executeTakeFirst();
  }

  /** Count and mean rating of a theatre's feedback, computed by the database. */
  async summary(theatreId: number): Promise<{ count: number; average: number | null }> {
    const row = await this.db
      .selectFrom('order_feedback')
      .select((eb) => [eb.fn.countAll().as('count'), eb.fn.sum<number>('rating').as('total')])
      .where('theatre_id', '=', theatreId)
      .executeTakeFirstOrThrow();
    const count = toNumber(row.count);
    // Mean from the integer sum, rounded once here: the same two decimals on both engines.
    return { count, average: count === 0 ? null : Math.round((toNumber(row.total) * 100) / count) / 100 };
  }

  /** Newest first; `before` (an id from the previous page) pages back. */
  async page(theatreId: number, limit: number, before?: number): Promise<FeedbackRow[]> {
    let q = this.db
      .selectFrom('order_feedback')
      .select(['id', 'order_id', 'rating', 'comment', 'created_at'])
      .where('theatre_id', '=', theatreId)
      .orderBy('id', 'desc')
      .limit(limit);
    if (before !== undefined) q = q.where('id', '<', before);
    return q.execute();
  }
}
