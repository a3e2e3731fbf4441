import { connect as tcpConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, upgradeLines, type RawAnswer } from './support/raw-http.js';
import { connectOpen } from './support/ws-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const LIVE = '/ws/all-seat-datasocket/';

/** `upgradeLines` with one header replaced (or removed, with `value` null), and the method changed. */
function handshakeWith(port: number, path: string, header: string, value: string | null, extra: string[] = [], method = 'GET'): string[] {
  const lines = upgradeLines(port, path, extra).filter((l) => !l.toLowerCase().startsWith(`${header.toLowerCase()}:`));
  lines[0] = lines[0]!.replace(/^GET /, `${method} `);
  if (value !== null) lines.splice(1, 0, `${header}: ${value}`);
  return lines;
}

/** The malformed handshakes `ws` would refuse: each must be refused before credentials are looked at. */
const MALFORMED: [string, string, string | null, string?][] = [
  ['a key of 15 bytes', 'Sec-WebSocket-Key', Buffer.alloc(15, 1).toString('base64')],
  ['a key of 17 bytes', 'Sec-WebSocket-Key', Buffer.alloc(17, 1).toString('base64')],
  ['a key that is not base64', 'Sec-WebSocket-Key', '!!!!!!!!!!!!!!!!!!!!!!=='],
  ['no key', 'Sec-WebSocket-Key', null],
  ['version 12', 'Sec-WebSocket-Version', '12'],
  ['no version', 'Sec-WebSocket-Version', null],
  ['Upgrade: h2c', 'Upgrade', 'h2c'],
  ['a POST', 'Upgrade', 'websocket', 'POST'],
];

function expectBadRequest(answer: RawAnswer): void {
  expect(answer.status, answer.head).toBe(400);
  expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'bad_request', message: expect.any(String) } });
}

describe('a malformed WebSocket handshake is refused first (400)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAIL_LIMIT: '20' });
  });
  afterAll(() => t.close());

  it.each(MALFORMED)('refuses %s with 400 and leaves the ticket it carried unspent', async (_what, header, value, method) => {
    const { ticket } = await t.app.tickets.mint('live-orders', { kind: 'theatre', theatreId: 7 });
    expectBadRequest(await rawRequest(t.port, handshakeWith(t.port, `${LIVE}?ticket=${ticket}`, header, value, [], method)));
    const s = await connectOpen(t.ws(`${LIVE}?ticket=${ticket}`));
    expect(await s.next('hello')).toMatchObject({ stream: 'theatre:7' });
    s.close();
  });

  it('names the version it speaks when refusing another one', async () => {
    const answer = await rawRequest(t.port, handshakeWith(t.port, `${LIVE}?key=${t.keys.liveOrders}`, 'Sec-WebSocket-Version', '8'));
    expectBadRequest(answer);
    expect(answer.head).toMatch(/\r\nSec-WebSocket-Version: 13(\r\n|$)/);
  });

  it('refuses a malformed subprotocol list before spending the ticket offered in it', async () => {
    const { ticket } = await t.app.tickets.mint('chat', { kind: 'theatre', theatreId: 7 });
    const offers = [`scan2food.v1, ticket.${ticket}, scan2food.v1`, `scan2food.v1,, ticket.${ticket}`, `scan2food.v1, ticket.${ticket}, a/b`];
    for (const offer of offers) expectBadRequest(await rawRequest(t.port, upgradeLines(t.port, '/ws/chat-socket/', [`Sec-WebSocket-Protocol: ${offer}`])));
    const s = await connectOpen(t.ws('/ws/chat-socket/'), { protocols: ['scan2food.v1', `ticket.${ticket}`] });
    expect(await s.next('hello')).toMatchObject({ stream: 'chat:7' });
    s.close();
  });

  it('counts no credential of a malformed handshake: 30 with a wrong key do not reach AUTH_FAIL_LIMIT (20), while 20 well-formed ones do', async () => {
    const wrong = `${LIVE}?key=${'x'.repeat(43)}`;
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => rawRequest(t.port, handshakeWith(t.port, wrong, 'Sec-WebSocket-Key', i % 2 === 0 ? 'short==' : null))));
    for (const answer of answers) expectBadRequest(answer);
    const open = await connectOpen(t.ws(`${LIVE}?key=${t.keys.liveOrders}`));
    await open.next('hello');
    open.close();
    // The limit is live: the same wrong key in 20 well-formed handshakes is counted, and the next is 429.
    const counted = await Promise.all(Array.from({ length: 20 }, () => rawRequest(t.port, upgradeLines(t.port, wrong))));
    expect(counted.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 401));
    expect((await rawRequest(t.port, upgradeLines(t.port, `${LIVE}?key=${t.keys.liveOrders}`))).status).toBe(429);
  });
});

describe('the socket of a refused upgrade', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAIL_LIMIT: '1000' });
  });
  afterAll(() => t.close());

  /**
   * Sends `lines` from a client that keeps its own half open after the answer (allowHalfOpen),
   * and resolves once the server's end of that TCP connection has closed; rejects after 3 s.
   */
  function serverClosesAfter(lines: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      let serverSide: Duplex | null = null;
      let answer = '';
      let pending = 2; // the server's end closed, and the whole answer read
      const done = () => {
        if (--pending > 0) return;
        clearTimeout(timer);
        client.destroy();
        resolve(answer);
      };
      const onUpgrade = (_req: unknown, socket: Duplex) => {
        t.app.server.off('upgrade', onUpgrade);
        serverSide = socket;
        socket.once('close', done);
      };
      t.app.server.on('upgrade', onUpgrade);
      const client: Socket = tcpConnect({ port: t.port, host: '127.0.0.1', allowHalfOpen: true });
      client.on('data', (c: Buffer) => (answer += c.toString()));
      client.once('end', done);
      client.on('error', () => undefined);
      const timer = setTimeout(() => {
        t.app.server.off('upgrade', onUpgrade);
        client.destroy();
        reject(new Error(`the server kept its end open (${serverSide ? 'half-closed' : 'never upgraded'}); got ${JSON.stringify(answer.slice(0, 200))}`));
      }, 3000);
      client.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  it('is closed by the server after a 400 for a malformed handshake, though the client keeps its half open', async () => {
    const answer = await serverClosesAfter(handshakeWith(t.port, `${LIVE}?key=${t.keys.liveOrders}`, 'Sec-WebSocket-Key', 'nope'));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('is closed by the server after a 401 and after a 404', async () => {
    expect(await serverClosesAfter(upgradeLines(t.port, `${LIVE}?key=wrong`))).toMatch(/^HTTP\/1\.1 401 /);
    expect(await serverClosesAfter(upgradeLines(t.port, `/ws/elsewhere/?key=${t.keys.liveOrders}`))).toMatch(/^HTTP\/1\.1 404 /);
  });
});
