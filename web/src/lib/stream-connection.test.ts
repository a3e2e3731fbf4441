import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOSE, DISCONNECTS, type LiveOrdersMessage } from '../../../src/protocol/index.js';
import { orderFixture } from './order.fixture.js';
import { FatalTicketError, StreamConnection, type ConnectionState, type EndReason } from './stream-connection.js';

/** A WebSocket stand-in that records what it was opened with. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static opened: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.opened.push(this);
  }
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  receive(message: LiveOrdersMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code = 1005, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const flush = () => vi.advanceTimersByTimeAsync(0);
const AT = '2026-11-29T18:03:11.120Z';
const ORDER = orderFixture(1, 'confirmed', AT);
const hello = (seq: number): LiveOrdersMessage => ({ type: 'hello', stream: 'theatre:1', seq, connectionId: 'c' });
const confirmed = (seq: number): LiveOrdersMessage => ({ type: 'order.confirmed', stream: 'theatre:1', seq, at: AT, data: { order: ORDER } });
const seen = (seq: number): LiveOrdersMessage => ({ type: 'order.seen', stream: 'theatre:1', seq, at: AT, data: { order: { ...ORDER, status: 'seen' } } });

describe('StreamConnection', () => {
  let tickets: number;
  let states: ConnectionState[];
  let messages: LiveOrdersMessage[];
  let ended: EndReason[];

  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    FakeSocket.opened = [];
    tickets = 0;
    states = [];
    messages = [];
    ended = [];
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  const make = (getTicket = async () => `t${++tickets}`) =>
    new StreamConnection<LiveOrdersMessage>({
      target: { socket: 'live-orders' },
      origin: { protocol: 'https:', host: 'cinema.example' },
      getTicket,
      onMessage: (m) => messages.push(m),
      onState: (s) => states.push(s),
      onEnd: (r) => ended.push(r),
      backoff: { baseMs: 1000, maxMs: 8000 },
    });

  it('offers a fresh ticket as a subprotocol, never in the URL, and resumes after a drop with since = last seq', async () => {
    const c = make();
    c.start();
    await flush();
    const first = FakeSocket.opened[0]!;
    expect(first.url).toBe('wss://cinema.example/ws/all-seat-datasocket/');
    expect(first.protocols).toEqual(['scan2food.v1', 'ticket.t1']);
    first.open();
    first.receive(hello(4));
    first.receive({ type: 'snapshot', stream: 'theatre:1', seq: 4, data: { orders: [] } });
    first.receive(confirmed(5));
    expect(states.at(-1)).toBe('live');

    first.close(1006);
    expect(states.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeSocket.opened[1]!;
    expect(second.url).toBe('wss://cinema.example/ws/all-seat-datasocket/?since=5');
    expect(second.protocols).toEqual(['scan2food.v1', 'ticket.t2']);
    second.open();
    second.receive(hello(6));
    second.receive(confirmed(5));
    second.receive(seen(6));
    expect(messages.filter((m) => m.type === 'order.confirmed' && m.seq === 5)).toHaveLength(1);
    expect(messages.at(-1)?.type).toBe('order.seen');
    c.stop();
  });

  it('waits longer after each failed attempt (never a tight loop) and starts over once live', async () => {
    const times: number[] = [];
    const c = make(async () => {
      times.push(Date.now());
      throw new Error('503');
    });
    c.start();
    await vi.advanceTimersByTimeAsync(60_000);
    // Waits of 0.5–1 s, 1–2 s, 2–4 s, 4–8 s, then 4–8 s each: a handful in a minute, not thousands.
    expect(times.length).toBeGreaterThanOrEqual(8);
    expect(times.length).toBeLessThanOrEqual(16);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
    expect(gaps[3]).toBeGreaterThanOrEqual(4000);
    c.stop();
  });

  it('keeps backing off when every connection is accepted and then closed at once', async () => {
    const c = make();
    c.start();
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const ws = FakeSocket.opened.at(-1)!;
      ws.open();
      ws.receive(hello(1));
      ws.close(CLOSE.goingAway);
      const closedAt = Date.now();
      const count = FakeSocket.opened.length;
      while (FakeSocket.opened.length === count) await vi.advanceTimersByTimeAsync(50);
      delays.push(Date.now() - closedAt);
    }
    // 0.5–1 s, 1–2 s, 2–4 s, 4–8 s, 4–8 s: the hello of a short-lived connection resets nothing.
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[2]).toBeGreaterThanOrEqual(2000);
    expect(delays[3]).toBeGreaterThanOrEqual(4000);
    expect(delays[4]).toBeGreaterThanOrEqual(4000);
    c.stop();
  });

  it('drops at once when the browser goes offline and reconnects at once when it is back', async () => {
    const c = make();
    c.start();
    await flush();
    FakeSocket.opened[0]!.open();
    FakeSocket.opened[0]!.receive(hello(2));
    c.setOnline(false);
    expect(states.at(-1)).toBe('offline');
    expect(FakeSocket.opened[0]!.readyState).toBe(3);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
    c.setOnline(true);
    await flush();
    expect(FakeSocket.opened).toHaveLength(2);
    expect(FakeSocket.opened[1]!.url).toContain('?since=2');
    c.stop();
  });

  it('stops for good when the ticket is refused (signed out), and says why', async () => {
    const c = make(async () => {
      throw new FatalTicketError(401);
    });
    c.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states.at(-1)).toBe('closed');
    expect(ended).toEqual(['signed-out']);
    expect(FakeSocket.opened).toHaveLength(0);
  });

  /** A connection that said hello at seq 7 and then stayed up a while (so the backoff starts over). */
  const liveAt7 = async (c: StreamConnection<LiveOrdersMessage>) => {
    c.start();
    await flush();
    const ws = FakeSocket.opened.at(-1)!;
    ws.open();
    ws.receive(hello(7));
    await vi.advanceTimersByTimeAsync(11_000);
    return ws;
  };
  /** Advances until the next socket opens; answers how long that took. */
  const untilNextSocket = async () => {
    const from = Date.now();
    const count = FakeSocket.opened.length;
    while (FakeSocket.opened.length === count && Date.now() - from < 120_000) await vi.advanceTimersByTimeAsync(50);
    return Date.now() - from;
  };

  it('1000: the stream is done (a payment at its final state); it never reconnects', async () => {
    const c = make();
    const ws = await liveAt7(c);
    ws.close(CLOSE.normal, DISCONNECTS.done.reason);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
    expect(states.at(-1)).toBe('closed');
    expect(ended).toEqual(['done']);
  });

  it('1001: the server is shutting down; it reconnects after a backoff and resumes with since', async () => {
    const c = make();
    const ws = await liveAt7(c);
    ws.close(CLOSE.goingAway, DISCONNECTS.shutdown.reason);
    expect(states.at(-1)).toBe('reconnecting');
    const waited = await untilNextSocket();
    expect(waited).toBeGreaterThanOrEqual(500);
    expect(FakeSocket.opened.at(-1)!.url).toBe('wss://cinema.example/ws/all-seat-datasocket/?since=7');
    expect(FakeSocket.opened.at(-1)!.protocols).toEqual(['scan2food.v1', 'ticket.t2']);
    c.stop();
  });

  it('1008 and 1009: closed for bad input; it backs off before coming back, resuming with since', async () => {
    for (const code of [CLOSE.policyViolation, CLOSE.messageTooBig]) {
      FakeSocket.opened = [];
      const c = make();
      const ws = await liveAt7(c);
      ws.close(code, '');
      expect(await untilNextSocket()).toBeGreaterThanOrEqual(500);
      expect(FakeSocket.opened.at(-1)!.url).toContain('?since=7');
      c.stop();
    }
    expect(ended).toEqual([]);
  });

  it('4001: the credential was retired; it fetches a new ticket and resumes, and stops (signed out) if the ticket is refused', async () => {
    let refuse = false;
    const c = make(async () => {
      if (refuse) throw new FatalTicketError(401);
      return `t${++tickets}`;
    });
    const ws = await liveAt7(c);
    ws.close(CLOSE.credentialRetired, DISCONNECTS.credentialRetired.reason);
    await untilNextSocket();
    const second = FakeSocket.opened.at(-1)!;
    expect(second.protocols).toEqual(['scan2food.v1', 'ticket.t2']);
    expect(second.url).toContain('?since=7');
    second.open();
    second.receive(hello(7));
    refuse = true;
    second.close(CLOSE.credentialRetired, DISCONNECTS.credentialRetired.reason);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.opened).toHaveLength(2);
    expect(states.at(-1)).toBe('closed');
    expect(ended).toEqual(['signed-out']);
  });

  it('4003 scope lost: it asks for a new ticket, and stops (no longer allowed) when that is forbidden', async () => {
    let asked = 0;
    const c = make(async () => {
      if (++asked > 1) throw new FatalTicketError(403);
      return 't1';
    });
    const ws = await liveAt7(c);
    ws.close(CLOSE.scopeLost, DISCONNECTS.scopeLost.reason);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asked).toBe(2);
    expect(FakeSocket.opened).toHaveLength(1);
    expect(ended).toEqual(['forbidden']);
  });

  it('4003 session ended: it stops at once and asks the person to sign in again, without asking for a ticket', async () => {
    let asked = 0;
    const details: Array<{ error?: string }> = [];
    const c = new StreamConnection<LiveOrdersMessage>({
      target: { socket: 'live-orders' },
      origin: { protocol: 'https:', host: 'cinema.example' },
      getTicket: async () => `t${++asked}`,
      onMessage: () => undefined,
      onState: (s, d) => {
        states.push(s);
        details.push(d);
      },
      onEnd: (r) => ended.push(r),
    });
    const ws = await liveAt7(c);
    ws.close(CLOSE.scopeLost, 'session ended');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asked).toBe(1);
    expect(FakeSocket.opened).toHaveLength(1);
    expect(states.at(-1)).toBe('closed');
    expect(details.at(-1)?.error).toMatch(/sign in again/);
    expect(ended).toEqual(['signed-out']);
  });

  it('4008: too slow to read; it resumes at once with since, and backs off if it keeps happening', async () => {
    const c = make();
    const ws = await liveAt7(c);
    ws.receive(confirmed(8));
    ws.close(CLOSE.tooSlow, DISCONNECTS.tooSlow.reason);
    await flush();
    expect(FakeSocket.opened).toHaveLength(2);
    const second = FakeSocket.opened[1]!;
    expect(second.url).toBe('wss://cinema.example/ws/all-seat-datasocket/?since=8');
    second.open();
    second.receive(hello(8));
    second.close(CLOSE.tooSlow, DISCONNECTS.tooSlow.reason);
    expect(await untilNextSocket()).toBeGreaterThanOrEqual(500);
    expect(FakeSocket.opened.at(-1)!.url).toContain('?since=8');
    c.stop();
  });
});
