import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, LOGINS, seedVenue, type Venue } from './support/venue.js';
import { connectOpen } from './support/ws-client.js';

describe('the outbox', () => {
  let t: TestApp;
  let v: Venue;
  beforeAll(async () => {
    t = await startTestApp();
    v = await seedVenue(t);
  });
  afterAll(() => t.close());

  it('loses no event when the publisher stops between the state change and the publish', async () => {
    const staff = await ApiClient.login(t, LOGINS.staff1);
    const s = await connectOpen(t.ws(`/ws/all-seat-datasocket/?ticket=${await staff.ticket('live-orders')}`));
    await s.next('snapshot');

    await t.app.relay.stop(); // the "crash": state changes commit, nothing is published
    const placed = await new ApiClient(t).call('POST', '/api/orders', {
      seatId: v.seat1,
      items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }],
      phone: '+919876543210',
      paymentMethod: 'cash',
    });
    expect(placed.status).toBe(201);
    s.send({ type: 'ping' });
    await s.next('pong');
    expect(s.messages.some((m) => m.type === 'order.confirmed')).toBe(false);
    const pending = await t.app.db.selectFrom('stream_events').select(['stream', 'type']).where('published', '=', 0).execute();
    expect(pending).toContainEqual({ stream: `theatre:${v.theatre1.id}`, type: 'order.confirmed' });

    t.app.relay.start(); // back up: the outbox is the source of truth
    expect(await s.next('order.confirmed', 2000)).toMatchObject({ data: { order: { id: placed.body.order.id } } });
    s.close();
  });
});
