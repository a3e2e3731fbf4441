import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRepository } from '../src/streams/event.repository.js';
import { requireRedisUrl } from './support/services.js';
import { appendEvents, range, seqsOf } from './support/stream-writer.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { connectOpen } from './support/ws-client.js';

const redisUrl = await requireRedisUrl();
const engines: [string, Record<string, string>][] = [['the in-process bus', {}]];
if (redisUrl) engines.push(['Redis', { REDIS_URL: redisUrl, REDIS_PREFIX: `scan2food:test:${randomUUID()}:` }]);

describe.each(engines)('resume with since under load, on %s', (_name, env) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAIL_LIMIT: '1000', ...env });
  });
  afterAll(() => t?.close());

  const url = (since?: number) => t.ws(`/ws/all-seat-datasocket/?key=${t.keys.liveOrders}${since === undefined ? '' : `&since=${since}`}`);
  const write = (n: number) => appendEvents(t.app.db, 'theatres', n, () => void t.app.relay.kick());

  it('replays the 500 events missed while away, then continues live with no gap or repeat while writers keep going', async () => {
    const first = await connectOpen(url());
    await first.next('snapshot');
    const before = await write(20);
    await first.until(() => seqsOf(first.messages).includes(before), `seq ${before}`);
    first.close();
    await first.waitClose();
    const since = Math.max(...seqsOf(first.messages));

    await write(500);
    // Writers keep going while the client reconnects and its replay is read and sent, and for
    // 100 more events after its hello (so the seam is crossed with events in flight).
    let helloAt: number | null = null;
    let stop = false;
    const writer = (async () => {
      let last = 0;
      for (let n = 0; !stop && (n < 300 || helloAt === null || last < helloAt + 100); n++) last = await write(1);
      return last;
    })();
    let hello: Record<string, unknown>;
    let again;
    try {
      again = await connectOpen(url(since));
      hello = await again.next('hello', 10_000);
      helloAt = hello.seq as number;
    } finally {
      stop = helloAt === null; // the test failed: do not write forever
    }
    const head = await writer;
    await again.until(() => seqsOf(again.messages).includes(head), `seq ${head}`, 15_000);

    expect(again.messages.find((m) => m.type === 'snapshot')).toBeUndefined();
    expect(hello.seq).toBeGreaterThanOrEqual(since + 500);
    expect(hello.seq).toBeLessThan(head); // some events were written after the replay's head: the seam was crossed live
    expect(seqsOf(again.messages)).toEqual(range(since + 1, head));
    again.close();
  });

  it('gives a snapshot with reset when since is older than what is retained', async () => {
    const s = await connectOpen(url(0));
    await s.next('hello');
    // What the retention pruner does with RETENTION_EVENTS=10.
    await new EventRepository(t.app.db).prune({ keepPerStream: 10, maxAgeMs: 24 * 3600_000 });
    s.close();
    const late = await connectOpen(url(1));
    expect(await late.next('snapshot')).toMatchObject({ reset: true });
    late.close();
  });
});
