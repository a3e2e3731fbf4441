import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../orders/order.view.js';
import { computeTotals } from '../protocol/index.js';
import { pricingOfOrder, refundAmountOf } from './refund-amount.js';

/** Popcorn 250 × 2 + chai 60, 10 % off, CGST/SGST 2.5 % each on top: 560 − 56 = 504 + 12.60 × 2 = 529.20. */
function record(pricing: string | null): OrderRecord {
  const taxes = [{ name: 'CGST', rate: 2.5, amount: 1260 }, { name: 'SGST', rate: 2.5, amount: 1260 }];
  return {
    row: { id: 1, subtotal: 56000, discount: 5600, amount: 52920, taxes: JSON.stringify(taxes), pricing } as OrderRecord['row'],
    items: [
      { id: 1, order_id: 1, item_id: 10, name: 'Popcorn', price: 25000, quantity: 2 },
      { id: 2, order_id: 1, item_id: 20, name: 'Chai', price: 6000, quantity: 1 },
    ] as OrderRecord['items'],
  };
}
const frozen = JSON.stringify({ taxes: [{ name: 'CGST', rate: 2.5 }, { name: 'SGST', rate: 2.5 }], pricesIncludeTax: false, discountPercent: 10 });

describe('the amount of a refund', () => {
  it('prices items with the order’s own rules, discount and tax included', () => {
    const { amount, items } = refundAmountOf(record(frozen), { items: [{ itemId: 20, quantity: 1 }] }, 52920, new Map());
    expect(amount).toBe(computeTotals([{ price: 6000, quantity: 1 }], { taxes: [{ name: 'CGST', rate: 2.5 }, { name: 'SGST', rate: 2.5 }], pricesIncludeTax: false, discountPercent: 10 }).total);
    expect(amount).toBe(5670);
    expect(JSON.parse(items!)).toEqual([{ itemId: 20, quantity: 1 }]);
  });

  it('without pricing recorded (older orders), derives the same rules from the order’s figures', () => {
    expect(pricingOfOrder(record(null))).toEqual(JSON.parse(frozen));
  });

  it('refuses more than remains, items not in the order, and more of an item than was ordered (counting earlier refunds)', () => {
    expect(() => refundAmountOf(record(frozen), { amount: 1001 }, 1000, new Map())).toThrow(/remains/);
    expect(() => refundAmountOf(record(frozen), { items: [{ itemId: 99, quantity: 1 }] }, 52920, new Map())).toThrow(/not in this order/);
    expect(() => refundAmountOf(record(frozen), { items: [{ itemId: 10, quantity: 1 }] }, 52920, new Map([[10, 2]]))).toThrow(/Only 0/);
    expect(() => refundAmountOf(record(frozen), { items: [{ itemId: 10, quantity: 2 }, { itemId: 10, quantity: 1 }] }, 52920, new Map())).toThrow(/Only 2/);
    expect(() => refundAmountOf(record(frozen), { amount: 5, items: [{ itemId: 10, quantity: 1 }] }, 52920, new Map())).toThrow(/not both/);
  });

  it('takes what remains when neither an amount nor items are given', () => {
    expect(refundAmountOf(record(frozen), {}, 777, new Map())).toEqual({ amount: 777, items: null });
  });
});
