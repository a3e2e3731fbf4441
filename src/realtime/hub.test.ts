import { describe, expect, it } from 'vitest';
import { Client } from './client.js';
import { FakeConnection } from './fake-connection.js';
import { FANOUT_SLICE, Hub } from './hub.js';
import type { StreamName } from '../protocol/index.js';

const principal = { kind: 'key', socket: 'live-orders', key: { socket: 'live-orders', keyId: 'k' } } as const;

/** A connection that also records how its frames were grouped into batches. */
class BatchingConnection extends FakeConnection {
  readonly batches: number[] = [];
  override batch(fn: () => void): void {
    const before = this.sent.length;
    fn();
    this.batches.push(this.sent.length - before);
  }
}

function live(hub: Hub, stream: StreamName, n: number): BatchingConnection[] {
  return Array.from({ length: n }, (_, i) => {
    const conn = new BatchingConnection(`c${i}`);
    const c = new Client(conn, 'live-orders', stream, principal, 1 << 20, () => undefined);
    c.goLive(0);
    hub.add(c);
    return conn;
  });
}

const ev = (seq: number) => Buffer.from(JSON.stringify({ seq }));
const seqs = (conn: FakeConnection) => conn.sent.map((s) => (JSON.parse(s) as { seq: number }).seq);
const turn = () => new Promise<void>((r) => setImmediate(r));
async function settle(hub: Hub): Promise<void> {
  for (let i = 0; i < 1000 && hub.busy; i++) await turn();
  expect(hub.busy).toBe(false);
}

describe('Hub fan-out', () => {
  it('delivers a small fan-out on the next turn of the event loop, after what published it', async () => {
    const hub = new Hub();
    const [conn] = live(hub, 'theatre:1', 1);
    hub.publish('theatre:1', 1, ev(1));
    await Promise.resolve();
    expect(conn!.sent).toEqual([]); // queued: the publisher's own continuation runs first
    await turn();
    expect(seqs(conn!)).toEqual([1]);
  });

  it('fans out to many clients in slices, letting the event loop run between them', async () => {
    const hub = new Hub();
    const conns = live(hub, 'theatre:1', FANOUT_SLICE * 4 + 7);
    hub.publish('theatre:1', 1, ev(1));
    await turn();
    const afterFirstSlice = conns.filter((c) => c.sent.length === 1).length;
    expect(afterFirstSlice).toBe(FANOUT_SLICE);
    // Something else gets its turn (an HTTP request) before the fan-out is done.
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = conns.some((c) => c.sent.length === 0)));
    await settle(hub);
    expect(otherWorkRan).toBe(true);
    for (const c of conns) expect(seqs(c)).toEqual([1]);
  });

  it('keeps every client in seq order when events arrive during a fan-out in progress, across streams', async () => {
    const hub = new Hub();
    const a = live(hub, 'theatre:2', FANOUT_SLICE * 3);
    const b = live(hub, 'theatre:3', 10);
    hub.publish('theatre:2', 1, ev(1));
    await turn();
    hub.publish('theatre:2', 2, ev(2));
    hub.publish('theatre:3', 1, ev(1));
    await turn();
    hub.publish('theatre:2', 3, ev(3));
    await settle(hub);
    for (const c of a) expect(seqs(c)).toEqual([1, 2, 3]);
    for (const c of b) expect(seqs(c)).toEqual([1]);
  });

  it('sends the events of one stream published together to each client in one batch', async () => {
    const hub = new Hub();
    const conns = live(hub, 'theatre:1', 50);
    for (let seq = 1; seq <= 5; seq++) hub.publish('theatre:1', seq, ev(seq));
    await settle(hub);
    for (const c of conns) {
      expect(seqs(c)).toEqual([1, 2, 3, 4, 5]);
      expect(c.batches).toEqual([5]);
    }
  });

  it('skips a client that left while queued and gives one that joined the events it holds', async () => {
    const hub = new Hub();
    const [gone, stays] = live(hub, 'theatre:1', 2);
    hub.publish('theatre:1', 1, ev(1));
    // Leaves before the fan-out runs.
    for (const c of hub.clientsOf('theatre:1')) if (c.conn === gone) (c.state = 'closed'), hub.remove(c);
    const joinedConn = new BatchingConnection('late');
    const joined = new Client(joinedConn, 'live-orders', 'theatre:1', principal, 1 << 20, () => undefined);
    hub.add(joined); // syncing: holds what arrives
    await settle(hub);
    expect(gone!.sent).toEqual([]);
    expect(seqs(stays!)).toEqual([1]);
    expect(joinedConn.sent).toEqual([]);
    joined.goLive(0);
    expect(seqs(joinedConn)).toEqual([1]);
  });

  it('cuts off a client whose connection throws, and goes on with the others', async () => {
    const hub = new Hub();
    const conns = live(hub, 'theatre:1', 3);
    conns[1]!.send = () => {
      throw new Error('socket gone');
    };
    hub.publish('theatre:1', 1, ev(1));
    await settle(hub);
    expect(seqs(conns[0]!)).toEqual([1]);
    expect(seqs(conns[2]!)).toEqual([1]);
    expect(conns[1]!.closed?.code).toBeDefined();
  });
});
