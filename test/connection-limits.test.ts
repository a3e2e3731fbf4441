import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, LOGINS, seedVenue, type Venue } from './support/venue.js';
import { connectOpen, connectRefused, type TestSocket } from './support/ws-client.js';

const PER_ORDER = 2;
const PER_THEATRE = 3;
const PER_ADDRESS = 4;

describe('connection caps, refused at the upgrade with 429 and counted in /metrics', () => {
  let t: TestApp;
  let v: Venue;
  const open: TestSocket[] = [];
  // Each test comes from its own address (X-Forwarded-For, trusted here) so their counts stay apart.
  const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } });
  const keep = (s: TestSocket) => (open.push(s), s);

  beforeAll(async () => {
    t = await startTestApp({
      AUTH_FAIL_LIMIT: '1000',
      TRUST_PROXY: 'true',
      MAX_SOCKETS_PER_ORDER: String(PER_ORDER),
      MAX_SOCKETS_PER_THEATRE: String(PER_THEATRE),
      MAX_TICKET_SOCKETS_PER_ADDRESS: String(PER_ADDRESS),
    });
    v = await seedVenue(t);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t.close();
  });

  const placeOrder = async () => {
    const r = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone: '+919876543210', paymentMethod: 'cash' });
    expect(r.status).toBe(201);
    return { id: r.body.order.id as number, guest: new ApiClient(t, r.body.orderToken as string) };
  };
  const metric = async (reason: string): Promise<number> => {
    const text = await (await fetch(t.http('/metrics'))).text();
    const m = new RegExp(`scan2food_ws_upgrades_total\\{socket="[a-z-]+",result="refused",reason="${reason}"\\} (\\d+)`, 'g');
    return [...text.matchAll(m)].reduce((n, x) => n + Number(x[1]), 0);
  };

  it('caps sockets per order, for order-token tickets and keys alike, and frees the slot on close', async () => {
    const { id, guest } = await placeOrder();
    const path = `/ws/payment-socket/${id}/`;
    const sockets = [];
    for (let i = 0; i < PER_ORDER; i++) sockets.push(keep(await connectOpen(t.ws(`${path}?ticket=${await guest.ticket('payment', id)}`), from(`10.1.0.${i + 1}`))));
    const refused = await connectRefused(t.ws(`${path}?ticket=${await guest.ticket('payment', id)}`), from('10.1.0.9'));
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await connectRefused(t.ws(`${path}?key=${t.keys.payment}`), from('10.1.0.10'))).status).toBe(429);
    expect(await metric('cap_per_order')).toBe(2);

    sockets[0]!.close();
    await sockets[0]!.waitClose();
    const again = keep(await connectOpen(t.ws(`${path}?ticket=${await guest.ticket('payment', id)}`), from('10.1.0.11')));
    await again.next('hello');
    // Another order is not affected.
    const other = await placeOrder();
    keep(await connectOpen(t.ws(`/ws/payment-socket/${other.id}/?ticket=${await other.guest.ticket('payment', other.id)}`), from('10.1.0.12')));
  });

  it('caps sockets per theatre over its live-orders and chat sockets; other theatres and keys are not counted', async () => {
    const staff = await ApiClient.login(t, LOGINS.staff2);
    for (let i = 0; i < PER_THEATRE; i++) {
      const socket = i % 2 ? 'chat' : 'live-orders';
      const path = socket === 'chat' ? '/ws/chat-socket/' : '/ws/all-seat-datasocket/';
      keep(await connectOpen(t.ws(`${path}?ticket=${await staff.ticket(socket)}`), from(`10.2.0.${i + 1}`)));
    }
    const refused = await connectRefused(t.ws(`/ws/all-seat-datasocket/?ticket=${await staff.ticket('live-orders')}`), from('10.2.0.9'));
    expect(refused.status).toBe(429);
    expect(await metric('cap_per_theatre')).toBe(1);
    const other = await ApiClient.login(t, LOGINS.staff1);
    keep(await connectOpen(t.ws(`/ws/all-seat-datasocket/?ticket=${await other.ticket('live-orders')}`), from('10.2.0.10')));
    keep(await connectOpen(t.ws(`/ws/all-seat-datasocket/?key=${t.keys.liveOrders}`), from('10.2.0.11')));
  });

  it('caps ticket sockets per client address, never key-authenticated ones', async () => {
    const address = '10.3.0.1';
    const admin = await ApiClient.login(t, LOGINS.admin);
    for (let i = 0; i < PER_ADDRESS; i++) keep(await connectOpen(t.ws(`/ws/chat-socket/?ticket=${await admin.ticket('chat')}`), from(address)));
    const refused = await connectRefused(t.ws(`/ws/chat-socket/?ticket=${await admin.ticket('chat')}`), from(address));
    expect(refused.status).toBe(429);
    expect(await metric('cap_per_address')).toBe(1);
    // A key holder behind the same address (an integration) is not capped per address.
    for (let i = 0; i < PER_ADDRESS * 3; i++) {
      const s = keep(await connectOpen(t.ws(`/ws/chat-socket/?key=${t.keys.chat}`), from(address)));
      await s.next('hello');
    }
    // Another address is not affected.
    keep(await connectOpen(t.ws(`/ws/chat-socket/?ticket=${await admin.ticket('chat')}`), from('10.3.0.2')));
  });
});

describe('HTTP request and header timeouts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ HTTP_REQUEST_TIMEOUT_MS: '800', HTTP_HEADERS_TIMEOUT_MS: '400', HEARTBEAT_INTERVAL_MS: '150' });
    quiet = await startTestApp({ HTTP_REQUEST_TIMEOUT_MS: '800', HTTP_HEADERS_TIMEOUT_MS: '400', HEARTBEAT_INTERVAL_MS: '60000' });
  });
  let quiet: TestApp;
  afterAll(async () => {
    await t.close();
    await quiet.close();
  });

  /** Resolves when the server closes a connection on which nothing was ever sent. */
  const silentConnection = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = tcpConnect(port, '127.0.0.1');
      const giveUp = setTimeout(() => {
        socket.destroy();
        reject(new Error('the silent connection was still open after 5 s'));
      }, 5000);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(giveUp);
        resolve(Date.now() - started);
      });
    });

  it('closes a connection that never sends a byte', async () => {
    const afterMs = await silentConnection(t.port);
    expect(afterMs).toBeGreaterThanOrEqual(300);
    expect(afterMs).toBeLessThan(3000);
  });

  it('leaves a silent open WebSocket alone while a silent HTTP connection is cut', async () => {
    const s = await connectOpen(quiet.ws(`/ws/all-seat-datasocket/?key=${quiet.keys.liveOrders}`));
    await s.next('snapshot');
    // No heartbeat within this test: both connections are silent from here on.
    await silentConnection(quiet.port);
    expect(s.closed).toBeNull();
    s.send({ type: 'ping' });
    await s.next('pong');
    s.close();
  });

  /** Opens a connection, writes `head`, then one byte every 100 ms; resolves with when the server cut it and what it said. */
  const trickle = (head: string, body: string): Promise<{ afterMs: number; answer: string }> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = tcpConnect(t.port, '127.0.0.1');
      let answer = '';
      let i = 0;
      const timer = setInterval(() => {
        if (i < body.length) socket.write(body[i++]!);
      }, 100);
      const giveUp = setTimeout(() => {
        clearInterval(timer);
        socket.destroy();
        reject(new Error('the trickling connection was still open after 5 s'));
      }, 5000);
      socket.on('data', (c: Buffer) => (answer += c.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        clearTimeout(giveUp);
        resolve({ afterMs: Date.now() - started, answer });
      });
      socket.write(head);
    });

  it('cuts off a trickled body after the request timeout', async () => {
    const body = JSON.stringify({ username: 'x'.repeat(60), password: 'y'.repeat(60) });
    const head = `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const cut = await trickle(head, body);
    expect(cut.afterMs).toBeGreaterThanOrEqual(700);
    expect(cut.afterMs).toBeLessThan(3000);
    expect(cut.answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts off trickled headers after the header timeout', async () => {
    const cut = await trickle(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n`, 'X-Slow: ' + 'a'.repeat(60));
    expect(cut.afterMs).toBeGreaterThanOrEqual(300);
    expect(cut.afterMs).toBeLessThan(3000);
  });

  it('leaves an open WebSocket alone well past the request timeout', async () => {
    const s = await connectOpen(t.ws(`/ws/all-seat-datasocket/?key=${t.keys.liveOrders}`));
    let pings = 0;
    // Each server ping is answered with a message ping, whose pong wakes the wait below.
    s.ws.on('ping', () => {
      pings += 1;
      s.send({ type: 'ping' });
    });
    await s.next('hello');
    // Twelve server pings at 150 ms: about 1.8 s, more than twice the request timeout.
    await s.until(() => pings >= 12 || s.closed, 'twelve pings', 5000);
    expect(s.closed).toBeNull();
    s.close();
  });

  it('still serves a request that arrives in time', async () => {
    expect((await fetch(t.http('/healthz'))).status).toBe(200);
  });
});
