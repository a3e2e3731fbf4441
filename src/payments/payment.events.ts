import type { Transaction } from '../db/executor.js';
import type { OrderEvents, OrderReaction } from '../orders/order.events.js';
import type { OrderRepository } from '../orders/order.repository.js';
import type { PaymentStatusView } from '../protocol/index.js';
import type { OrderRecord, OrderView } from '../orders/order.view.js';
import { toOrderView } from '../orders/order.view.js';
import { appendAtCommit } from '../streams/event.repository.js';
import { orderStream } from '../streams/stream-names.js';
import { PaymentRepository, type PaymentRow } from './payment.repository.js';
import type { GatewayName, PublicPaymentStatus } from './payment.table.js';

/** `payment.status` data and the payment socket's snapshot: the contract's own type. */
export type { PaymentStatusView };

/** Appends `payment.status` to `order:<id>` in the caller's transaction. */
export async function emitPaymentStatus(
  trx: Transaction,
  order: OrderView,
  status: PublicPaymentStatus,
  gateway: GatewayName,
  at: Date,
): Promise<void> {
  const data: PaymentStatusView = {
    orderId: order.id,
    status,
    amount: order.amount,
    method: order.paymentMethod,
    gateway,
    orderStatus: order.status,
    refundedAmount: order.refundedAmount,
  };
  await appendAtCommit(trx, orderStream(order.id), 'payment.status', data, at);
}

/**
 * After an online order is delivered or cancelled, repeats its payment status on `order:<id>`
 * with the new orderStatus, so the payment socket learns the order is finished. No-op for cash
 * orders and for orders that never started a payment. The status is the order's (that of the
 * attempt it follows), never that of a superseded attempt. Registered at composition to run
 * before the order event is queued (the outbox appends order:<id> first, by the lock order).
 */
export const tellPaymentSocketOrderFinished: OrderReaction = async (trx, type, order, at) => {
  if (type !== 'order.delivered' && type !== 'order.cancelled') return;
  if (order.paymentMethod !== 'online' || order.paymentStatus === 'due' || order.paymentStatus === 'created') return;
  const latest = await new PaymentRepository(trx).latestForOrder(order.id);
  if (!latest) return;
  await emitPaymentStatus(trx, order, order.paymentStatus, latest.gateway, at);
};

/**
 * Marks the payment that paid an order refunded and the order refunded, with `payment.status`
 * on the order's stream and `order.refunded` on the theatre streams, in the caller's
 * transaction. The caller holds the order's row lock (OrderRepository.lock) and has checked
 * that the order is refundable, so of a staff refund and the gateway's refund webhooks exactly
 * one gets here.
 */
export async function applyOrderRefunded(
  trx: Transaction,
  repos: { orders: OrderRepository; payments: PaymentRepository; orderEvents: OrderEvents },
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
  await repos.orderEvents.emit(trx, 'order.refunded', order, now);
  return order;
}
