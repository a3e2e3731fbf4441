import type { Executor } from '../db/executor.js';
import type { OrderStatus } from './order.table.js';
import type { OrderRecord } from './order.view.js';

export interface HistoryQuery {
  theatreId: number;
  /** placed_at within [from, to), ISO-8601 UTC. */
  placed?: { from: string; to: string };
  status?: OrderStatus;
  /** E.164, matched exactly. */
  phone?: string;
  /** Only orders with a smaller id (the previous page's `nextBefore`). */
  before?: number;
  limit: number;
}

/**
 * A theatre's past orders, newest first by id. Ids grow with time, so paging by id is stable
 * while new orders arrive (they never shift into a later page).
 */
export class OrderHistoryRepository {
  constructor(private readonly db: Executor) {}

  async page(q: HistoryQuery): Promise<OrderRecord[]> {
    let sel = this.db.selectFrom('orders').selectAll().where('theatre_id', '=', q.theatreId);
    if (q.placed) sel = sel.where('placed_at', '>=', q.placed.from).where('placed_at', '<', q.placed.to);
    if (q.status !== undefined) sel = sel.where('status', '=', q.status);
    if (q.phone !== undefined) sel = sel.where('phone', '=', q.phone);
    if (q.before !== undefined) sel = sel.where('id', '<', q.before);
    const rows = await sel.orderBy('id', 'desc').limit(q.limit).execute();
    if (rows.length === 0) return [];
    const items = await this.db
      .selectFrom('order_items')
      .selectAll()
      .where('order_id', 'in', rows.map((r) => r.id))
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ row, items: items.filter((i) => i.order_id === row.id) }));
  }
}
