import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, upgradeLines } from './support/raw-http.js';
import { connectOpen, connectRefused } from './support/ws-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, seedVenue } from './support/venue.js';

const PATHS = {
  liveOrders: '/ws/all-seat-datasocket/',
  chat: '/ws/chat-socket/',
  payment: '/ws/payment-socket/123/',
} as const;

function expectErrorBody(body: string, code: string, ...secrets: string[]): void {
  const parsed = JSON.parse(body) as { error: { code: string; message: string } };
  expect(parsed.error.code).toBe(code);
  expect(typeof parsed.error.message).toBe('string');
  for (const secret of secrets) expect(body).not.toContain(secret);
}

describe('WebSocket upgrade authentication (SPEC §2)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAIL_LIMIT: '1000' });
  });
  afterAll(() => t.close());

  it('accepts the live-orders key in the query and sends hello on the `theatres` stream', async () => {
    const s = await connectOpen(t.ws(`${PATHS.liveOrders}?key=${t.keys.liveOrders}`));
    const hello = await s.next('hello');
    expect(hello).toMatchObject({ type: 'hello', stream: 'theatres', seq: 0 });
    expect(typeof hello.connectionId).toBe('string');
    s.close();
  });

  it('accepts the key as Authorization: Bearer, and the path without its trailing slash', async () => {
    const s = await connectOpen(t.ws('/ws/chat-socket'), { headers: { Authorization: `Bearer ${t.keys.chat}` } });
    expect(await s.next('hello')).toMatchObject({ stream: 'chat' });
    s.close();
  });

  it('answers 404 for any other /ws/ path', async () => {
    const r = await connectRefused(t.ws(`/ws/other-socket/?key=${t.keys.liveOrders}`));
    expect(r.status).toBe(404);
    expectErrorBody(r.body, 'not_found', t.keys.liveOrders);
  });

  it('refuses a request without any credential with 401', async () => {
    const r = await connectRefused(t.ws(PATHS.liveOrders));
    expect(r.status).toBe(401);
    expectErrorBody(r.body, 'unauthorized');
  });

  it('refuses a wrong key with 401 and never echoes it', async () => {
    const wrong = 'x'.repeat(43);
    const r = await connectRefused(t.ws(`${PATHS.liveOrders}?key=${wrong}`));
    expect(r.status).toBe(401);
    expectErrorBody(r.body, 'unauthorized', wrong);
  });

  it('refuses a key one character off', async () => {
    const key = t.keys.liveOrders;
    const last = key.at(-1) === 'A' ? 'B' : 'A';
    const r = await connectRefused(t.ws(`${PATHS.liveOrders}?key=${key.slice(0, -1)}${last}`));
    expect(r.status).toBe(401);
  });

  const combos = [
    ['liveOrders', 'chat'],
    ['liveOrders', 'payment'],
    ['chat', 'liveOrders'],
    ['chat', 'payment'],
    ['payment', 'liveOrders'],
    ['payment', 'chat'],
  ] as const;
  it.each(combos)('refuses the %s key on the %s socket with 401', async (keyOf, socket) => {
    const r = await connectRefused(t.ws(`${PATHS[socket]}?key=${t.keys[keyOf]}`));
    expect(r.status).toBe(401);
    expectErrorBody(r.body, 'unauthorized', t.keys[keyOf]);
  });

  it('refuses a credential given twice, and a key together with a ticket', async () => {
    const k = t.keys.liveOrders;
    expect((await connectRefused(t.ws(`${PATHS.liveOrders}?key=${k}&key=${k}`))).status).toBe(401);
    expect((await connectRefused(t.ws(`${PATHS.liveOrders}?key=${k}`), { headers: { Authorization: `Bearer ${k}` } })).status).toBe(401);
    const { ticket } = await t.app.tickets.mint('live-orders', { kind: 'admin' });
    expect((await connectRefused(t.ws(`${PATHS.liveOrders}?key=${k}&ticket=${ticket}`))).status).toBe(401);
  });

  it('refuses two Authorization headers with 401, even when both carry the right key (Node keeps only the first)', async () => {
    const k = t.keys.liveOrders;
    const auth = `Authorization: Bearer ${k}`;
    const twice = await rawRequest(t.port, upgradeLines(t.port, PATHS.liveOrders, [auth, auth]));
    expect(twice.status).toBe(401);
    expectErrorBody(twice.body, 'unauthorized', k);
    const wrongThenRight = await rawRequest(t.port, upgradeLines(t.port, PATHS.liveOrders, ['Authorization: Bearer nope', auth]));
    expect(wrongThenRight.status).toBe(401);
    const once = await rawRequest(t.port, upgradeLines(t.port, PATHS.liveOrders, [auth]));
    expect(once.status).toBe(101);
  });

  it('answers 404 for an order id not written canonically, whatever the credential', async () => {
    const v = await seedVenue(t);
    const placed = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone: '+919876543210', paymentMethod: 'cash' });
    expect(placed.status).toBe(201);
    const id = String(placed.body.order.id);
    for (const padded of [`0${id}`, `000${id}`, `+${id}`, `${id}.0`, `${id}%20`, '0', 'abc', '1'.repeat(16)]) {
      const r = await connectRefused(t.ws(`/ws/payment-socket/${padded}/?key=${t.keys.payment}`));
      expect(r.status, padded).toBe(404);
      expectErrorBody(r.body, 'not_found', t.keys.payment);
    }
    const { ticket } = await t.app.tickets.mint('payment', { kind: 'order', orderId: id });
    expect((await connectRefused(t.ws(`/ws/payment-socket/00${id}/?ticket=${ticket}`))).status).toBe(404);
    const guest = new ApiClient(t, placed.body.orderToken);
    expect((await guest.call('GET', `/api/orders/0${id}`)).status).toBe(404);
    expect((await guest.call('GET', `/api/orders/${id}`)).status).toBe(200);
    const canonical = await connectOpen(t.ws(`/ws/payment-socket/${id}/?key=${t.keys.payment}`));
    expect(await canonical.next('hello')).toMatchObject({ stream: `order:${id}` });
    canonical.close();
  });

  it('redacts key and ticket values in logged URLs however their names are percent-encoded', async () => {
    const before = t.logLines.length;
    const { ticket } = await t.app.tickets.mint('live-orders', { kind: 'admin' });
    const s = await connectOpen(t.ws(`${PATHS.liveOrders}?%6Bey=${t.keys.liveOrders}`));
    await s.next('hello');
    s.close();
    const p = await connectOpen(t.ws(`${PATHS.liveOrders}?%74icket=${ticket}`));
    await p.next('hello');
    p.close();
    await connectRefused(t.ws(`${PATHS.chat}?k%65y=${t.keys.chat}&%6b%65%79=${t.keys.chat}`));
    await fetch(t.http(`/api/auth/me?%6Bey=${t.keys.payment}&ticke%74=${ticket}`));
    const lines = t.logLines.slice(before);
    expect(lines.filter((l) => l.includes('ws_upgrade'))).toHaveLength(3);
    for (const secret of [t.keys.liveOrders, t.keys.chat, t.keys.payment, ticket]) {
      for (const line of lines) expect(line).not.toContain(secret);
    }
  });

  it('refuses a foreign Origin with 403, accepts the same host, and a request without Origin', async () => {
    const k = t.keys.liveOrders;
    const r = await connectRefused(t.ws(`${PATHS.liveOrders}?key=${k}`), { headers: { Origin: 'https://evil.example' } });
    expect(r.status).toBe(403);
    expectErrorBody(r.body, 'forbidden', k);
    const same = await connectOpen(t.ws(`${PATHS.liveOrders}?key=${k}`), { headers: { Origin: `http://127.0.0.1:${t.port}` } });
    await same.next('hello');
    same.close();
  });

  it('answers 404 for the payment socket of an order that does not exist (with a key)', async () => {
    const r = await connectRefused(t.ws(`${PATHS.payment}?key=${t.keys.payment}`));
    expect(r.status).toBe(404);
    expectErrorBody(r.body, 'not_found', t.keys.payment);
  });

  it('accepts a ticket once, over the query or as a subprotocol, and refuses it the second time', async () => {
    const { ticket } = await t.app.tickets.mint('live-orders', { kind: 'theatre', theatreId: 7 });
    const s = await connectOpen(t.ws(`${PATHS.liveOrders}?ticket=${ticket}`));
    expect(await s.next('hello')).toMatchObject({ stream: 'theatre:7' });
    s.close();
    expect((await connectRefused(t.ws(`${PATHS.liveOrders}?ticket=${ticket}`))).status).toBe(401);

    const second = await t.app.tickets.mint('chat', { kind: 'theatre', theatreId: 7 });
    const p = await connectOpen(t.ws(PATHS.chat), { protocols: ['scan2food.v1', `ticket.${second.ticket}`] });
    expect(p.ws.protocol).toBe('scan2food.v1');
    expect(await p.next('hello')).toMatchObject({ stream: 'chat:7' });
    p.close();
    expect((await connectRefused(t.ws(PATHS.chat), { protocols: ['scan2food.v1', `ticket.${second.ticket}`] })).status).toBe(401);
  });

  it('refuses a valid ticket for another socket or another order with 403', async () => {
    const chat = await t.app.tickets.mint('chat', { kind: 'admin' });
    const r = await connectRefused(t.ws(`${PATHS.liveOrders}?ticket=${chat.ticket}`));
    expect(r.status).toBe(403);
    expectErrorBody(r.body, 'forbidden', chat.ticket);
    const order = await t.app.tickets.mint('payment', { kind: 'order', orderId: '999' });
    expect((await connectRefused(t.ws(`${PATHS.payment}?ticket=${order.ticket}`))).status).toBe(403);
  });

  it('refuses a tampered or expired ticket with 401', async () => {
    const { ticket } = await t.app.tickets.mint('live-orders', { kind: 'admin' });
    const tampered = `${ticket.slice(0, -2)}${ticket.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await connectRefused(t.ws(`${PATHS.liveOrders}?ticket=${tampered}`))).status).toBe(401);
  });

  it('logs every accepted and refused upgrade with socket and reason, and never a key', async () => {
    const before = t.logLines.length;
    const wrong = `${t.keys.chat.slice(0, 20)}zz`;
    await connectRefused(t.ws(`${PATHS.chat}?key=${wrong}`));
    const s = await connectOpen(t.ws(`${PATHS.chat}?key=${t.keys.chat}`));
    await s.next('hello');
    s.close();
    const lines = t.logLines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    const upgrades = lines.filter((l) => l.event === 'ws_upgrade');
    expect(upgrades.map((l) => [l.result, l.socket, l.reason ?? 'ok'])).toEqual([
      ['refused', 'chat', 'bad_key'],
      ['accepted', 'chat', 'ok'],
    ]);
    expect(upgrades[0]).toMatchObject({ clientAddress: '127.0.0.1', url: '/ws/chat-socket/?key=[redacted]' });
    expect(String(upgrades[1]?.principal)).toMatch(/^key:chat#[0-9a-f]{12}$/);
  });
});

describe('refused-credential limit per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAIL_LIMIT: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After after the limit of 401s, even to a valid key, and only counts 401s', async () => {
    // 403s (origin) and 404s do not count.
    for (let i = 0; i < 5; i++) {
      await connectRefused(t.ws(`/ws/all-seat-datasocket/?key=${t.keys.liveOrders}`), { headers: { Origin: 'https://evil.example' } });
      await connectRefused(t.ws('/ws/nowhere/'));
    }
    for (let i = 0; i < 3; i++) expect((await connectRefused(t.ws('/ws/all-seat-datasocket/?key=wrong'))).status).toBe(401);
    const limited = await connectRefused(t.ws(`/ws/all-seat-datasocket/?key=${t.keys.liveOrders}`));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expectErrorBody(limited.body, 'rate_limited');
  });
});

describe('client address behind a proxy', () => {
  it('counts failures against X-Forwarded-For only when TRUST_PROXY says so', async () => {
    const trusted = await startTestApp({ AUTH_FAIL_LIMIT: '2', TRUST_PROXY: 'true' });
    const untrusted = await startTestApp({ AUTH_FAIL_LIMIT: '2' });
    try {
      for (const t of [trusted, untrusted]) {
        for (const ip of ['10.0.0.1', '10.0.0.2']) {
          for (let i = 0; i < 2; i++) await connectRefused(t.ws('/ws/chat-socket/?key=nope'), { headers: { 'X-Forwarded-For': ip } });
        }
      }
      const ok = await connectOpen(trusted.ws(`/ws/chat-socket/?key=${trusted.keys.chat}`), { headers: { 'X-Forwarded-For': '10.0.0.3' } });
      ok.close();
      const r = await connectRefused(untrusted.ws(`/ws/chat-socket/?key=${untrusted.keys.chat}`), { headers: { 'X-Forwarded-For': '10.0.0.3' } });
      expect(r.status).toBe(429);
    } finally {
      await trusted.close();
      await untrusted.close();
    }
  });
});
