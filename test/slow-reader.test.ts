import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, range } from './support/stream-writer.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { percentile } from './support/timed-socket.js';
import { connectOpen } from './support/ws-client.js';

const OTHER_CLIENTS = 100;
/**
 * Big events, so the slow reader's kernel buffers (about 4 MB on loopback) and then 1 MiB fill
 * quickly. The 100 others follow another stream: a reader in this same busy process cannot drain
 * a burst of such events between two writes, and would rightly be cut too.
 */
const PAD = 'x'.repeat(48 * 1024);

interface Follower {
  seqs: number[];
  delays: number[];
  ws: WebSocket;
  /** Resolves once `seq` has arrived. */
  reached(seq: number, timeoutMs: number): Promise<void>;
}

/** A cheap follower: notes each event's seq and delay from its `at`, without parsing the body. */
function follower(url: string): Promise<Follower> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const seqs: number[] = [];
    const delays: number[] = [];
    let wake = () => undefined as void;
    ws.on('message', (data: Buffer) => {
      const head = data.subarray(0, 200).toString();
      const seq = /"seq":(\d+)/.exec(head);
      const at = /"at":"([^"]+)"/.exec(head);
      if (!seq || !at?.[1]) return; // hello and snapshot carry no `at`
      seqs.push(Number(seq[1]));
      delays.push(Date.now() - Date.parse(at[1]));
      wake();
    });
    const reached = (seq: number, timeoutMs: number) =>
      new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`seq ${seq} not reached; last ${seqs.at(-1)}`)), timeoutMs);
        wake = () => {
          if ((seqs.at(-1) ?? 0) < seq) return;
          clearTimeout(timer);
          ok();
        };
        wake();
      });
    ws.once('open', () => resolve({ seqs, delays, ws, reached }));
    ws.once('error', reject);
  });
}

describe('a slow reader', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAIL_LIMIT: '1000' });
  });
  afterAll(() => t?.close());

  it('is closed with 4008 past 1 MiB of unsent data while 100 other clients keep receiving on time', async () => {
    const liveOrders = t.ws(`/ws/all-seat-datasocket/?key=${t.keys.liveOrders}`);
    const slow = await connectOpen(liveOrders);
    const hello = await slow.next('hello');
    await slow.next('snapshot');
    const others = await Promise.all(range(1, OTHER_CLIENTS).map(() => follower(t.ws(`/ws/chat-socket/?key=${t.keys.chat}`))));
    const isCut = () => [...t.app.streamNode.hub.clients()].some((c) => c.stream === 'theatres' && c.state === 'closed');
    // It stops reading: nothing more is taken off its socket.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    // Small events for the 100 keep coming while big ones pile up behind the slow reader.
    let filling = true;
    const small = (async () => {
      let last = 0;
      while (filling) last = await appendEvents(t.app.db, 'chat', 1, () => void t.app.relay.kick());
      return last;
    })();
    let bigHead = hello.seq as number;
    try {
      while (!isCut() && bigHead < (hello.seq as number) + 1_000) bigHead = await appendEvents(t.app.db, 'theatres', 1, () => void t.app.relay.kick(), (i) => ({ i, pad: PAD }));
    } finally {
      filling = false;
    }
    const smallHead = await small;

    expect(isCut()).toBe(true);
    await Promise.all(others.map((o) => o.reached(smallHead, 10_000)));
    for (const o of others) expect(o.seqs).toEqual(range(1, smallHead));
    const delays = others.flatMap((o) => o.delays);
    console.log(
      `slow reader cut after ${bigHead - (hello.seq as number)} events of ${PAD.length} B; ${OTHER_CLIENTS} others got ${smallHead} events each: ` +
        `p50 ${percentile(delays, 50)} ms, p99 ${percentile(delays, 99)} ms, max ${Math.max(...delays)} ms`,
    );
    // On a busy 2-core machine this harness alone (writer, server and 101 clients in one process)
    // gives about the same figures with a client that keeps reading: the slow one adds nothing.
    expect(percentile(delays, 99)).toBeLessThan(3_000);

    // Once it reads again it finds the close the server sent after what was already queued.
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slow.waitClose(10_000)).code).toBe(4008);
    for (const o of others) o.ws.close();
  });
});
