import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor, Transaction } from '../db/executor.js';
import type { RefundTable } from './payment.table.js';

export type RefundRow = Selectable<RefundTable>;

/** Refunds asked of a gateway. Writes take the caller's transaction. */
export class RefundRepository {
  constructor(private readonly db: Executor) {}

    async insert(trx: Transaction, row: Insertable<RefundTable>): Promise<RefundRow> {
    return trx.insertInto('refunds').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async find(id: number, trx: Executor = this.db): Promise<RefundRow | null> {
    return (await trx.selectFrom('refunds').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async findByGatewayRefundId(gatewayRefundId: string, trx: Executor = this.db): Promise<RefundRow | null> {
    return (await trx.selectFrom('refunds').selectAll().where('gateway_refund_id', '=', gatewayRefundId).executeTakeFirst()) ?? null;
  }

  /**
   * A pending refund of this captured gateway payment: the oldest of that amount, else the oldest
   * (several partial refunds may be pending at once since 0008).
   */
  async pendingFor(gatewayPaymentId: string, trx: Executor = this.db, amount?: number): Promise<RefundRow | null> {
    const rows = await trx
      .selectFrom('refunds')
      .selectAll()
      .where('gateway_payment_id', '=', gatewayPaymentId)
      .where('status', '=', 'pending')
      .orderBy('id')
      .execute();
    return rows.find((r) => r.amount === amount) ?? rows[0] ?? null;
  }

  /**
   * What the order's refunds (staff and gateway, pending or processed: all but failed ones and
   * surplus captures) take of its payment, and the items they gave back. Read under the order's
   * row lock, it bounds the next refund.
   */
  async committedFor(orderId: number, trx: Executor = this.db): Promise<{ amount: number; items: Map<number, number> }> {
    const rows = await trx
      .selectFrom('refunds')
      .select(['amount', 'items'])
      .where('order_id', '=', orderId)
      .where('reason', '!=', 'surplus')
      .where('status', '!=', 'failed')
      .execute();
    const items = new Map<number, number>();
    for (const r of rows) {
      for (const i of r.items ? (JSON.parse(r.items) as Array<{ itemId: number; quantity: number }>) : []) items.set(i.itemId, (items.get(i.itemId) ?? 0) + i.quantity);
    }
    return { amount: rows.reduce((sum, r) => sum + r.amount, 0), items };
  }

  /** The refund's credit note, issued in the transaction that records the accepted refund. */
  async setCreditNote(trx: Transaction, id: number, number: string, at: string): Promise<void> {
    await trx.updateTable('refunds').set({ credit_note_number: number, credit_note_at: at }).where('id', '=', id).execute();
  }

  /** The order's refunds the gateway accepted, oldest first (for credit notes). */
  async processedFor(orderId: number, trx: Executor = this.db): Promise<RefundRow[]> {
    return trx.selectFrom('refunds').selectAll().where('order_id', '=', orderId).where('status', '=', 'processed').where('reason', '!=', 'surplus').orderBy('id').execute();
  }

  /** Whether any refund (pending, processed or failed) was asked for this captured gateway payment. */
  async existsFor(gatewayPaymentId: string, reason: RefundRow['reason'], trx: Executor = this.db): Promise<boolean> {
    const row = await trx
      .selectFrom('refunds')
      .select('id')
      .where('gateway_payment_id', '=', gatewayPaymentId)
      .where('reason', '=', reason)
      .where('status', '!=', 'failed')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** pending → processed; false when it was not pending any more (another path finished it). */
  async markProcessed(trx: Transaction, id: number, gatewayRefundId: string, at: string): Promise<boolean> {
    const r = await trx
      .updateTable('refunds')
      .set({ status: 'processed', gateway_refund_id: gatewayRefundId, error: null, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** pending → failed, which frees the payment for another refund. */
  async markFailed(trx: Transaction, id: number, error: string, at: string): Promise<boolean> {
    const r = await trx
      .updateTable('refunds')
      .set({ status: 'failed', error: error.slice(0, 500), updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Pending refunds the worker may try now, oldest first. */
  async due(now: string, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('refunds')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Takes a due refund for one attempt until `leaseUntil` (a conditional update: of several
   * processes exactly one gets it; if this one dies the lease runs out and another retries with
   * the same idempotency key).
   */
  async claim(id: number, now: string, leaseUntil: string): Promise<RefundRow | undefined> {
    return this.db
      .updateTable('refunds')
      .set({ next_attempt_at: leaseUntil, attempts: sql<number>`attempts + 1`, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .returningAll()
      .executeTakeFirst();
  }

  /** After a failed attempt: try again at `nextAttemptAt`. */
  async retryAt(id: number, nextAttemptAt: string, error: string, at: string): Promise<void> {
    await this.db
      .updateTable('refunds')
      .set({ next_attempt_at: nextAttemptAt, error: error.slice(0, 500), updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }
}
