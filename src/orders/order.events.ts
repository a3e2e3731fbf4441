import { enqueueOrderNotice } from '../chat/order-notices.js';
import { appendEvent, type Executor, type StreamEvent } from '../streams/event.repository.js';
import { ALL_THEATRES_STREAM, orderStream, theatreStream } from '../streams/stream-names.js';
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
  if (type === 'order.delivered' && order.paymentMethod === 'online' && order.paymentStatus === 'success') {
    await emitDeliveredPayment(trx, order, at);
  }
  const events = [
    await appendEvent(trx, theatreStream(order.theatreId), type, data, at),
    await appendEvent(trx, ALL_THEATRES_STREAM, type, data, at),
  ];
  // WhatsApp templates (confirmed, refunded, unseen alert) commit with the event: exactly once.
  await enqueueOrderNotice(trx, type, order, at);
  return events;
}

/**
 * A paid online order that is delivered has nothing left to happen to its payment: the guest's
 * payment socket is told (`payment.status` success with `orderStatus: "delivered"`) and then
 * closed normally. Appended first: order:<id> precedes the theatre streams in the lock order.
 */
async function emitDeliveredPayment(trx: Executor, order: OrderView, at: Date): Promise<void> {
  const payment = await trx.selectFrom('payments').select('gateway').where('order_id', '=', order.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
  const data = { orderId: order.id, status: 'success', amount: order.amount, method: order.paymentMethod, gateway: payment?.gateway ?? null, orderStatus: 'delivered' };
  await appendEvent(trx, orderStream(order.id), 'payment.status', data, at);
}
