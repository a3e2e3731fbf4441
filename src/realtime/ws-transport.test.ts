import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { SharedFrame } from './connection.js';
import { frameText, HEARTBEAT_SLICES, startHeartbeat, WsConnection } from './ws-transport.js';

/** A raw TCP client that does the upgrade by hand and records every byte the server sends after the 101. */
async function rawClient(port: number): Promise<{ socket: Socket; bytes: () => Buffer; until: (n: number) => Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let buf = Buffer.alloc(0);
  let headerEnd = -1;
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (headerEnd < 0) headerEnd = buf.indexOf('\r\n\r\n');
    for (const w of waiters.splice(0)) w();
  });
  const body = () => (headerEnd < 0 ? Buffer.alloc(0) : buf.subarray(headerEnd + 4));
  const until = async (n: number) => {
    const deadline = Date.now() + 5_000;
    while (body().length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} bytes, got ${body().length}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        waiters.push(() => (clearTimeout(t), r()));
      });
    }
  };
  return { socket, bytes: body, until };
}

describe('WsConnection: an event framed once, written as the same bytes to every socket', () => {
  let server: Server | undefined;
  let wss: WebSocketServer | undefined;
  const clients: { terminate(): void }[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    wss?.close();
    if (server) await new Promise((r) => server!.close(r));
    server = wss = undefined;
  });

  async function listen(perMessageDeflate: boolean): Promise<{ port: number; nextConnection: () => Promise<WsConnection> }> {
    server = createServer();
    wss = new WebSocketServer({ server, perMessageDeflate, WebSocket: WsConnection });
    const pending: WsConnection[] = [];
    const waiting: ((c: WsConnection) => void)[] = [];
    wss.on('connection', (ws) => {
      const conn = ws as WsConnection;
      conn.opened();
      const w = waiting.shift();
      if (w) w(conn);
      else pending.push(conn);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      port: (server.address() as AddressInfo).port,
      nextConnection: () => (pending.length ? Promise.resolve(pending.shift()!) : new Promise((r) => waiting.push(r))),
    };
  }

  it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])('a pre-framed send of %i bytes is byte-identical to ws.send', async (size) => {
    const { port, nextConnection } = await listen(false);
    const client = await rawClient(port);
    clients.push({ terminate: () => client.socket.destroy() });
    const conn = await nextConnection();
    const payload = Buffer.from('é'.repeat(Math.ceil(size / 2))).subarray(0, size);
    // Reference: what ws itself writes for this payload as a text frame.
    conn.send(payload, { binary: false });
    const frame = new SharedFrame(payload);
    conn.send(frame);
    const expectedLength = frameText(payload).length;
    await client.until(2 * expectedLength);
    const bytes = client.bytes();
    expect(bytes.length).toBe(2 * expectedLength);
    expect(bytes.subarray(expectedLength)).toEqual(bytes.subarray(0, expectedLength));
    // The frame was built once and kept for the next socket.
    expect(frame.wire).toEqual(bytes.subarray(0, expectedLength));
  });

  it('writes one shared frame to many sockets, each receiving the message once and in order', async () => {
    const { port, nextConnection } = await listen(false);
    const received: string[][] = [];
    const conns: WsConnection[] = [];
    for (let i = 0; i < 5; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
      clients.push(ws);
      const got: string[] = [];
      received.push(got);
      ws.on('message', (d, isBinary) => got.push(`${isBinary ? 'bin' : 'text'}:${d.toString()}`));
      const [conn] = await Promise.all([nextConnection(), once(ws, 'open')]);
      conns.push(conn);
    }
    const frames = ['{"seq":1}', '{"seq":2}', '{"seq":3}'].map((s) => new SharedFrame(Buffer.from(s)));
    for (const f of frames) for (const c of conns) c.send(f);
    const deadline = Date.now() + 5_000;
    while (received.some((r) => r.length < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const r of received) expect(r).toEqual(['text:{"seq":1}', 'text:{"seq":2}', 'text:{"seq":3}']);
  });

  it('falls back to ws.send when permessage-deflate was negotiated (the frame is compressed per socket)', async () => {
    const { port, nextConnection } = await listen(true);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: true });
    clients.push(ws);
    const got: string[] = [];
    ws.on('message', (d) => got.push(d.toString()));
    const [conn] = await Promise.all([nextConnection(), once(ws, 'open')]);
    expect(ws.extensions).toContain('permessage-deflate');
    const text = JSON.stringify({ type: 'order.confirmed', data: 'x'.repeat(2_000) });
    const frame = new SharedFrame(Buffer.from(text));
    conn.send(frame);
    conn.send(frame);
    const deadline = Date.now() + 5_000;
    while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([text, text]);
    // Never framed raw: ws compressed it.
    expect(frame.wire).toBeUndefined();
  });

  it('gives every connection its own id, the same each time it is asked, prefixed per process', async () => {
    const { port, nextConnection } = await listen(false);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
      clients.push(ws);
      const [conn] = await Promise.all([nextConnection(), once(ws, 'open')]);
      expect(conn.id).toBe(conn.id);
      ids.push(conn.id);
    }
    expect(new Set(ids).size).toBe(3);
    const prefixes = new Set(ids.map((id) => id.slice(0, id.lastIndexOf('-'))));
    expect(prefixes.size).toBe(1);
    expect([...prefixes][0]!.length).toBeGreaterThanOrEqual(12);
  });

  it('leaves a closing socket to ws (nothing is written after the close frame)', async () => {
    const { port, nextConnection } = await listen(false);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    clients.push(ws);
    const got: string[] = [];
    ws.on('message', (d) => got.push(d.toString()));
    const [conn] = await Promise.all([nextConnection(), once(ws, 'open')]);
    conn.close(1000, 'bye');
    conn.send(new SharedFrame(Buffer.from('late')));
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1000);
    expect(got).toEqual([]);
  });
});

describe('startHeartbeat: every peer pinged once per interval, in slices, never all at once', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function peers(n: number) {
    return Array.from({ length: n }, (_, i) => ({ heartbeatSlot: i + 1, missedPings: 0, pings: 0, terminated: false, ping() { this.pings++; }, terminate() { this.terminated = true; } }));
  }

  it('pings a tenth of 1,000 connections per tenth of a 25 s interval, each once per interval', () => {
    vi.useFakeTimers();
    const conns = peers(1000);
    const stop = startHeartbeat(() => conns, 25_000, 2);
    let before = 0;
    for (let slice = 1; slice <= HEARTBEAT_SLICES; slice++) {
      vi.advanceTimersByTime(25_000 / HEARTBEAT_SLICES);
      const pinged = conns.reduce((n, c) => n + c.pings, 0);
      expect(pinged - before).toBe(1000 / HEARTBEAT_SLICES);
      before = pinged;
      for (const c of conns) c.missedPings = 0; // they answer
    }
    expect(conns.every((c) => c.pings === 1)).toBe(true);
    vi.advanceTimersByTime(25_000);
    expect(conns.every((c) => c.pings === 2 && !c.terminated)).toBe(true);
    stop();
  });

  it('drops a peer once it has missed two pings in a row, and only that peer', () => {
    vi.useFakeTimers();
    const conns = peers(20);
    const stop = startHeartbeat(() => conns, 1_000, 2);
    for (let round = 0; round < 3; round++) {
      vi.advanceTimersByTime(1_000);
      for (const c of conns.slice(1)) c.missedPings = 0; // all but the first answer
    }
    expect(conns[0]!.terminated).toBe(true);
    expect(conns.slice(1).some((c) => c.terminated)).toBe(false);
    stop();
  });

  it('pings everyone in one tick when the interval is too short to slice (tests use 150 ms)', () => {
    vi.useFakeTimers();
    const conns = peers(7);
    const stop = startHeartbeat(() => conns, 150, 2);
    vi.advanceTimersByTime(150);
    expect(conns.every((c) => c.pings === 1)).toBe(true);
    stop();
  });
});
