import { describe, expect, it } from 'vitest';
import { capChecksOf, MemoryCapStore } from './connection-caps.js';
import type { Accepted } from './upgrade/authenticate.js';

const limits = { maxSocketsPerOrder: 2, maxSocketsPerTheatre: 3, maxTicketSocketsPerAddress: 4 };
const payment = (kind: 'key' | 'ticket'): Accepted => ({
  ok: true,
  socket: 'payment',
  stream: 'order:9',
  since: undefined,
  principal: kind === 'key' ? { kind, socket: 'payment', key: { socket: 'payment', keyId: 'k' } } : { kind, socket: 'payment', ticketId: 't', scope: { kind: 'order', orderId: '9' } },
});
const staff = (theatreId: number): Accepted => ({
  ok: true,
  socket: 'live-orders',
  stream: `theatre:${theatreId}`,
  since: undefined,
  principal: { kind: 'ticket', socket: 'live-orders', ticketId: 't', scope: { kind: 'theatre', theatreId } },
});
const admit = (caps: MemoryCapStore, a: Accepted, address: string) => {
  const r = caps.admitNow(capChecksOf(a, address, limits));
  return r.ok ? r.release : r.reason;
};

describe('connection caps in one process', () => {
  it('counts payment sockets per order, staff tickets per theatre and every ticket per address; keys never per address', () => {
    expect(capChecksOf(payment('key'), 'a', limits).map((c) => c.key)).toEqual(['order:9']);
    expect(capChecksOf(payment('ticket'), 'a', limits).map((c) => c.key)).toEqual(['order:9', 'address:a']);
    expect(capChecksOf(staff(3), 'a', limits).map((c) => [c.key, c.cap])).toEqual([
      ['theatre:3', 3],
      ['address:a', 4],
    ]);
  });

  it('admits up to each cap, refuses the next with its reason, and frees a slot once (release is idempotent)', () => {
    const caps = new MemoryCapStore();
    const first = admit(caps, payment('ticket'), 'a1');
    admit(caps, payment('key'), 'a2');
    expect(admit(caps, payment('key'), 'a3')).toBe('cap_per_order');
    expect(typeof first).toBe('function');
    (first as () => void)();
    (first as () => void)();
    expect(typeof admit(caps, payment('ticket'), 'a4')).toBe('function');
    expect(admit(caps, payment('ticket'), 'a5')).toBe('cap_per_order');

    for (let i = 0; i < 3; i++) admit(caps, staff(1), `b${i}`);
    expect(admit(caps, staff(1), 'b9')).toBe('cap_per_theatre');
    expect(typeof admit(caps, staff(2), 'b9')).toBe('function');

    for (let i = 0; i < 4; i++) admit(caps, staff(10 + i), 'c');
    expect(admit(caps, staff(20), 'c')).toBe('cap_per_address');
  });

  it('never caps key holders per address, and forgets every count once all are released', () => {
    const caps = new MemoryCapStore();
    const key = (): Accepted => ({ ok: true, socket: 'chat', stream: 'chat', since: undefined, principal: { kind: 'key', socket: 'chat', key: { socket: 'chat', keyId: 'k' } } });
    const releases = Array.from({ length: 50 }, () => admit(caps, key(), 'same') as () => void);
    expect(releases.every((r) => typeof r === 'function')).toBe(true);
    const more = [admit(caps, staff(1), 'x'), admit(caps, payment('ticket'), 'y')] as Array<() => void>;
    for (const r of [...releases, ...more]) r();
    expect(caps.size).toBe(0);
  });
});
