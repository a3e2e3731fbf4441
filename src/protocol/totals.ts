/**
 * SPEC §6 totals, the one formula behind the guest's cart, the order, the amount charged, the
 * invoice, refunds by item and the reports. Pure and shared with the web app, so the cart shows
 * exactly what will be charged.
 *
 * Money is integer paise. Rates and the discount are percentages with at most two decimals,
 * handled as integer hundredths of a percent (basis points), and every division rounds half up
 * to the paisa in BigInt arithmetic: no float ever touches an amount.
 */

export interface TaxRate {
  name: string;
  /** Percent, at most two decimals (2.5 = 2.5 %). */
  rate: number;
}

export interface PricingRules {
  taxes: TaxRate[];
  /** Whether menu prices already include the taxes. */
  pricesIncludeTax: boolean;
  /** 0–100, at most two decimals. */
  discountPercent: number;
}

export interface TaxAmount extends TaxRate {
  amount: number;
}

export interface Totals {
  subtotal: number;
  discount: number;
  taxes: TaxAmount[];
  /** What is charged. */
  total: number;
}

export interface PricedLine {
  price: number;
  quantity: number;
}

export const NO_PRICING: PricingRules = { taxes: [], pricesIncludeTax: false, discountPercent: 0 };

/** A percentage with at most two decimals as basis points; throws on anything else. */
export function basisPoints(percent: number): number {
  const bp = Math.round(percent * 100);
  if (!Number.isFinite(percent) || percent < 0 || Math.abs(bp - percent * 100) > 1e-6) {
    throw new RangeError(`${percent} is not a percentage with at most two decimals`);
  }
  return bp;
}

/** round(numerator / denominator), half up, for non-negative integers. */
function divideHalfUp(numerator: bigint, denominator: bigint): number {
  return Number((2n * numerator + denominator) / (2n * denominator));
}

export function computeTotals(lines: readonly PricedLine[], rules: PricingRules): Totals {
  const subtotal = lines.reduce((sum, l) => sum + l.price * l.quantity, 0);
  const discount = divideHalfUp(BigInt(subtotal) * BigInt(basisPoints(rules.discountPercent)), 10_000n);
  const base = subtotal - discount;
  const rates = rules.taxes.map((t) => BigInt(basisPoints(t.rate)));
  const denominator = rules.pricesIncludeTax ? 10_000n + rates.reduce((a, b) => a + b, 0n) : 10_000n;
  const taxes = rules.taxes.map((t, i) => ({ name: t.name, rate: t.rate, amount: divideHalfUp(BigInt(base) * rates[i]!, denominator) }));
  const total = rules.pricesIncludeTax ? base : base + taxes.reduce((sum, t) => sum + t.amount, 0);
  return { subtotal, discount, taxes, total };
}
