import { appError } from '../http/errors.js';
import type { OrderRecord } from '../orders/order.view.js';
import { computeTotals, type PricingRules, type TaxAmount } from '../protocol/index.js';

/** What a staff refund asks for: an amount, or items and quantities given back; neither = what remains. */
export interface RefundAsk {
  /** Paise. */
  amount?: number;
  items?: Array<{ itemId: number; quantity: number }>;
  reason?: string;
}

/**
 * The amount of a refund, checked against what remains of the payment (SPEC §6). Items are priced
 * with the pricing rules frozen on the order (the same totals as its invoice, tax included), and
 * may not give back more of an item than was ordered, counting earlier refunds by items.
 * @throws unprocessable
 */
export function refundAmountOf(
  record: OrderRecord,
  ask: RefundAsk,
  remaining: number,
  refundedItems: ReadonlyMap<number, number>,
): { amount: number; items: string | null } {
  if (ask.amount !== undefined && ask.items !== undefined) throw appError('unprocessable', 'Give an amount or items, not both.');
  let amount = remaining;
  let items: string | null = null;
  if (ask.amount !== undefined) {
    if (!Number.isSafeInteger(ask.amount) || ask.amount < 1) throw appError('unprocessable', 'amount must be a positive number of paise.');
    amount = ask.amount;
  } else if (ask.items !== undefined) {
    amount = priceItems(record, ask.items, refundedItems);
    items = JSON.stringify(ask.items);
  }
  if (amount > remaining) {
    throw appError('unprocessable', `Only Rs ${(remaining / 100).toFixed(2)} of this order remains to refund; Rs ${(amount / 100).toFixed(2)} was asked.`);
  }
  return { amount, items };
}

function priceItems(record: OrderRecord, asked: NonNullable<RefundAsk['items']>, refundedItems: ReadonlyMap<number, number>): number {
  if (asked.length === 0) throw appError('unprocessable', 'items is empty.');
  const lines = new Map<number, { price: number; quantity: number }>();
  for (const { itemId, quantity } of asked) {
    const ordered = record.items.filter((i) => i.item_id === itemId);
    if (ordered.length === 0) throw appError('unprocessable', `Item ${itemId} is not in this order.`);
    const line = lines.get(itemId) ?? { price: ordered[0]!.price, quantity: 0 };
    line.quantity += quantity;
    lines.set(itemId, line);
    const orderedQty = ordered.reduce((sum, i) => sum + i.quantity, 0);
    const left = orderedQty - (refundedItems.get(itemId) ?? 0);
    if (line.quantity > left) throw appError('unprocessable', `Only ${left} of item ${itemId} remain to refund.`);
  }
  return computeTotals([...lines.values()], pricingOfOrder(record)).total;
}

/**
 * The pricing rules the order was placed with (orders.pricing, written at placement). Orders
 * placed before it was recorded: taxes from the order's own taxes, the discount as its share of
 * the subtotal, prices with tax when the total is the discounted subtotal.
 */
export function pricingOfOrder(record: OrderRecord): PricingRules {
  const { row } = record;
  if (row.pricing) return JSON.parse(row.pricing) as PricingRules;
  const taxes = (JSON.parse(row.taxes) as TaxAmount[]).map(({ name, rate }) => ({ name, rate }));
  const discountPercent = row.subtotal > 0 ? Math.round((row.discount * 10_000) / row.subtotal) / 100 : 0;
  return { taxes, pricesIncludeTax: taxes.length > 0 && row.amount === row.subtotal - row.discount, discountPercent };
}
