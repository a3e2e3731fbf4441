import { describe, expect, it } from 'vitest';
import { generateSecret } from '../keys/keys-file.js';
import { MemorySingleUseStore } from './single-use-store.js';
import { TicketService } from './ticket.service.js';

describe('TicketService', () => {
  const make = (clock: { now: number }, secret = generateSecret()) =>
    new TicketService(secret, 60, new MemorySingleUseStore(() => clock.now), () => clock.now);

  it('round-trips socket and scope, and spends a ticket once', async () => {
    const clock = { now: 1_800_000_000_000 };
    const tickets = make(clock);
    const { ticket, expiresIn } = await tickets.mint('payment', { kind: 'order', orderId: '42' });
    expect(expiresIn).toBe(60);
    const claims = await tickets.verify(ticket);
    expect(claims).toMatchObject({ socket: 'payment', scope: { kind: 'order', orderId: '42' } });
    expect(await tickets.spend(claims!)).toBe(true);
    expect(await tickets.spend(claims!)).toBe(false);
  });

  it('refuses a ticket after 60 s, and one signed with another secret', async () => {
    const clock = { now: 1_800_000_000_000 };
    const tickets = make(clock);
    const { ticket } = await tickets.mint('live-orders', { kind: 'theatre', theatreId: 3 });
    clock.now += 59_000;
    expect(await tickets.verify(ticket)).not.toBeNull();
    clock.now += 2_000;
    expect(await tickets.verify(ticket)).toBeNull();
    const other = make({ now: clock.now });
    const foreign = await other.mint('live-orders', { kind: 'admin' });
    expect(await tickets.verify(foreign.ticket)).toBeNull();
  });
});
