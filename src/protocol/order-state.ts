import type { OrderPaymentStatus, OrderStatus, PaymentMethod } from './views.js';

export type OrderAction = 'confirm' | 'seen' | 'deliver' | 'cancel' | 'refund';
/** What staff may do to an order (`POST /api/orders/<id>/<action>`); `confirm` is the payment's. */
export type StaffAction = Exclude<OrderAction, 'confirm'>;
export const STAFF_ACTIONS: readonly StaffAction[] = ['seen', 'deliver', 'cancel', 'refund'];

/**
 * The legal order transitions. Anything not listed is refused (the API answers 409).
 *
 *   confirm  placed → confirmed              payment captured, or a cash order when placed
 *   seen     confirmed → seen
 *   deliver  confirmed | seen → delivered    staff may deliver without marking seen first
 *   cancel   placed | confirmed | seen → cancelled
 *   refund   confirmed | seen | delivered | cancelled → refunded,
 *            only for online orders whose payment succeeded (cash is settled at the seat)
 *
 * delivered and cancelled are final except for refund; refunded is final. Cancelling a paid
 * order does not refund it by itself: refunding is a separate, explicit staff action, because
 * it moves money.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderAction, readonly OrderStatus[]>> = {
  confirm: ['placed'],
  seen: ['confirmed'],
  deliver: ['confirmed', 'seen'],
  cancel: ['placed', 'confirmed', 'seen'],
  refund: ['confirmed', 'seen', 'delivered', 'cancelled'],
};

export const ORDER_ACTION_TARGET: Readonly<Record<OrderAction, OrderStatus>> = {
  confirm: 'confirmed',
  seen: 'seen',
  deliver: 'delivered',
  cancel: 'cancelled',
  refund: 'refunded',
};

/** Orders a theatre is serving: they count against `orderLimit` and appear on the dashboard. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['confirmed', 'seen'];

export function isOpenStatus(status: OrderStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

export interface OrderStateFacts {
  status: OrderStatus;
  paymentMethod: PaymentMethod;
  paymentStatus: OrderPaymentStatus;
}

export type TransitionResult = { ok: true; status: OrderStatus } | { ok: false; reason: string };

const PAST_TENSE: Readonly<Record<OrderAction, string>> = {
  confirm: 'confirmed',
  seen: 'marked seen',
  deliver: 'delivered',
  cancel: 'cancelled',
  refund: 'refunded',
};

/** The state an action takes an order to, or why it may not (pure: the server and the web ask it). */
export function nextOrderStatus(order: OrderStateFacts, action: OrderAction): TransitionResult {
  if (!ORDER_TRANSITIONS[action].includes(order.status)) {
    return { ok: false, reason: `an order that is ${order.status} cannot be ${PAST_TENSE[action]}` };
  }
  if (action === 'refund' && !(order.paymentMethod === 'online' && order.paymentStatus === 'success')) {
    return { ok: false, reason: 'only an online order with a successful payment can be refunded' };
  }
  return { ok: true, status: ORDER_ACTION_TARGET[action] };
}

/** The staff actions an order's state allows now (the server still decides: 409 otherwise). */
export function allowedStaffActions(order: OrderStateFacts): StaffAction[] {
  return STAFF_ACTIONS.filter((action) => nextOrderStatus(order, action).ok);
}
