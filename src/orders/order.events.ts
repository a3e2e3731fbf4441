import { enqueueOrderNotice } from '../chat/order-notices.js';
import { appendEvent, type Executor, type StreamEvent } from '../streams/event.repository.js';
import { ALL_THEATRES_STREAM, theatreStream } from '../streams/stream-names.js';
import type { OrderView } from './order.view.js';

export type OrderEventType =
  | 'order.confirmed'
  | 'order.seen'
  | 'order.delivered'
  | 'order.cancelled'
  | 'order.refunded'
  | 'order.unseen';

/**
 * Appends an order event to its theatre's stream and to `theatres` (each with its own seq), in
 * the caller's transaction, theatre first (see the lock order in stream-names.ts).
 */
export async function emitOrderEvent(trx: Executor, type: OrderEventType, order: OrderView, at: Date): Promise<StreamEvent[]> {
  const data = { order };
  const events = [
    await appendEvent(trx, theatreStream(order.theatreId), type, data, at),
    await appendEvent(trx, ALL_THEATRES_STREAM, type, data, at),
  ];
  // WhatsApp templates (confirmed, refunded, unseen alert) commit with the event: exactly once.
  await enqueueOrderNotice(trx, type, order, at);
  return events;
}
