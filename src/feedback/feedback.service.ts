import type { Kysely } from 'kysely';
import type { Actor } from '../accounts/actor.js';
import { assertVisible } from '../accounts/access.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/dialect.js';
import { appError } from '../http/errors.js';
import type { FeedbackList, FeedbackView } from '../protocol/index.js';
import { FeedbackRepository, type FeedbackRow } from './feedback.repository.js';

export type { FeedbackList, FeedbackView };

const toView = (row: FeedbackRow): FeedbackView => ({ orderId: row.order_id, rating: row.rating, comment: row.comment, at: row.created_at });

/** Guests rate a delivered order once (SPEC §6 "Feedback"); staff read their theatre's. */
export class FeedbackService {
  private readonly repo: FeedbackRepository;

  constructor(private readonly deps: { db: Kysely<Database>; clock: () => Date }) {
    this.repo = new FeedbackRepository(deps.db);
  }

  /**
   * @throws conflict when the order is not delivered yet (paid or not) or already rated
   * @throws not_found when there is no such order (the route's token check normally answers first)
   */
  async rate(orderId: number, input: { rating: number; comment?: string | undefined }): Promise<FeedbackView> {
    const at = this.deps.clock().toISOString();
    let written: boolean;
    try {
      written = await this.repo.insertIfDelivered({ orderId, rating: input.rating, comment: input.comment ?? null, at });
    } catch (err) {
      if (isUniqueViolation(err)) throw appError('conflict', 'This order has been rated already.');
      throw err;
    }
    if (!written) {
      const exists = await this.deps.db.selectFrom('orders').select('id').where('id', '=', orderId).executeTakeFirst();
      if (!exists) throw appError('not_found', 'No such order.');
      throw appError('conflict', 'An order can be rated once it has been delivered.');
    }
    return { orderId, rating: input.rating, comment: input.comment ?? null, at };
  }

  /** The feedback of a theatre the actor may see (else not_found), newest first. */
  async list(actor: Actor, theatreId: number, page: { limit: number; before?: number | undefined }): Promise<FeedbackList> {
    const theatre = await this.deps.db.selectFrom('theatres').select('id').where('id', '=', theatreId).executeTakeFirst();
    assertVisible(actor, theatre?.id, 'theatre');
    const [summary, rows] = await Promise.all([this.repo.summary(theatreId), this.repo.page(theatreId, page.limit + 1, page.before)]);
    const shown = rows.slice(0, page.limit);
    return { ...summary, feedback: shown.map(toView), nextBefore: rows.length > page.limit ? shown[shown.length - 1]!.id : null };
  }
}
