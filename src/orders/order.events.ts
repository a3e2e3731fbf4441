import type { Transaction } from '../db/executor.js';
import { appendAtCommit } from '../streams/event.repository.js';
import { ALL_THEATRES_STREAM, theatreStream } from '../streams/stream-names.js';
import type { OrderView } from './order.view.js';

export type OrderEventType =
  | 'order.confirmed'
  | 'order.seen'
  | 'order.delivered'
  | 'order.cancelled'
  | 'order.refunded'
  | 'order.unseen'
  | 'order.updated';

/**
 * Another feature's reaction to an order event, run in the transaction that emits it, so it
 * commits with the event, exactly once (the event is emitted once per change of the order).
 */
export type OrderReaction = (trx: Transaction, type: OrderEventType, order: OrderView, at: Date) => Promise<void>;

/**
 * Appends order events, and runs the reactions the composition registered (a WhatsApp notice,
 * the payment socket told the order is finished): orders never import the features they notify.
 */
export class OrderEvents {
  private readonly before: OrderReaction[] = [];
  private readonly after: OrderReaction[] = [];

  /** Runs before the theatre streams are queued (the outbox sorts a transaction's events in the lock order itself, stream-names.ts). */
  reactBefore(reaction: OrderReaction): void {
    this.before.push(reaction);
  }

  /** Runs after the theatre streams are queued. */
  reactAfter(reaction: OrderReaction): void {
    this.after.push(reaction);
  }

  /**
   * Appends an order event to its theatre's stream and to `theatres` (each with its own seq), in
   * the caller's transaction (appended at its commit, in the lock order: stream-names.ts).
   */
  async emit(trx: Transaction, type: OrderEventType, order: OrderView, at: Date): Promise<void> {
    for (const react of this.before) await react(trx, type, order, at);
    const data = { order };
    await appendAtCommit(trx, theatreStream(order.theatreId), type, data, at);
    await appendAtCommit(trx, ALL_THEATRES_STREAM, type, data, at);
    for (const react of this.after) await react(trx, type, order, at);
  }
}
