import { OrderRepository } from '../orders/order.repository.js';
import { toOrderView } from '../orders/order.view.js';
import type { Executor } from './event.repository.js';

/** Extra state a snapshot carries that is not read from the database (presence of this deployment). */
export interface SnapshotExtras {
  presence(): Promise<{ theatreId: number; online: boolean; connections: number }[]>;
}

const THEATRE = /^theatre:(\d+)$/;
const ORDER = /^order:(\d+)$/;

/**
 * What a client following `stream` is sent when it does not resume (SPEC §3), read in the same
 * transaction as the stream head so the two agree.
 */
export async function readSnapshot(trx: Executor, stream: string, extras: SnapshotExtras): Promise<unknown> {
  const orders = new OrderRepository(trx);
  if (stream === 'theatres') {
    return { orders: (await orders.listOpen()).map(toOrderView), presence: await extras.presence() };
  }
  const theatre = THEATRE.exec(stream);
  if (theatre) return { orders: (await orders.listOpen(Number(theatre[1]))).map(toOrderView) };
  const order = ORDER.exec(stream);
  if (order) return { payment: await paymentState(trx, Number(order[1])) };
  if (stream === 'chat' || stream.startsWith('chat:')) return { conversations: [] };
  return {};
}

/** The payment of an order as `payment.status` events describe it. */
export async function paymentState(trx: Executor, orderId: number): Promise<unknown> {
  const row = await trx.selectFrom('orders').select(['id', 'amount', 'payment_method', 'payment_status', 'status']).where('id', '=', orderId).executeTakeFirst();
  if (!row) return null;
  const payment = await trx
    .selectFrom('payments')
    .select(['gateway', 'status'])
    .where('order_id', '=', orderId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    orderId: row.id,
    status: payment?.status ?? row.payment_status,
    amount: row.amount,
    method: row.payment_method,
    gateway: payment?.gateway ?? null,
    orderStatus: row.status,
  };
}
