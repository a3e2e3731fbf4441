import { describe, expect, it } from 'vitest';
import type { OrderPaymentStatus, OrderStatus, PaymentMethod } from './order.table.js';
import { nextOrderStatus, type OrderAction } from './order.state.js';

const STATUSES: OrderStatus[] = ['placed', 'confirmed', 'seen', 'delivered', 'cancelled', 'refunded'];
const ACTIONS: OrderAction[] = ['confirm', 'seen', 'deliver', 'cancel', 'refund'];

/** The whole table, written out: [from, action] → to, for a paid online order. */
const LEGAL: Record<string, OrderStatus> = {
  'placed confirm': 'confirmed',
  'placed cancel': 'cancelled',
  'confirmed seen': 'seen',
  'confirmed deliver': 'delivered',
  'confirmed cancel': 'cancelled',
  'confirmed refund': 'refunded',
  'seen deliver': 'delivered',
  'seen cancel': 'cancelled',
  'seen refund': 'refunded',
  'delivered refund': 'refunded',
  'cancelled refund': 'refunded',
};

describe('order state machine', () => {
  const paid = (status: OrderStatus) => ({ status, paymentMethod: 'online' as const, paymentStatus: 'success' as const });

  for (const from of STATUSES) {
    for (const action of ACTIONS) {
      const to = LEGAL[`${from} ${action}`];
      it(`${action} on a ${from} order ${to ? `→ ${to}` : 'is refused'}`, () => {
        const result = nextOrderStatus(paid(from), action);
        expect(result).toEqual(to ? { ok: true, status: to } : { ok: false, reason: expect.any(String) });
      });
    }
  }

  const unpaid: Array<[PaymentMethod, OrderPaymentStatus]> = [
    ['cash', 'due'],
    ['online', 'created'],
    ['online', 'pending'],
    ['online', 'failed'],
    ['online', 'refunded'],
  ];
  it.each(unpaid)('refuses to refund a %s order with payment %s', (paymentMethod, paymentStatus) => {
    for (const status of ['confirmed', 'seen', 'delivered', 'cancelled'] as const) {
      expect(nextOrderStatus({ status, paymentMethod, paymentStatus }, 'refund').ok).toBe(false);
    }
  });
});
