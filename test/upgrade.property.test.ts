import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, upgradeLines } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Hostile upgrade requests against the running server, over raw TCP so nothing is cleaned up on
 * the way: every one gets 101 or a documented refusal (400, 401, 403, 404, 429), never a 500 or
 * a 503, and the server keeps serving.
 */
describe('upgrade requests (property, real server)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAIL_LIMIT: '1000000' });
  });
  afterAll(() => t.close());

  // Anything a request line or header value can carry: no CR/LF (they would end the line).
  const text = fc.oneof(
    fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, '')),
    fc.constantFrom('%00', '%', '%ZZ', '%6Bey', '%74icket', '__proto__', '../..', '//', '?', '#', '&&', '==', '\u0000', '\t'),
    fc.nat({ max: 1 }).map((n) => 'k'.repeat([2_000, 9_000][n]!)),
  );
  const target = fc.oneof(
    fc.tuple(fc.constantFrom('/ws/all-seat-datasocket/', '/ws/chat-socket', '/ws/payment-socket/1/', '/ws/payment-socket/01/', '/ws/'), fc.array(fc.tuple(fc.constantFrom('key', 'ticket', 'since', '%6Bey', 'k%65y'), text), { maxLength: 3 })).map(
      ([path, pairs]) => `${path}?${pairs.map(([n, v]) => `${n}=${v}`).join('&')}`.replace(/ /g, '%20'),
    ),
    text.map((s) => `/ws/${s.replace(/ /g, '%20')}`),
  );
  const header = fc.tuple(fc.constantFrom('Authorization', 'Sec-WebSocket-Protocol', 'Origin', 'X-Forwarded-For', 'Authorization'), text).map(([n, v]) => `${n}: ${v}`);

  it('answers 101 or a documented refusal, never a server error', async () => {
    await fc.assert(
      fc.asyncProperty(target, fc.array(header, { maxLength: 4 }), async (path, headers) => {
        const answer = await rawRequest(t.port, upgradeLines(t.port, path, headers));
        // 431: a request line or headers over Node's limit, refused by its parser before the app.
        expect([101, 400, 401, 403, 404, 429, 431], `${path.slice(0, 100)} ${JSON.stringify(headers).slice(0, 100)} -> ${answer.head.slice(0, 100)}`).toContain(answer.status);
        // A request Node's HTTP parser cannot read never reaches the gateway: Fastify answers it
        // (400, 431) in its own words. Every refusal of the gateway has the API's error shape.
        const byGateway = [401, 403, 404, 429].includes(answer.status) || (answer.status === 400 && !/Client Error/.test(answer.body));
        if (byGateway) expect(JSON.parse(answer.body)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }),
      // Counterexamples can be 9 kB long: keep the report short.
      { numRuns: 150, endOnFailure: true, includeErrorInReport: false },
    );
    expect((await fetch(t.http('/healthz'))).status).toBe(200);
  });

  it('refuses a handshake `ws` would refuse before authenticating it: with a valid key, every answer is 101 or our own 400', async () => {
    const ascii = fc.string({ unit: fc.constantFrom(...' !#$%&*+-./0123456789:;=?@ABCXYZ_abcxyz|~,'), maxLength: 40 });
    // Each part is mostly valid, so most requests get as far as the part that is not.
    const mostly = <T>(valid: T, other: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(valid), weight: 3 }, { arbitrary: other, weight: 1 });
    const nonce = mostly(Buffer.alloc(16, 9).toString('base64'), fc.oneof(fc.nat({ max: 24 }).map((n) => Buffer.alloc(n, 7).toString('base64')), ascii));
    const version = mostly('13', fc.oneof(fc.constantFrom('8', '12', '13, 8', '0x0d', '13.0', '013'), ascii));
    // A blank Upgrade makes it a plain HTTP request (Node's parser), which is not ours to answer.
    const upgrade = mostly('websocket', fc.oneof(fc.constantFrom('WebSocket', 'websocket, h2c', 'h2c'), ascii.filter((s) => s.trim() !== '')));
    const protocols = fc.option(fc.oneof(fc.constantFrom('scan2food.v1', 'scan2food.v1, x', 'a, b', 'a,,b', 'a, a', 'a b', 'a/b', 'a,'), ascii));
    const method = mostly('GET', fc.constantFrom('POST', 'PUT'));
    await fc.assert(
      fc.asyncProperty(method, upgrade, nonce, version, protocols, async (m, up, key, ver, proto) => {
        const lines = [
          `${m} /ws/all-seat-datasocket/?key=${t.keys.liveOrders} HTTP/1.1`,
          `Host: 127.0.0.1:${t.port}`,
          'Connection: Upgrade',
          `Upgrade: ${up}`,
          `Sec-WebSocket-Key: ${key}`,
          `Sec-WebSocket-Version: ${ver}`,
          ...(proto === null ? [] : [`Sec-WebSocket-Protocol: ${proto}`]),
        ];
        const answer = await rawRequest(t.port, lines);
        const context = `${JSON.stringify(lines.slice(3))} -> ${answer.head.slice(0, 80)} ${answer.body.slice(0, 80)}`;
        if (answer.status === 101) return;
        // A request the HTTP parser refuses never reaches us (Fastify's own 400); anything else
        // that is refused was refused by our handshake check, in the API's error shape.
        if (/Client Error/.test(answer.body)) return;
        expect(answer.status, context).toBe(400);
        expect(JSON.parse(answer.body), context).toMatchObject({ error: { code: 'bad_request' } });
      }),
      { numRuns: 200 },
    );
  });
});
