import { describe, expect, it } from 'vitest';
import { Client } from './client.js';
import { CLOSE } from './close-codes.js';
import { FakeConnection } from './fake-connection.js';

const principal = { kind: 'key', socket: 'live-orders', key: { socket: 'live-orders', keyId: 'k' } } as const;
const ev = (seq: number) => Buffer.from(JSON.stringify({ seq }));
const seqs = (conn: FakeConnection) => conn.sent.map((s) => (JSON.parse(s) as { seq: number }).seq);

function client(maxBuffered = 1024) {
  const conn = new FakeConnection();
  const gaps: Client[] = [];
  const c = new Client(conn, 'live-orders', 'theatres', principal, maxBuffered, () => undefined, (x) => gaps.push(x));
  return { conn, c, gaps };
}

describe('Client stream delivery', () => {
  it('holds events while syncing and releases only those after the opening seq, in order', () => {
    const { conn, c } = client();
    c.deliver(6, ev(6));
    c.deliver(4, ev(4));
    c.deliver(5, ev(5));
    expect(conn.sent).toEqual([]);
    c.goLive(4);
    expect(seqs(conn)).toEqual([5, 6]);
  });

  it('never sends a seq twice, and puts an early event behind the missing one', () => {
    const { conn, c, gaps } = client();
    c.goLive(0);
    c.deliver(1, ev(1));
    c.deliver(1, ev(1));
    c.deliver(3, ev(3));
    expect(seqs(conn)).toEqual([1]);
    expect(gaps).toHaveLength(1);
    expect(c.missingAfter).toBe(1);
    c.deliver(2, ev(2));
    expect(seqs(conn)).toEqual([1, 2, 3]);
    expect(c.missingAfter).toBeNull();
  });

  it('closes a reader whose unsent data passes the limit with 4008', () => {
    const { conn, c } = client(100);
    c.goLive(0);
    c.deliver(1, ev(1));
    conn.bufferedAmount = 101;
    c.deliver(2, ev(2));
    expect(conn.closed?.code).toBe(CLOSE.tooSlow);
    expect(seqs(conn)).toEqual([1]);
    c.deliver(3, ev(3));
    expect(seqs(conn)).toEqual([1]);
  });
});
