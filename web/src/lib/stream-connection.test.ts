import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FatalTicketError, StreamConnection, type ConnectionState } from './stream-connection.js';
import type { ServerMessage } from './types.js';

/** A WebSocket stand-in that records what it was opened with. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static opened: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
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
  receive(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code = 1005): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('StreamConnection', () => {
  let tickets: number;
  let states: ConnectionState[];
  let messages: ServerMessage[];

  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    FakeSocket.opened = [];
    tickets = 0;
    states = [];
    messages = [];
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  const make = (getTicket = async () => `t${++tickets}`) =>
    new StreamConnection({
      path: '/ws/all-seat-datasocket/',
      origin: { protocol: 'https:', host: 'cinema.example' },
      getTicket,
      onMessage: (m) => messages.push(m),
      onState: (s) => states.push(s),
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
    first.receive({ type: 'hello', stream: 'theatre:1', seq: 4 });
    first.receive({ type: 'snapshot', stream: 'theatre:1', seq: 4, data: { orders: [] } });
    first.receive({ type: 'order.confirmed', stream: 'theatre:1', seq: 5, data: {} });
    expect(states.at(-1)).toBe('live');

    first.close(1006);
    expect(states.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeSocket.opened[1]!;
    expect(second.url).toBe('wss://cinema.example/ws/all-seat-datasocket/?since=5');
    expect(second.protocols).toEqual(['scan2food.v1', 'ticket.t2']);
    second.open();
    second.receive({ type: 'hello', stream: 'theatre:1', seq: 6 });
    second.receive({ type: 'order.confirmed', stream: 'theatre:1', seq: 5, data: {} });
    second.receive({ type: 'order.seen', stream: 'theatre:1', seq: 6, data: {} });
    expect(messages.filter((m) => m.seq === 5)).toHaveLength(1);
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
      ws.receive({ type: 'hello', stream: 'theatre:1', seq: 1 });
      ws.close(4001);
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
    FakeSocket.opened[0]!.receive({ type: 'hello', stream: 'theatre:1', seq: 2 });
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

  it('stops for good when the ticket is refused (signed out), and after a normal close when told to', async () => {
    const c = make(async () => {
      throw new FatalTicketError(401);
    });
    c.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states.at(-1)).toBe('closed');
    expect(FakeSocket.opened).toHaveLength(0);

    const payment = new StreamConnection({
      path: '/ws/payment-socket/7/',
      origin: { protocol: 'http:', host: 'x' },
      getTicket: async () => 'p',
      onMessage: () => undefined,
      onState: (s) => states.push(s),
      endOnNormalClose: true,
    });
    payment.start();
    await flush();
    FakeSocket.opened[0]!.open();
    FakeSocket.opened[0]!.close(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
    expect(states.at(-1)).toBe('closed');
  });
});
