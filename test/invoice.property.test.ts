import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { computeTotals, type PricingRules } from '../src/protocol/index.js';
import { seed } from '../src/seed/seed.service.js';
import { appEngines } from './support/app-engines.js';
import { capture, placeOnline } from './support/invoicing.js';
import type { TestApp } from './support/test-app.js';
import { ApiClient, ROOMY_GUEST_LIMITS, startVenueWorld } from './support/venue.js';

/*
 * SPEC §6 end to end, for random carts, discounts and tax sets set through the management API:
 * the order's figures are computeTotals(...) of its lines, the payment asks for the order total,
 * and the invoice repeats the order's figures, which add up and are never negative.
 */
const engines = await appEngines();
const RUNS = 30;
/** Awkward prices (paise), so rounding is exercised. */
const PRICES = [1, 7, 99, 101, 333, 1_999, 2_505, 12_345, 49_999, 99_999];

const percent = (maxHundredths: number) => fc.integer({ min: 0, max: maxHundredths }).map((h) => h / 100);
const pricing: fc.Arbitrary<PricingRules> = fc.record({
  taxes: fc.integer({ min: 0, max: 3 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, () => percent(2_800))).map((rates) => rates.map((rate, i) => ({ name: ['CGST', 'SGST', 'Cess'][i]!, rate }))),
  ),
  pricesIncludeTax: fc.boolean(),
  discountPercent: fc.oneof(fc.constant(0), fc.constant(100), percent(10_000)),
});
const cart = fc.uniqueArray(fc.record({ item: fc.integer({ min: 0, max: PRICES.length - 1 }), quantity: fc.integer({ min: 1, max: 20 }) }), {
  minLength: 1,
  maxLength: 5,
  selector: (l) => l.item,
});

for (const engine of engines) {
  describe(`invoice figures for random carts and pricing (${engine.name})`, () => {
    const secret = generateSecret();
    let t: TestApp, admin: ApiClient;
    let theatreId: number, seatId: number, itemIds: number[];

    beforeAll(async () => {
      ({ t, admin } = await startVenueWorld({ ...engine.env(), ...ROOMY_GUEST_LIMITS, PAYMENT_WEBHOOK_SECRET: secret }));
      const seeded = await seed(t.app.db, {
        admins: [],
        theatres: [
          {
            name: 'Property Palace',
            cashEnabled: true,
            orderLimit: 10_000,
            halls: [{ name: 'P', rows: [{ name: 'P', seats: ['P1'] }] }],
            menu: [{ category: 'Odd prices', items: PRICES.map((price, i) => ({ name: `Item ${i} @${price}`, price, maxTime: 5, available: true })) }],
            staff: [],
          },
        ],
      });
      const theatre = seeded.theatres[0]!;
      theatreId = theatre.id;
      seatId = theatre.halls[0]!.rows[0]!.seats[0]!.id;
      itemIds = theatre.menu[0]!.items.map((i) => i.id);
      const r = await admin.call('PATCH', `/api/theatres/${theatreId}`, { legalName: 'Property Palace LLP', gstin: '27AAPFU0939F1ZV', address: 'Pune' });
      expect(r.status).toBe(200);
    });
    afterAll(async () => {
      await t?.close();
      await engine.cleanup();
    });

    it(`order = computeTotals, payment = order total, invoice = order, and it adds up (${RUNS} runs)`, async () => {
      let phone = 0;
      await fc.assert(
        fc.asyncProperty(cart, pricing, fc.boolean(), async (lines, rules, cash) => {
          const set = await admin.call('PATCH', `/api/theatres/${theatreId}`, rules);
          expect(set.status, JSON.stringify(set.body)).toBe(200);
          const items = lines.map((l) => ({ itemId: itemIds[l.item]!, quantity: l.quantity }));
          const expected = computeTotals(
            lines.map((l) => ({ price: PRICES[l.item]!, quantity: l.quantity })),
            rules,
          );
          const order = { seatId, items, phone: `+9198300${String(phone++).padStart(5, '0')}` };

          let token: string, orderId: number;
          if (cash) {
            const placed = await new ApiClient(t).call('POST', '/api/orders', { ...order, paymentMethod: 'cash' });
            expect(placed.status).toBe(201);
            ({ orderToken: token } = placed.body);
            orderId = placed.body.order.id;
          } else {
            const placed = await placeOnline(t, order);
            // The payment asks for exactly the order total.
            expect(placed.amount).toBe(expected.total);
            expect((await capture(t, secret, placed)).body.status).toBe('processed');
            ({ token, id: orderId } = placed);
          }
          const guest = new ApiClient(t, token);
          const o = (await guest.call('GET', `/api/orders/${orderId}`)).body.order;
          expect({ subtotal: o.subtotal, discount: o.discount, taxes: o.taxes, total: o.total }).toEqual(expected);
          expect(o.amount).toBe(expected.total);

          const inv = await guest.call('GET', `/api/orders/${orderId}/invoice`);
          expect(inv.status).toBe(200);
          const invoice = inv.body;
          expect(invoice.invoiceNumber).toBe(o.invoiceNumber);
          expect(invoice.lines).toEqual(o.items.map((i: { name: string; quantity: number; price: number }) => ({ name: i.name, quantity: i.quantity, unitPrice: i.price, amount: i.price * i.quantity })));
          expect({ subtotal: invoice.subtotal, discount: invoice.discount, taxes: invoice.taxes, total: invoice.total }).toEqual(expected);

          const lineSum = invoice.lines.reduce((s: number, l: { amount: number }) => s + l.amount, 0);
          const taxSum = invoice.taxes.reduce((s: number, x: { amount: number }) => s + x.amount, 0);
          expect(lineSum).toBe(invoice.subtotal);
          expect(invoice.total).toBe(rules.pricesIncludeTax ? invoice.subtotal - invoice.discount : invoice.subtotal - invoice.discount + taxSum);
          if (rules.pricesIncludeTax) expect(taxSum).toBeLessThanOrEqual(invoice.total);
          for (const n of [invoice.subtotal, invoice.discount, invoice.total, ...invoice.taxes.map((x: { amount: number }) => x.amount), ...invoice.lines.map((l: { amount: number }) => l.amount)]) {
            expect(Number.isInteger(n) && n >= 0, String(n)).toBe(true);
          }
          expect(invoice.discount).toBeLessThanOrEqual(invoice.subtotal);
        }),
        { numRuns: RUNS },
      );
    }, 120_000);
  });
}
