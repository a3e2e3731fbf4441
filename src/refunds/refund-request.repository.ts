import type { Insertable, Selectable } from 'kysely';
import type { Executor, Transaction } from '../db/executor.js';
import type { RefundRequestView } from '../protocol/index.js';
import type { RefundRequestStatus, RefundRequestTable } from './refund.table.js';

export type RefundRequestRow = Selectable<RefundRequestTable>;

export const toRequestView = (r: RefundRequestRow): RefundRequestView => ({
  id: r.id,
  orderId: r.order_id,
  status: r.status,
  reason: r.reason,
  at: r.created_at,
  resolution: r.resolution,
  resolvedAt: r.resolved_at,
});

/** Guests' refund requests; at most one open per order (refund_requests_one_open). */
export class RefundRequestRepository {
  constructor(private readonly db: Executor) {}

  /** @throws a unique violation when the order has an open request already. */
  async insert(trx: Transaction, row: Insertable<RefundRequestTable>): Promise<RefundRequestRow> {
    return trx.insertInto('refund_requests').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async find(id: number, trx: Executor = this.db): Promise<RefundRequestRow | null> {
    return (await trx.selectFrom('refund_requests').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async openFor(orderId: number, trx: Executor = this.db): Promise<RefundRequestRow | null> {
    return (await trx.selectFrom('refund_requests').selectAll().where('order_id', '=', orderId).where('status', '=', 'open').executeTakeFirst()) ?? null;
  }

  async forOrder(orderId: number, trx: Executor = this.db): Promise<RefundRequestRow[]> {
    return trx.selectFrom('refund_requests').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
  }

  /** A theatre's requests, open or resolved; oldest first (open) or newest first (resolved), at most `limit`. */
  async forTheatre(theatreId: number, open: boolean, limit: number, trx: Executor = this.db): Promise<RefundRequestRow[]> {
    return trx
      .selectFrom('refund_requests')
      .selectAll()
      .where('theatre_id', '=', theatreId)
      .where('status', open ? '=' : '!=', 'open')
      .orderBy('id', open ? 'asc' : 'desc')
      .limit(limit)
      .execute();
  }

  /** open → refunded | rejected; null when it was not open any more. */
  async resolve(
    trx: Transaction,
    id: number,
    status: Exclude<RefundRequestStatus, 'open'>,
    by: number | null,
    resolution: string | null,
    at: string,
  ): Promise<RefundRequestRow | null> {
    const row = await trx
      .updateTable('refund_requests')
      .set({ status, resolved_by: by, resolution, resolved_at: at })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }
}
