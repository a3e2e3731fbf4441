import { orderNotices } from './chat/order-notices.js';
import type { UnknownPhoneCap } from './chat/unknown-phone.repository.js';
import type { OrderEvents } from './orders/order.events.js';
import { tellPaymentSocketOrderFinished } from './payments/payment.events.js';

/**
 * How the features react to order events, in the transaction that emits them (so each reaction
 * commits with its event, exactly once). Wired here, where the app is composed, so orders never
 * import the features they notify.
 * - an order delivered or cancelled: its payment socket is told (`payment.status` on order:<id>,
 *   which comes before the theatre streams in the lock order);
 * - an order confirmed, refunded or unseen: the WhatsApp notice is queued (chat streams come after
 *   every order stream).
 */
export function wireOrderReactions(orderEvents: OrderEvents, notices: { unknownPhoneCap?: UnknownPhoneCap; onCapped?: () => void } = {}): OrderEvents {
  orderEvents.reactBefore(tellPaymentSocketOrderFinished);
  orderEvents.reactAfter(orderNotices(notices));
  return orderEvents;
}
