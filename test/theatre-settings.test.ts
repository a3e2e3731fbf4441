import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { computeTotals } from '../src/protocol/index.js';
import { buildWebhook } from '../src/payments/webhook.js';
import { ApiClient, startVenueWorld, type Venue } from './support/venue.js';
import type { TestApp } from './support/test-app.js';

/** SPEC §6 theatre settings through the management API, and the totals they give an order. */
describe('theatre business settings and the order totals they give', () => {
  const secret = generateSecret();
  let t: TestApp, v: Venue, staff1: ApiClient, admin: ApiClient;
  const guest = () => new ApiClient(t);

  beforeAll(async () => {
    ({ t, v, staff1, admin } = await startVenueWorld({ PAYMENT_WEBHOOK_SECRET: secret }));
  });
  afterAll(() => t.close());

  const settings = {
    legalName: 'Regal Talkies Pvt Ltd',
    gstin: '27aapfu0939f1zv',
    address: '1 Colaba Causeway\nMumbai 400001',
    timeZone: 'Asia/Kolkata',
    taxes: [
      { name: 'CGST', rate: 2.5 },
      { name: 'SGST', rate: 2.5 },
    ],
    pricesIncludeTax: false,
    discountPercent: 10,
    discountMessage: 'Weekday 10% off',
    invoicePrefix: 'RT',
  };

  it('admins set legal name, GSTIN (upper-cased), address, taxes, discount and invoice prefix; staff and guests see the pricing', async () => {
    const r = await admin.call('PATCH', `/api/theatres/${v.theatre2.id}`, settings);
    expect(r.status).toBe(200);
    expect(r.body.theatre).toMatchObject({ ...settings, gstin: '27AAPFU0939F1ZV', refundApproval: 'none', gateway: 'simulated' });
    const seat = await guest().call('GET', `/api/seats/${v.seat2}`);
    expect(seat.body.theatre).toMatchObject({ pricing: { taxes: settings.taxes, pricesIncludeTax: false, discountPercent: 10 }, discountMessage: 'Weekday 10% off' });
    // Staff may read their theatre's settings but not change them.
    expect((await staff1.call('PATCH', `/api/theatres/${v.theatre1.id}`, { taxes: [] })).status).toBe(403);
  });

  it('refuses bad settings with a message that says what is expected (400), changing nothing', async () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ gstin: '27AAPFU0939F1ZW' }, /check character/],
      [{ gstin: '27AAPFU0939F1Z' }, /15 characters/],
      [{ taxes: [{ name: 'GST', rate: 2.555 }] }, /two decimals/],
      [{ taxes: [{ name: 'GST', rate: 101 }] }, /100/],
      [{ taxes: [{ name: 'GST', rate: 5 }, { name: 'GST', rate: 5 }] }, /must not repeat/],
      [{ discountPercent: -1 }, /./],
      [{ invoicePrefix: 'INVOICE' }, /1 to 4/],
      [{ invoicePrefix: 'in' }, /1 to 4/],
      // CN/<year>/<n> numbers the credit notes: an invoice must never read as one.
      [{ invoicePrefix: 'CN' }, /credit notes/],
      [{ timeZone: 'Mars/Olympus' }, /IANA/],
      [{ approverPhone: 'call me' }, /not a valid phone number/],
      [{ refundApproval: 'sometimes' }, /./],
      [{ gateway: 'paypal' }, /./],
    ];
    for (const [body, message] of bad) {
      const r = await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    // Approval codes need somewhere to send them: 422 and nothing changes.
    const noPhone = await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { refundApproval: 'code' });
    expect(noPhone.status).toBe(422);
    expect(noPhone.body.error.message).toMatch(/approverPhone/);
    const theatre = await admin.call('GET', `/api/theatres/${v.theatre1.id}`);
    expect(theatre.body.theatre).toMatchObject({ refundApproval: 'none', gstin: null, invoicePrefix: 'INV', taxes: [] });
    const both = await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { refundApproval: 'code', approverPhone: '98765 43210' });
    expect(both.body.theatre).toMatchObject({ refundApproval: 'code', approverPhone: '+919876543210' });
    await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { refundApproval: 'none' });
  });

  it('an order is priced with the theatre discount and taxes; the payment charges the total; confirmation gives the invoice number', async () => {
    const popcorn = v.item(v.theatre2, v.theatre2.menu[0]!.items[0]!.name);
    const price = v.theatre2.menu[0]!.items[0]!.price;
    const placed = await guest().call('POST', '/api/orders', { seatId: v.seat2, items: [{ itemId: popcorn, quantity: 3 }], phone: '+919876543210', paymentMethod: 'online' });
    expect(placed.status).toBe(201);
    const expected = computeTotals([{ price, quantity: 3 }], { taxes: settings.taxes, pricesIncludeTax: false, discountPercent: 10 });
    expect(expected.discount).toBeGreaterThan(0);
    expect(placed.body.order).toMatchObject({ ...expected, amount: expected.total, refundedAmount: 0, invoiceNumber: null });

    const token = new ApiClient(t, placed.body.orderToken);
    const payment = await token.call('POST', `/api/orders/${placed.body.order.id}/payments`);
    expect(payment.body.amount).toBe(expected.total);
    const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: payment.body.gatewayOrderId, gatewayPaymentId: `pay_${randomUUID().slice(0, 8)}`, amount: expected.total, secret, eventId: `evt_${randomUUID()}`, at: new Date() });
    const res = await fetch(t.http('/api/payments/webhook'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId }, body: hook.rawBody });
    expect(res.status).toBe(200);
    const after = await token.call('GET', `/api/orders/${placed.body.order.id}`);
    expect(after.body.order).toMatchObject({ status: 'confirmed', total: expected.total, invoiceNumber: expect.stringMatching(/^RT\/\d{4}-\d{2}\/1$/) });

    // Prices that include tax: the total is the discounted base, the taxes are inside it.
    await admin.call('PATCH', `/api/theatres/${v.theatre2.id}`, { pricesIncludeTax: true, discountPercent: 0 });
    const incl = await guest().call('POST', '/api/orders', { seatId: v.seat2, items: [{ itemId: popcorn, quantity: 1 }], phone: '+919876543210', paymentMethod: 'online' });
    expect(incl.body.order).toMatchObject(computeTotals([{ price, quantity: 1 }], { taxes: settings.taxes, pricesIncludeTax: true, discountPercent: 0 }));
    expect(incl.body.order.total).toBe(price);
  });

  it('cash orders are invoiced as they are placed, numbered in order', async () => {
    const item = v.item(v.theatre1, 'Salted Popcorn');
    const numbers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await guest().call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: item, quantity: 1 }], phone: '+919876543211', paymentMethod: 'cash' });
      expect(r.status).toBe(201);
      numbers.push(r.body.order.invoiceNumber);
    }
    const n = numbers.map((x) => Number(x.split('/')[2]));
    expect(numbers[0]).toMatch(/^INV\/\d{4}-\d{2}\/\d+$/);
    expect(n).toEqual([n[0], n[0]! + 1, n[0]! + 2]);
  });
});
