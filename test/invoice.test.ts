import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebhook } from '../src/payments/webhook.js';
import { generateSecret } from '../src/keys/keys-file.js';
import { appEngines } from './support/app-engines.js';
import { capture, pdfText, placeOnline } from './support/invoicing.js';
import type { TestApp } from './support/test-app.js';
import { ApiClient, ROOMY_GUEST_LIMITS, startVenueWorld, type Venue } from './support/venue.js';

/** SPEC §6 invoices over HTTP: the JSON, the PDF, who may read them, and numbering under load. */
const engines = await appEngines();

const SELLER = { legalName: 'Galaxy Cinemas Pvt Ltd', gstin: '27AAPFU0939F1ZV', address: '12 Linking Road\nBandra West, Mumbai 400050' };

for (const engine of engines) {
  describe(`invoices on ${engine.name}`, () => {
    const secret = generateSecret();
    let t: TestApp, v: Venue, staff1: ApiClient, staff2: ApiClient, admin: ApiClient;

    beforeAll(async () => {
      ({ t, v, staff1, staff2, admin } = await startVenueWorld({ ...engine.env(), ...ROOMY_GUEST_LIMITS, PAYMENT_WEBHOOK_SECRET: secret }));
      const r = await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, {
        ...SELLER,
        taxes: [
          { name: 'CGST', rate: 2.5 },
          { name: 'SGST', rate: 2.5 },
        ],
        discountPercent: 10,
        invoicePrefix: 'GX',
      });
      expect(r.status).toBe(200);
    });
    afterAll(async () => {
      await t?.close();
      await engine.cleanup();
    });

    const popcornAndSamosa = () => ({
      seatId: v.seat1,
      items: [
        { itemId: v.item(v.theatre1, 'Salted Popcorn'), quantity: 2 },
        { itemId: v.item(v.theatre1, 'Veg Samosa'), quantity: 1 },
      ],
      phone: '+919876543210',
    });

    it('404 until the order is confirmed; then the invoice in SPEC shape, the order figures, numbered 1 of the theatre series', async () => {
      const o = await placeOnline(t, popcornAndSamosa());
      const guest = new ApiClient(t, o.token);
      for (const path of ['invoice', 'invoice.pdf']) {
        const early = await guest.call('GET', `/api/orders/${o.id}/${path}`);
        expect(early.status, path).toBe(404);
        expect(early.body.error.code).toBe('not_found');
      }
      expect(await capture(t, secret, o)).toMatchObject({ status: 200, body: { status: 'processed' } });

      const r = await guest.call('GET', `/api/orders/${o.id}/invoice`);
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('private, no-store');
      const stored = await t.app.db.selectFrom('orders').select(['invoice_number', 'invoiced_at']).where('id', '=', o.id).executeTakeFirstOrThrow();
      // 2 × 250 + 80 = 580; 10 % off = 522; 2.5 % each = 13.05.
      expect(r.body).toEqual({
        invoiceNumber: expect.stringMatching(/^GX\/\d{4}-\d{2}\/1$/),
        issuedAt: stored.invoiced_at,
        seller: SELLER,
        buyer: { phone: '+919876543210' },
        lines: [
          { name: 'Salted Popcorn', quantity: 2, unitPrice: 25000, amount: 50000 },
          { name: 'Veg Samosa', quantity: 1, unitPrice: 8000, amount: 8000 },
        ],
        subtotal: 58000,
        discount: 5800,
        taxes: [
          { name: 'CGST', rate: 2.5, amount: 1305 },
          { name: 'SGST', rate: 2.5, amount: 1305 },
        ],
        total: 54810,
        creditNotes: [],
      });
      expect(r.body.invoiceNumber).toBe(stored.invoice_number);
      const order = (await guest.call('GET', `/api/orders/${o.id}`)).body.order;
      expect(order).toMatchObject({ invoiceNumber: r.body.invoiceNumber, subtotal: 58000, discount: 5800, taxes: r.body.taxes, total: 54810, amount: 54810 });

      // The theatre moves: the invoice keeps the seller it was issued with; new ones get the new address.
      expect((await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { address: 'New address, Pune 411001' })).status).toBe(200);
      expect((await guest.call('GET', `/api/orders/${o.id}/invoice`)).body.seller).toEqual(SELLER);
      const later = await placeOnline(t, popcornAndSamosa());
      await capture(t, secret, later);
      expect((await new ApiClient(t, later.token).call('GET', `/api/orders/${later.id}/invoice`)).body.seller).toEqual({ ...SELLER, address: 'New address, Pune 411001' });
      expect((await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { address: SELLER.address })).status).toBe(200);
    });

    it('a confirmation that fails after taking its number gives it back: the next confirmation takes it, the retried one the one after', async () => {
      const failing = await placeOnline(t, popcornAndSamosa());
      const next = await placeOnline(t, popcornAndSamosa());
      const last = async () => (await t.app.db.selectFrom('document_counters').select('last_number').where('theatre_id', '=', v.theatre1.id).where('series', '=', 'invoice').executeTakeFirst())?.last_number ?? 0;
      const before = await last();
      // The database refuses this order's confirmation after the number was taken in the same transaction.
      if (engine.name === 'sqlite') {
        await sql.raw(`CREATE TRIGGER refuse_confirmation BEFORE UPDATE OF invoice_number ON orders WHEN NEW.id = ${failing.id} AND NEW.invoice_number IS NOT NULL BEGIN SELECT RAISE(ABORT, 'confirmation refused'); END`).execute(t.app.db);
      } else {
        await sql.raw(`CREATE FUNCTION refuse_confirmation() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'confirmation refused'; END $$ LANGUAGE plpgsql`).execute(t.app.db);
        await sql.raw(`CREATE TRIGGER refuse_confirmation BEFORE UPDATE ON orders FOR EACH ROW WHEN (NEW.id = ${failing.id} AND NEW.invoice_number IS NOT NULL) EXECUTE FUNCTION refuse_confirmation()`).execute(t.app.db);
      }
      const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: failing.gatewayOrderId, gatewayPaymentId: 'pay_retried', amount: failing.amount, secret, eventId: 'evt_retried', at: new Date() });
      const send = () => fetch(t.http('/api/payments/webhook'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId }, body: hook.rawBody });
      expect((await send()).status).toBe(500);
      expect(await last()).toBe(before);
      await sql.raw(engine.name === 'sqlite' ? 'DROP TRIGGER refuse_confirmation' : 'DROP TRIGGER refuse_confirmation ON orders; DROP FUNCTION refuse_confirmation()').execute(t.app.db);

      await capture(t, secret, next);
      // The gateway retries the same event: nothing of the failed attempt was kept, so it confirms now.
      const retried = await send();
      expect(retried.status).toBe(200);
      const numbers = await Promise.all([next, failing].map(async (o) => (await new ApiClient(t, o.token).call('GET', `/api/orders/${o.id}/invoice`)).body.invoiceNumber as string));
      expect(numbers.map((n) => Number(n.split('/')[2]))).toEqual([before + 1, before + 2]);
    });

    it('the PDF: an attachment named after the invoice number, a real PDF that says seller, GSTIN, number, lines, taxes and total', async () => {
      const o = await placeOnline(t, popcornAndSamosa());
      await capture(t, secret, o);
      const json = (await new ApiClient(t, o.token).call('GET', `/api/orders/${o.id}/invoice`)).body;
      const res = await fetch(t.http(`/api/orders/${o.id}/invoice.pdf`), { headers: { authorization: `Bearer ${o.token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${json.invoiceNumber.replaceAll('/', '-')}.pdf"`);
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF/);
      const text = pdfText(pdf);
      for (const needle of ['TAX INVOICE', `Invoice no. ${json.invoiceNumber}`, 'Galaxy Cinemas Pvt Ltd', 'Bandra West, Mumbai 400050', 'GSTIN: 27AAPFU0939F1ZV', 'Phone: +919876543210', 'Salted Popcorn', 'Rs 500.00', 'Subtotal', 'Rs 580.00', 'Discount', '- Rs 58.00', 'CGST 2.5%', 'SGST 2.5%', 'Rs 13.05', 'Total', 'Rs 548.10']) {
        expect(text, needle).toContain(needle);
      }
      // The date is the theatre's (Asia/Kolkata), not the server's.
      const day = new Intl.DateTimeFormat('en-IN', { timeZone: 'Asia/Kolkata', day: '2-digit', month: 'short', year: 'numeric' }).format(new Date(json.issuedAt));
      expect(text).toContain(`Date ${day}`);
    });

    it('who may read it: the order token, staff of that theatre, admins; a wrong token, other staff and unknown orders 404; no credential 401 as for the order', async () => {
      const o = await placeOnline(t, popcornAndSamosa());
      await capture(t, secret, o);
      const other = await placeOnline(t, popcornAndSamosa());
      /** Status and error code of a GET with a bearer token or a client's session cookie. */
      const get = async (url: string, as: { token?: string; client?: ApiClient }) => {
        const headers: Record<string, string> = {};
        if (as.token) headers.authorization = `Bearer ${as.token}`;
        if (as.client) headers.cookie = as.client.cookie;
        const res = await fetch(t.http(url), { headers });
        const body = res.headers.get('content-type')?.startsWith('application/json') ? ((await res.json()) as { error?: { code: string } }) : null;
        return [res.status, body?.error?.code ?? null];
      };
      for (const path of ['invoice', 'invoice.pdf']) {
        const url = `/api/orders/${o.id}/${path}`;
        expect(await get(url, { token: o.token }), path).toEqual([200, null]);
        expect(await get(url, { client: staff1 }), path).toEqual([200, null]);
        expect(await get(url, { client: admin }), path).toEqual([200, null]);
        expect(await get(url, { client: staff2 }), path).toEqual([404, 'not_found']);
        expect(await get(url, { token: other.token }), path).toEqual([404, 'not_found']);
        expect(await get(`/api/orders/99999999/${path}`, { token: o.token }), path).toEqual([404, 'not_found']);
        expect(await get(`/api/orders/099/${path}`, { client: admin }), path).toEqual([404, 'not_found']);
        // Without any credential: as GET /api/orders/<id>.
        expect(await get(url, {}), path).toEqual(await get(`/api/orders/${o.id}`, {}));
        expect(await get(url, {}), path).toEqual([401, 'unauthorized']);
      }
    });

    it('lists issued credit notes of the invoiced payment only (not a surplus refund), and the PDF shows them with the net', async () => {
      const o = await placeOnline(t, popcornAndSamosa());
      await capture(t, secret, o);
      // A second capture of the same order is money the invoice never charged: refunded as surplus.
      expect((await capture(t, secret, o)).body.status).toBe('processed');
      expect((await staff1.call('POST', `/api/orders/${o.id}/refund`)).status).toBe(200);
      const refunds = await t.app.db.selectFrom('refunds').select(['id', 'reason']).where('order_id', '=', o.id).orderBy('id').execute();
      expect(refunds.map((r) => r.reason)).toEqual(['surplus', 'staff']);
      const before = await new ApiClient(t, o.token).call('GET', `/api/orders/${o.id}/invoice`);
      // The refunds feature issues the staff refund's credit note as the gateway accepts it (the surplus refund gets none).
      expect(before.body.creditNotes).toEqual([{ number: expect.stringMatching(/^CN\/\d{4}-\d{2}\/1$/), issuedAt: expect.any(String), amount: 54810 }]);
      expect((await t.app.db.selectFrom('refunds').select('credit_note_number').where('id', '=', refunds[0]!.id).executeTakeFirstOrThrow()).credit_note_number).toBeNull();
      // Fixed numbers and date, so the PDF's text is known.
      const at = '2026-12-01T10:00:00.000Z';
      await t.app.db.updateTable('refunds').set({ credit_note_number: 'CN/2026-27/7', credit_note_at: at }).where('id', '=', refunds[1]!.id).execute();
      await t.app.db.updateTable('refunds').set({ credit_note_number: 'CN/2026-27/8', credit_note_at: at }).where('id', '=', refunds[0]!.id).execute();
      const after = await new ApiClient(t, o.token).call('GET', `/api/orders/${o.id}/invoice`);
      expect(after.body.creditNotes).toEqual([{ number: 'CN/2026-27/7', issuedAt: at, amount: 54810 }]);
      const pdf = Buffer.from(await (await fetch(t.http(`/api/orders/${o.id}/invoice.pdf`), { headers: { authorization: `Bearer ${o.token}` } })).arrayBuffer());
      const text = pdfText(pdf);
      for (const needle of ['Credit notes', 'CN/2026-27/7', '01 Dec 2026', '- Rs 548.10', 'Net', 'Rs 0.00']) expect(text, needle).toContain(needle);
    });

    it('numbers are per theatre: a second theatre starts its own series at 1; cash orders are invoiced as placed', async () => {
      const regal = await placeOnline(t, { seatId: v.seat2, items: [{ itemId: v.item(v.theatre2, 'Cold Coffee'), quantity: 1 }], phone: '+919876543212' });
      await capture(t, secret, regal);
      const r = await new ApiClient(t, regal.token).call('GET', `/api/orders/${regal.id}/invoice`);
      expect(r.body).toMatchObject({ invoiceNumber: expect.stringMatching(/^INV\/\d{4}-\d{2}\/1$/), seller: { legalName: null, gstin: null, address: null }, total: 12000, taxes: [] });
      const pdf = pdfText(Buffer.from(await (await fetch(t.http(`/api/orders/${regal.id}/invoice.pdf`), { headers: { authorization: `Bearer ${regal.token}` } })).arrayBuffer()));
      expect(pdf).toContain('GSTIN: not registered');

      const cash = await new ApiClient(t).call('POST', '/api/orders', { ...popcornAndSamosa(), paymentMethod: 'cash' });
      expect(cash.status).toBe(201);
      const invoice = await new ApiClient(t, cash.body.orderToken).call('GET', `/api/orders/${cash.body.order.id}/invoice`);
      expect(invoice.status).toBe(200);
      expect(invoice.body.invoiceNumber).toBe(cash.body.order.invoiceNumber);
    });
  });

  describe(`50 online orders confirmed by parallel webhooks on one process (${engine.name})`, () => {
    const secret = generateSecret();
    let t: TestApp, v: Venue;
    beforeAll(async () => {
      ({ t, v } = await startVenueWorld({ ...engine.env(), ...ROOMY_GUEST_LIMITS, PAYMENT_WEBHOOK_SECRET: secret }));
    });
    afterAll(async () => {
      await t?.close();
      await engine.cleanup();
    });

    it('get exactly INV/<year>/1 to 50: no gap, no repeat, each the number its invoice shows', async () => {
      const orders = [];
      // Placed ten at a time: placing is not what is tested here.
      for (let i = 0; i < 50; i += 10) {
        orders.push(
          ...(await Promise.all(
            Array.from({ length: 10 }, (_, j) => placeOnline(t, { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 + ((i + j) % 3) }], phone: `+91981230${String(i + j).padStart(4, '0')}` })),
          )),
        );
      }
      const answers = await Promise.all(orders.map((o) => capture(t, secret, o)));
      expect(answers.map((a) => a.body.status)).toEqual(Array(50).fill('processed'));
      const invoices = await Promise.all(orders.map(async (o) => (await new ApiClient(t, o.token).call('GET', `/api/orders/${o.id}/invoice`)).body));
      const numbers = invoices.map((inv) => inv.invoiceNumber as string);
      const year = numbers[0]!.split('/')[1];
      expect(numbers.map((n) => n.split('/')[1])).toEqual(Array(50).fill(year));
      expect(numbers.map((n) => Number(n.split('/')[2])).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const counter = await t.app.db.selectFrom('document_counters').selectAll().where('theatre_id', '=', v.theatre1.id).execute();
      expect(counter).toEqual([{ theatre_id: v.theatre1.id, series: 'invoice', fiscal_year: year, last_number: 50 }]);
    }, 60_000);
  });
}
