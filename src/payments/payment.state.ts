import type { PaymentStatus } from './payment.table.js';

export type PaymentEvent = 'start' | 'capture' | 'fail' | 'refund' | 'supersede';

/**
 * Legal payment transitions; anything else is refused (a late or repeated gateway event then
 * changes nothing).
 *
 *   start    created → pending                 the guest opened the gateway's checkout
 *   capture  pending | failed | superseded → success
 *                                              a failed attempt may be retried on the same
 *                                              gateway order (Razorpay allows several attempts);
 *                                              money captured on a superseded attempt is taken
 *                                              (and refunded if the order is already paid)
 *   fail     pending → failed
 *   refund   success → refunded
 *   supersede created | pending | failed → superseded
 *                                              a newer attempt was started for the order
 */
export const PAYMENT_TRANSITIONS: Record<PaymentEvent, readonly PaymentStatus[]> = {
  start: ['created'],
  capture: ['pending', 'failed', 'superseded'],
  fail: ['pending'],
  refund: ['success'],
  supersede: ['created', 'pending', 'failed'],
};

const TARGET: Record<PaymentEvent, PaymentStatus> = {
  start: 'pending',
  capture: 'success',
  fail: 'failed',
  refund: 'refunded',
  supersede: 'superseded',
};

export function nextPaymentStatus(from: PaymentStatus, event: PaymentEvent): PaymentStatus | null {
  return PAYMENT_TRANSITIONS[event].includes(from) ? TARGET[event] : null;
}
