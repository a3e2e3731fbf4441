import { describe, expect, it } from 'vitest';
import { applyLiveMessage, EMPTY_LIVE, sortedOrders } from './live-orders.store.js';
import type { OrderEventType, OrderView } from '../../../src/protocol/index.js';
import { orderFixture } from './order.fixture.js';

const order = orderFixture;

const event = (type: Exclude<OrderEventType, 'order.refundRequested'>, o: OrderView, seq = 1) => ({ type, stream: 'theatre:1', seq, at: o.placedAt, data: { order: o } }) as const;

describe('live orders store', () => {
  it('a snapshot replaces the board; events replace their order by id; closed orders leave', () => {
    let s = applyLiveMessage(EMPTY_LIVE, { type: 'snapshot', stream: 'theatre:1', seq: 4, data: { orders: [order(1, 'confirmed'), order(2, 'seen')] } });
    expect(sortedOrders(s).map((o) => o.id)).toEqual([1, 2]);
    s = applyLiveMessage(s, event('order.confirmed', order(3, 'confirmed'), 5));
    s = applyLiveMessage(s, event('order.seen', order(1, 'seen'), 6));
    expect(s.orders[1]?.status).toBe('seen');
    s = applyLiveMessage(s, event('order.delivered', order(2, 'delivered'), 7));
    s = applyLiveMessage(s, event('order.refunded', order(3, 'refunded'), 8));
    expect(sortedOrders(s).map((o) => o.id)).toEqual([1]);
  });

  it('order.unseen highlights a card until it is seen; a reset snapshot drops orders that closed meanwhile', () => {
    let s = applyLiveMessage(EMPTY_LIVE, event('order.confirmed', order(1, 'confirmed')));
    s = applyLiveMessage(s, event('order.unseen', order(1, 'confirmed'), 2));
    expect(s.unseen[1]).toBe(true);
    s = applyLiveMessage(s, event('order.seen', order(1, 'seen'), 3));
    expect(s.unseen[1]).toBeUndefined();
    s = applyLiveMessage(s, event('order.confirmed', order(2, 'confirmed'), 4));
    s = applyLiveMessage(s, { type: 'snapshot', stream: 'theatre:1', seq: 9, reset: true, data: { orders: [order(2, 'seen')] } });
    expect(Object.keys(s.orders)).toEqual(['2']);
  });

  it('keeps presence by theatre from the admin snapshot and presence events', () => {
    let s = applyLiveMessage(EMPTY_LIVE, { type: 'snapshot', stream: 'theatres', seq: 1, data: { orders: [], presence: [{ theatreId: 1, online: true, connections: 2 }] } });
    s = applyLiveMessage(s, { type: 'presence', stream: 'theatres', seq: 2, at: '2026-11-29T18:00:00.000Z', data: { theatreId: 2, online: true, connections: 1 } });
    s = applyLiveMessage(s, { type: 'presence', stream: 'theatres', seq: 3, at: '2026-11-29T18:00:00.000Z', data: { theatreId: 1, online: false, connections: 0 } });
    expect(s.presence).toEqual({ 1: { theatreId: 1, online: false, connections: 0 }, 2: { theatreId: 2, online: true, connections: 1 } });
  });
});
