import { emitChatMessages } from '../chat/chat.events.js';
import { ChatRepository } from '../chat/chat.repository.js';
import { OUTBOUND_QUEUE } from '../chat/outbound-sender.js';
import { toMessageView } from '../chat/chat.view.js';
import type { Transaction } from '../db/executor.js';
import { queueWork } from '../db/unit-of-work.js';
import type { OrderEventType } from '../orders/order.events.js';
import type { OrderView } from '../orders/order.view.js';
import { OrderRepository } from '../orders/order.repository.js';
import type { RefundRequestView } from '../protocol/index.js';
import { RefundRequestRepository, toRequestView } from './refund-request.repository.js';

const rupees = (paise: number) => `Rs ${(paise / 100).toFixed(2)}`;

/**
 * Queues the WhatsApp template telling a guest how their refund request ended (template
 * `refund_request`: {{1}} order id, {{2}} `refunded` or `rejected`, {{3}} the amount refunded or
 * the staff's reason), in the caller's transaction. Once per request and outcome (notice_key).
 */
export async function enqueueRequestOutcome(trx: Transaction, order: Pick<OrderView, 'id' | 'theatreId' | 'refundedAmount'>, request: RefundRequestView, at: Date): Promise<void> {
  const phone = await new OrderRepository(trx).phoneOf(order.id);
  if (phone === null || request.status === 'open') return;
  const detail = request.status === 'refunded' ? rupees(order.refundedAmount) : (request.resolution ?? '');
  const text = request.status === 'refunded' ? `Order #${order.id}: your refund request was granted, ${detail} refunded` : `Order #${order.id}: your refund request was declined: ${detail}`;
  const repo = new ChatRepository(trx);
  const iso = at.toISOString();
  const row = await repo.insert(trx, {
    phone,
    theatre_id: order.theatreId,
    direction: 'template',
    text,
    status: 'queued',
    order_id: order.id,
    template: 'refund_request',
    template_params: JSON.stringify([String(order.id), request.status, detail]),
    notice_key: `refund_request:${request.id}:${request.status}`,
    attempts: 0,
    next_attempt_at: iso,
    created_at: iso,
    updated_at: iso,
  });
  if (!row) return;
  await repo.touchConversation(trx, order.theatreId, phone, 'template', text, iso);
  queueWork(trx, OUTBOUND_QUEUE);
  await emitChatMessages(trx, [toMessageView(row)], at);
}

/**
 * An order reaction (after the theatre streams): when a refund just granted a guest's request
 * (resolved in this transaction, at this instant), the guest hears it on WhatsApp too.
 */
export async function tellGuestRequestRefunded(trx: Transaction, type: OrderEventType, order: OrderView, at: Date): Promise<void> {
  if (type !== 'order.updated' && type !== 'order.refunded') return;
  const granted = (await new RefundRequestRepository(trx).forOrder(order.id)).find((r) => r.status === 'refunded' && r.resolved_at === at.toISOString());
  if (granted) await enqueueRequestOutcome(trx, order, toRequestView(granted), at);
}
