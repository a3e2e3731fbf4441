import type { OrderRepository } from '../orders/order.repository.js';
import { emitOrderEvent } from '../orders/order.events.js';
import type { OrderRecord, OrderView } from '../orders/order.view.js';
import { toOrderView } from '../orders/order.view.js';
import { appendEvent, type Executor } from '../streams/event.repository.js';
import { orderStream } from '../streams/stream-names.js';
import type { PaymentRepository, PaymentRow } from './payment.repository.js';
import type { GatewayName, PaymentStatus } from './payment.table.js';

/** `payment.status` data (SPEC §3); also the payment socket's snapshot. */
export interface PaymentStatusView {
  orderId: number;
  status: PaymentStatus | 'due';
  amount: number;
  method: 'online' | 'cash';
  gateway: GatewayName | null;
}

export async function emitPaymentStatus(
  trx: Executor,
  order: OrderView,
  status: PaymentStatus,
  gateway: GatewayName,
  at: Date,
): Promise<void> {
  const data: PaymentStatusView = { orderId: order.id, status, amount: order.amount, method: order.paymentMethod, gateway };
  await appendEvent(trx, orderStream(order.id), 'payment.status', data, at);
}

/**
 * Marks a payment and its order refunded, with `payment.status` on the order's stream and
 * `order.refunded` on the theatre streams, in the caller's transaction. Shared by the staff
 * refund and the gateway's refund.processed webhook, whichever comes first.
 */
export async function recordRefund(
  trx: Executor,
  repos: { orders: OrderRepository; payments: PaymentRepository },
  record: OrderRecord,
  payment: PaymentRow,
  now: Date,
): Promise<OrderView> {
  const at = now.toISOString();
  await repos.payments.update(trx, payment.id, { status: 'refunded', updated_at: at });
  const row = { ...record.row, status: 'refunded' as const, payment_status: 'refunded' as const, updated_at: at };
  await repos.orders.update(trx, row.id, { status: row.status, payment_status: row.payment_status, updated_at: at });
  const order = toOrderView({ row, items: record.items });
  await emitPaymentStatus(trx, order, 'refunded', payment.gateway, now);
  if (record.row.status !== 'refunded') await emitOrderEvent(trx, 'order.refunded', order, now);
  return order;
}
