import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { basisPoints, computeTotals, type PricingRules } from './totals.js';

// A percentage with at most two decimals, built from its hundredths so it is exact.
const percent = (maxHundredths: number) => fc.integer({ min: 0, max: maxHundredths }).map((h) => h / 100);
const line = fc.record({ price: fc.integer({ min: 1, max: 10_000_000 }), quantity: fc.integer({ min: 1, max: 20 }) });
const rules: fc.Arbitrary<PricingRules> = fc.record({
  taxes: fc.array(fc.record({ name: fc.constantFrom('CGST', 'SGST', 'IGST', 'Cess'), rate: percent(5_000) }), { maxLength: 4 }),
  pricesIncludeTax: fc.boolean(),
  discountPercent: percent(10_000),
});

/**
 * The reference: SPEC §6 with exact rational arithmetic. round half up of p/q is the nearest
 * integer, and .5 goes up: floor(p/q + 1/2) = floor((2p + q) / 2q).
 */
const exactRound = (p: bigint, q: bigint) => (2n * p + q) / (2n * q);

describe('totals (SPEC §6)', () => {
  it('follows the formula, never goes negative, and adds up to the paisa', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), rules, (lines, r) => {
        const t = computeTotals(lines, r);
        const subtotal = lines.reduce((s, l) => s + BigInt(l.price) * BigInt(l.quantity), 0n);
        expect(BigInt(t.subtotal)).toBe(subtotal);
        const discount = exactRound(subtotal * BigInt(Math.round(r.discountPercent * 100)), 10_000n);
        expect(BigInt(t.discount)).toBe(discount);
        const base = subtotal - discount;
        const rateSum = r.taxes.reduce((s, x) => s + BigInt(Math.round(x.rate * 100)), 0n);
        for (const [i, tax] of t.taxes.entries()) {
          const bp = BigInt(Math.round(r.taxes[i]!.rate * 100));
          const expected = r.pricesIncludeTax ? exactRound(base * bp, 10_000n + rateSum) : exactRound(base * bp, 10_000n);
          expect(BigInt(tax.amount)).toBe(expected);
          expect(tax.amount).toBeGreaterThanOrEqual(0);
          expect(tax).toMatchObject({ name: r.taxes[i]!.name, rate: r.taxes[i]!.rate });
        }
        const taxSum = t.taxes.reduce((s, x) => s + x.amount, 0);
        expect(t.total).toBe(r.pricesIncludeTax ? Number(base) : Number(base) + taxSum);
        expect(t.discount).toBeLessThanOrEqual(t.subtotal);
        expect(t.total).toBeGreaterThanOrEqual(0);
        // Taxes included: they are part of the total, never more than it.
        if (r.pricesIncludeTax) expect(taxSum).toBeLessThanOrEqual(t.total);
        for (const v of [t.subtotal, t.discount, t.total, ...t.taxes.map((x) => x.amount)]) expect(Number.isSafeInteger(v)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('rounds half up to the paisa', () => {
    // 5 % of 10 paise is 0.5 paise: up. 2.5 % of 20 is 0.5: up; of 19 is 0.475: down.
    expect(computeTotals([{ price: 10, quantity: 1 }], { taxes: [{ name: 'GST', rate: 5 }], pricesIncludeTax: false, discountPercent: 0 }).taxes[0]!.amount).toBe(1);
    expect(computeTotals([{ price: 20, quantity: 1 }], { taxes: [{ name: 'CGST', rate: 2.5 }], pricesIncludeTax: false, discountPercent: 0 }).taxes[0]!.amount).toBe(1);
    expect(computeTotals([{ price: 19, quantity: 1 }], { taxes: [{ name: 'CGST', rate: 2.5 }], pricesIncludeTax: false, discountPercent: 0 }).taxes[0]!.amount).toBe(0);
  });

  it('matches a worked bill: Rs 250 + Rs 120 x 2, 10 % off, CGST and SGST 2.5 % each', () => {
    const bill = computeTotals(
      [
        { price: 25_000, quantity: 1 },
        { price: 12_000, quantity: 2 },
      ],
      { taxes: [{ name: 'CGST', rate: 2.5 }, { name: 'SGST', rate: 2.5 }], pricesIncludeTax: false, discountPercent: 10 },
    );
    expect(bill).toEqual({
      subtotal: 49_000,
      discount: 4_900,
      taxes: [
        { name: 'CGST', rate: 2.5, amount: 1_103 },
        { name: 'SGST', rate: 2.5, amount: 1_103 },
      ],
      total: 46_306,
    });
    // The same prices with tax included: 44,100 × 2.5 / 105 = 1,050 each, the total is the base.
    const included = computeTotals([{ price: 44_100, quantity: 1 }], { taxes: [{ name: 'CGST', rate: 2.5 }, { name: 'SGST', rate: 2.5 }], pricesIncludeTax: true, discountPercent: 0 });
    expect(included.taxes.map((t) => t.amount)).toEqual([1_050, 1_050]);
    expect(included.total).toBe(44_100);
  });

  it('refuses a rate with more than two decimals', () => {
    expect(() => basisPoints(2.555)).toThrow(RangeError);
    expect(() => basisPoints(-1)).toThrow(RangeError);
    expect(basisPoints(18)).toBe(1_800);
  });
});
