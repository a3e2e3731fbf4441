import type { TestApp } from '../../support/test-app.js';
import { ApiClient, type Venue } from '../../support/venue.js';

/** A cash order placed through the API (confirmed at once, so it goes straight to the dashboard). */
export async function placeCashOrder(t: TestApp, seatId: number, itemId: number, phone = '+919876543210'): Promise<{ id: number; token: string }> {
  const guest = new ApiClient(t);
  const r = await guest.call('POST', '/api/orders', { seatId, items: [{ itemId, quantity: 2 }], phone, paymentMethod: 'cash' });
  if (r.status !== 201) throw new Error(`order failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.order.id as number, token: r.body.orderToken as string };
}

/** An online order paid through the simulated gateway's page endpoint (as its Pay button does). */
export async function placePaidOrder(t: TestApp, seatId: number, itemId: number): Promise<{ id: number }> {
  const guest = new ApiClient(t);
  const r = await guest.call('POST', '/api/orders', { seatId, items: [{ itemId, quantity: 1 }], phone: '+919876543211', paymentMethod: 'online' });
  if (r.status !== 201) throw new Error(`order failed: ${r.status} ${JSON.stringify(r.body)}`);
  const payment = await new ApiClient(t, r.body.orderToken).call('POST', `/api/orders/${r.body.order.id}/payments`);
  const paid = await fetch(t.http(new URL(payment.body.checkoutUrl, 'http://x').pathname), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"outcome":"pay"}',
  });
  if (paid.status !== 200) throw new Error(`payment failed: ${paid.status}`);
  return { id: r.body.order.id as number };
}

export type { Venue };
