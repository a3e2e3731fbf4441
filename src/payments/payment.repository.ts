import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor, Transaction } from '../db/executor.js';
import { PAYMENT_TRANSITIONS } from './payment.state.js';
import type { PaymentTable } from './payment.table.js';

export type PaymentRow = Selectable<PaymentTable>;

export class PaymentRepository {
  constructor(private readonly db: Executor) {}

  async insert(trx: Transaction, row: Insertable<PaymentTable>): Promise<number> {
    const { id } = await trx.insertInto('payments').values(row).returning('id').executeTakeFirstOrThrow();
    return id;
  }

  async find(id: number, trx: Executor = this.db): Promise<PaymentRow | null> {
    return (await trx.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async findByGatewayOrderId(gatewayOrderId: string, trx: Executor = this.db): Promise<PaymentRow | null> {
    const row = await trx.selectFrom('payments').selectAll().where('gateway_order_id', '=', gatewayOrderId).executeTakeFirst();
    return row ?? null;
  }

  /** The order's newest payment (a guest may retry with a new one after a failure). */
  async latestForOrder(orderId: number, trx: Executor = this.db): Promise<PaymentRow | null> {
    const row = await trx
      .selectFrom('payments')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ?? null;
  }

  async successfulForOrder(orderId: number, trx: Executor = this.db): Promise<PaymentRow | null> {
    const row = await trx
      .selectFrom('payments')
      .selectAll()
      .where('order_id', '=', orderId)
      .where('status', '=', 'success')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ?? null;
  }

  async update(trx: Transaction, id: number, changes: Updateable<PaymentTable>): Promise<void> {
    await trx.updateTable('payments').set(changes).where('id', '=', id).execute();
  }

  /** Records a webhook event id; false when it was seen before (a concurrent insert waits for the other's commit). */
  async recordWebhookEvent(trx: Transaction, id: string, receivedAt: string, outcome: string): Promise<boolean> {
    const row = await trx
      .insertInto('webhook_events')
      .values({ id, received_at: receivedAt, outcome })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Marks the order's other open attempts superseded by `liveId` (caller holds the order's lock). */
  async supersedeOthers(trx: Transaction, orderId: number, liveId: number, at: string): Promise<void> {
    await trx
      .updateTable('payments')
      .set({ status: 'superseded', updated_at: at })
      .where('order_id', '=', orderId)
      .where('id', '!=', liveId)
      .where('status', 'in', [...PAYMENT_TRANSITIONS.supersede])
      .execute();
  }

  /** Forgets webhook ids received before `olderThan` (ISO): one idempotent delete, safe on several processes at once. */
  async pruneWebhookEvents(olderThan: string): Promise<number> {
    const r = await this.db.deleteFrom('webhook_events').where('received_at', '<', olderThan).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /**
   * Payments whose status check is due (`next_check_at` ≤ now), soonest first: those still open
   * to a capture (pending; failed or superseded, which a guest may still have paid on the same
   * gateway order).
   */
  async dueForCheck(now: string, limit: number): Promise<PaymentRow[]> {
    return this.db
      .selectFrom('payments')
      .selectAll()
      .where('status', 'in', [...PAYMENT_TRANSITIONS.capture])
      .where('next_check_at', 'is not', null)
      .where('next_check_at', '<=', now)
      .orderBy('next_check_at')
      .limit(limit)
      .execute();
  }

  /**
   * Claims one status check: moves `next_check_at` on from the value it was read with, so of
   * several processes exactly one asks the gateway now. False when another claimed it first.
   */
  async claimCheck(id: number, seenNextCheckAt: string, nextCheckAt: string | null, attempts: number): Promise<boolean> {
    const r = await this.db
      .updateTable('payments')
      .set({ next_check_at: nextCheckAt, check_attempts: attempts })
      .where('id', '=', id)
      .where('status', 'in', [...PAYMENT_TRANSITIONS.capture])
      .where('next_check_at', '=', seenNextCheckAt)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** No more status checks for this payment. */
  async stopChecks(id: number): Promise<void> {
    await this.db.updateTable('payments').set({ next_check_at: null }).where('id', '=', id).execute();
  }

  async setWebhookOutcome(trx: Transaction, id: string, outcome: string): Promise<void> {
    await trx.updateTable('webhook_events').set({ outcome }).where('id', '=', id).execute();
  }
}
