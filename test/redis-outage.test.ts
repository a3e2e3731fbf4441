import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOwnRedis, type OwnRedis } from './support/redis-server.js';
import { appendEvents, range, seqsOf } from './support/stream-writer.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { connectOpen } from './support/ws-client.js';

describe('Redis stopped and started again during a run', () => {
  let redis: OwnRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startOwnRedis();
    t = await startTestApp({ AUTH_FAIL_LIMIT: '1000', REDIS_URL: redis.url, REDIS_PREFIX: `scan2food:test:${randomUUID()}:` });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  const url = () => t.ws(`/ws/all-seat-datasocket/?key=${t.keys.liveOrders}`);
  const write = (n: number) => appendEvents(t.app.db, 'theatres', n, () => void t.app.relay.kick());
  const readyz = async () => {
    const r = await fetch(t.http('/readyz'));
    return { status: r.status, body: (await r.json()) as { checks: Record<string, string> } };
  };

  it('says so on /readyz, keeps its connections, and publishes every event written meanwhile once Redis is back', async () => {
    expect((await readyz()).status).toBe(200);
    const s = await connectOpen(url());
    const hello = await s.next('hello');
    await s.next('snapshot');
    const before = await write(50);
    await s.until(() => seqsOf(s.messages).includes(before), `seq ${before}`);

    await redis.stop();
    await eventually(async () => (await readyz()).status === 503, '/readyz to report Redis down');
    expect((await readyz()).body.checks).toMatchObject({ database: 'ok', bus: 'down', redis: 'down' });

    const during = await write(100); // committed to the outbox; publishing fails and is retried
    // The connection it has keeps working, and a key client can still connect (no Redis needed).
    s.send({ type: 'ping' });
    await s.next('pong');
    const other = await connectOpen(url());
    expect(await other.next('hello')).toMatchObject({ seq: during });

    await redis.start();
    const after = await write(50);
    await s.until(() => seqsOf(s.messages).includes(after), `seq ${after} after Redis came back`, 15_000);
    expect(seqsOf(s.messages)).toEqual(range((hello.seq as number) + 1, after));
    await other.until(() => seqsOf(other.messages).includes(after), `seq ${after} on the newer connection`, 5_000);
    expect(seqsOf(other.messages)).toEqual(range(during + 1, after));
    expect((await readyz()).status).toBe(200);
    s.close();
    other.close();
  });
});
