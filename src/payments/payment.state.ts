import type { PaymentStatus } from './payment.table.js';

export type PaymentEvent = 'start' | 'capture' | 'fail' | 'refund';

/**
 * Legal payment transitions; anything else is refused (a late or repeated gateway event then
 * changes nothing).
 *
 *   start    created → pending                 the guest opened the gateway's checkout
 *   capture  pending | failed → success        a failed attempt may be retried on the same
 *                                              gateway order (Razorpay allows several attempts)
 *   fail     pending → failed
 *   refund   success → refunded
 */
export const PAYMENT_TRANSITIONS: Record<PaymentEvent, readonly PaymentStatus[]> = {
  start: ['created'],
  capture: ['pending', 'failed'],
  fail: ['pending'],
  refund: ['success'],
};

const TARGET: Record<PaymentEvent, PaymentStatus> = {
  start: 'pending',
  capture: 'success',
  fail: 'failed',
  refund: 'refunded',
};

export function nextPaymentStatus(from: PaymentStatus, event: PaymentEvent): PaymentStatus | null {
  return PAYMENT_TRANSITIONS[event].includes(from) ? TARGET[event] : null;
}
