import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOpen, TestSocket } from './support/ws-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('socket message protocol (SPEC §3)', () => {
  let t: TestApp;
  const open = async () => {
    const s = await connectOpen(t.ws(`/ws/all-seat-datasocket/?key=${t.keys.liveOrders}`));
    await s.next('hello');
    return s;
  };
  beforeAll(async () => {
    t = await startTestApp({ HEARTBEAT_INTERVAL_MS: '150' });
  });
  afterAll(() => t.close());

  it('sends hello then a snapshot consistent with its seq', async () => {
    const s = await open();
    const snapshot = await s.next('snapshot');
    expect(snapshot).toMatchObject({ type: 'snapshot', stream: 'theatres', seq: (s.messages[0] as { seq: number }).seq });
    s.close();
  });

  it('describes its sockets at /api/asyncapi.json, with every message this socket just sent', async () => {
    const s = await open();
    await s.next('snapshot');
    s.send({ type: 'ping' });
    await s.next('pong');
    s.close();
    const res = await fetch(t.http('/api/asyncapi.json'));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { asyncapi: string; channels: Record<string, { address: string; messages: Record<string, unknown> }> };
    expect(doc.asyncapi).toBe('3.0.0');
    const live = doc.channels.liveOrders!;
    expect(live.address).toBe('/ws/all-seat-datasocket/');
    for (const m of s.messages) expect(Object.keys(live.messages)).toContain(`sent.${String(m.type)}`);
  });

  it('answers ping with pong', async () => {
    const s = await open();
    s.send({ type: 'ping' });
    await s.next('pong');
    s.close();
  });

  it('answers bad input with bad_request and closes with 1008 at the fifth within a minute, without hurting others', async () => {
    const bystander = await open();
    const s = await open();
    const bad = ['not json', '{"type":"nope"}', '{"no":"type"}', '{"type":"chat.send","phone":"+91"}'];
    for (const [i, frame] of bad.entries()) {
      s.send(frame);
      await s.until(() => s.messages.filter((m) => m.type === 'error').length === i + 1, `error reply ${i + 1}`);
    }
    expect(s.messages.filter((m) => m.type === 'error').map((m) => m.code)).toEqual(['bad_request', 'bad_request', 'bad_request', 'bad_request']);
    expect(s.closed).toBeNull();
    s.send('still not json');
    expect((await s.waitClose()).code).toBe(1008);
    bystander.send({ type: 'ping' });
    await bystander.next('pong');
    bystander.close();
  });

  it('answers a flood with rate_limited and closes the flooding connection only', async () => {
    const bystander = await open();
    const s = await open();
    for (let i = 0; i < 60; i++) s.send({ type: 'ping' });
    await s.until(() => s.messages.some((m) => m.type === 'error' && m.code === 'rate_limited'), 'a rate_limited error');
    expect((await s.waitClose()).code).toBe(1008);
    expect(s.messages.filter((m) => m.type === 'pong').length).toBeLessThanOrEqual(20);
    bystander.send({ type: 'ping' });
    await bystander.next('pong');
    bystander.close();
  });

  it('closes a connection that sends a frame over 64 KiB with 1009, and only that one', async () => {
    const bystander = await open();
    const s = await open();
    s.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(100 * 1024) }));
    expect((await s.waitClose()).code).toBe(1009);
    bystander.send({ type: 'ping' });
    await bystander.next('pong');
    bystander.close();
  });

  it('answers hostile frames (deep nesting, __proto__, binary, unknown type) with bad_request, a 1 MB frame with 1009, and keeps serving', async () => {
    const bystander = await open();
    const hostile = [
      `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
      '{"__proto__":{"type":"ping"}}',
      '{"type":"__proto__"}',
      '{"type":"chat.send","phone":"+919876543210","text":"x","clientMsgId":"1","__proto__":{"type":"ping"}}',
    ];
    const s = await open();
    for (const [i, frame] of hostile.entries()) {
      s.send(frame);
      await s.until(() => s.messages.filter((m) => m.type === 'error').length === i + 1, `error reply ${i + 1}`);
    }
    expect(s.messages.filter((m) => m.type === 'error').map((m) => m.code)).toEqual(['bad_request', 'bad_request', 'bad_request', 'bad_request']);
    const binary = await open();
    binary.ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    expect(await binary.next('error')).toMatchObject({ code: 'bad_request' });
    binary.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(1024 * 1024) }));
    expect((await binary.waitClose()).code).toBe(1009);
    s.close();
    bystander.send({ type: 'ping' });
    await bystander.next('pong');
    bystander.close();
  });

  it('drops a peer that misses two pings, and keeps one that answers', async () => {
    const alive = await open();
    const deaf = new TestSocket(new WebSocket(t.ws(`/ws/all-seat-datasocket/?key=${t.keys.liveOrders}`), { autoPong: false }));
    await deaf.next('hello');
    const closed = await deaf.waitClose(3000);
    expect(closed.code).toBe(1006);
    expect(alive.closed).toBeNull();
    alive.send({ type: 'ping' });
    await alive.next('pong');
    alive.close();
  });

  it('counts connections and upgrades in /metrics', async () => {
    const s = await open();
    const text = await (await fetch(t.http('/metrics'))).text();
    expect(text).toMatch(/scan2food_ws_connections\{socket="live-orders"\} [1-9]/);
    expect(text).toMatch(/scan2food_ws_upgrades_total\{socket="live-orders",result="accepted",reason="ok"\} [1-9]/);
    expect(text).toMatch(/scan2food_ws_messages_out_total\{socket="live-orders"\} [1-9]/);
    s.close();
  });

  it('serves /healthz and /readyz', async () => {
    expect((await fetch(t.http('/healthz'))).status).toBe(200);
    const ready = await fetch(t.http('/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });
});
