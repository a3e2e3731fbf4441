import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KOT_CSP, ticketTime } from '../src/kitchen/kot.view.js';
import { ApiClient, startVenueWorld, type Venue } from './support/venue.js';
import type { TestApp } from './support/test-app.js';

const HOSTILE_NOTE = 'no onions </p><script>alert("x")</script>\n<img src=x onerror=alert(1)> & "quotes"';

/** SPEC §6 kitchen tickets: `GET /api/orders/<id>/kot`. */
describe('kitchen order tickets', () => {
  let t: TestApp, v: Venue, staff1: ApiClient, staff2: ApiClient, admin: ApiClient;
  let orderId: number, orderToken: string;

  const kot = async (who: ApiClient | null, path: string) => {
    const res = await fetch(t.http(path), { headers: who?.cookie ? { cookie: who.cookie } : {} });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  beforeAll(async () => {
    ({ t, v, staff1, staff2, admin } = await startVenueWorld());
    // The theatre's own zone, far from the server's: the ticket's time must follow the theatre.
    expect((await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { timeZone: 'America/New_York' })).status).toBe(200);
    const placed = await new ApiClient(t).call('POST', '/api/orders', {
      seatId: v.seat1,
      items: [
        { itemId: v.item(v.theatre1, 'Veg Samosa'), quantity: 3 },
        { itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 },
      ],
      phone: '+919876543210',
      paymentMethod: 'cash',
      notes: HOSTILE_NOTE,
    });
    expect(placed.status).toBe(201);
    orderId = placed.body.order.id;
    orderToken = placed.body.orderToken;
  });
  afterAll(() => t.close());

  it('shows staff of the theatre the order id, time in the theatre zone, seat, row, hall, items with quantities, notes and payment', async () => {
    const r = await kot(staff1, `/api/orders/${orderId}/kot`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-security-policy')).toBe(KOT_CSP);
    expect(r.text).toContain('@page { size: 80mm auto; margin: 0; }');
    expect(r.text).toContain(`<h1>#${orderId}</h1>`);
    expect(r.text).toContain('<p class="theatre">Galaxy Cinemas</p>');
    expect(r.text).toContain('<dd class="seat">A1</dd><dt>Row</dt><dd class="row">A</dd><dt>Hall</dt><dd class="hall">Audi 1</dd>');
    expect(r.text).toContain('<tr><td class="q">3×</td><td>Veg Samosa</td></tr>');
    expect(r.text).toContain('<tr><td class="q">1×</td><td>Masala Chai</td></tr>');
    expect(r.text).toContain('CASH · COLLECT · ₹300.00');

    const order = (await staff1.call('GET', `/api/orders/${orderId}`)).body.order;
    const confirmedAt = /<time datetime="([^"]+)">([^<]+)<\/time>/.exec(r.text);
    expect(confirmedAt).not.toBeNull();
    expect(Date.parse(confirmedAt![1]!)).toBeGreaterThanOrEqual(Date.parse(order.placedAt));
    expect(confirmedAt![2]).toBe(ticketTime(confirmedAt![1]!, 'America/New_York'));
    expect(confirmedAt![2]).not.toBe(ticketTime(confirmedAt![1]!, 'Asia/Kolkata'));
  });

  it("escapes the guest's notes: a hostile note is shown as text and runs nothing", async () => {
    const r = await kot(staff1, `/api/orders/${orderId}/kot`);
    expect(r.text).toContain(
      '<p>no onions &#60;/p&#62;&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;\n&#60;img src=x onerror=alert(1)&#62; &#38; &#34;quotes&#34;</p>',
    );
    // The page's own script is the only one, and the policy allows that one alone (by its hash).
    expect(r.text.match(/<script/g)).toHaveLength(1);
    expect(r.text).not.toContain('<img');
    expect(KOT_CSP).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(KOT_CSP).not.toContain('unsafe-inline');
    expect(KOT_CSP).toContain("frame-ancestors 'self'");
  });

  it('answers admins too; ?print=1 is the same page (its script prints it)', async () => {
    const r = await kot(admin, `/api/orders/${orderId}/kot?print=1`);
    expect(r.status).toBe(200);
    expect(r.text).toContain(`<h1>#${orderId}</h1>`);
    expect(r.text).toContain("get('print') === '1'");
  });

  it('is 401 without a session (a guest token is not one), 404 for staff of another theatre and for orders that do not exist', async () => {
    expect((await kot(null, `/api/orders/${orderId}/kot`)).status).toBe(401);
    const withToken = await fetch(t.http(`/api/orders/${orderId}/kot`), { headers: { authorization: `Bearer ${orderToken}` } });
    expect(withToken.status).toBe(401);
    const foreign = await kot(staff2, `/api/orders/${orderId}/kot`);
    expect(foreign.status).toBe(404);
    expect(JSON.parse(foreign.text)).toEqual({ error: { code: 'not_found', message: 'No such order.' } });
    expect((await kot(staff1, `/api/orders/999999/kot`)).status).toBe(404);
    expect((await kot(staff1, `/api/orders/0${orderId}/kot`)).status).toBe(404);
    expect((await kot(admin, `/api/orders/2147483648/kot`)).status).toBe(404);
  });
});

describe('refused settings name their fields (error.fields), for the settings form', () => {
  let t: TestApp, v: Venue, admin: ApiClient;
  beforeAll(async () => {
    ({ t, v, admin } = await startVenueWorld());
  });
  afterAll(() => t.close());

  it('gives each field at fault its path and message, and keeps the summary message', async () => {
    const r = await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { gstin: '27AAPFU0939F1ZW', taxes: [{ name: 'CGST', rate: 2.555 }], invoicePrefix: 'inv' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.message).toMatch(/check character/);
    expect(r.body.error.fields).toEqual([
      { path: 'gstin', message: expect.stringMatching(/check character/) },
      { path: 'taxes.0.rate', message: 'at most two decimals' },
      { path: 'invoicePrefix', message: '1 to 4 capital letters or digits' },
    ]);
    expect((await admin.call('GET', `/api/theatres/${v.theatre1.id}`)).body.theatre.gstin).toBeNull();
  });

  it('names approverPhone when refund approval by code has no phone to send to (422)', async () => {
    const r = await admin.call('PATCH', `/api/theatres/${v.theatre1.id}`, { refundApproval: 'code' });
    expect(r.status).toBe(422);
    expect(r.body.error.fields).toEqual([{ path: 'approverPhone', message: r.body.error.message }]);
  });
});
