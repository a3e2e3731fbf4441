import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../config/limits.js';
import { KeyStore } from '../../keys/key-store.js';
import { generateSecret } from '../../keys/keys-file.js';
import { MemorySingleUseStore } from '../../tickets/single-use-store.js';
import { TicketService } from '../../tickets/ticket.service.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { authenticateUpgrade, type AuthDeps, type AuthResult } from './authenticate.js';

/**
 * The upgrade decoder against hostile requests: whatever the path, query, `since`, ticket,
 * Authorization or subprotocol headers, it answers an acceptance or one of the documented
 * refusals (SPEC §2), never throws, and never echoes a credential.
 */
const keys = { 'live-orders': [generateSecret()], payment: [generateSecret()], chat: [generateSecret()] };
const secret = generateSecret();
const SESSION = 'a'.repeat(64);

function deps(): AuthDeps {
  return {
    keys: new KeyStore(keys),
    tickets: new TicketService(secret, DEFAULT_LIMITS.ticketTtlSeconds, new MemorySingleUseStore()),
    failures: AuthFailureLimiter.inMemory(1_000_000, 60),
    allowedOrigins: null,
    orderExists: async (id) => id === '42',
    liveSessions: async (ids) => new Map(ids.filter((id) => id === SESSION).map((id) => [id, 7])),
  };
}

const STATUS_OF_CODE = { bad_request: 400, unauthorized: 401, forbidden: 403, not_found: 404, rate_limited: 429 } as const;

function expectDocumented(result: AuthResult, ...secrets: string[]): void {
  if (result.ok) {
    expect(result.stream).toMatch(/^(theatres|theatre:\d+|chat|chat:\d+|order:[1-9]\d*)$/);
    if (result.since !== undefined) expect(Number.isSafeInteger(result.since) && result.since >= 0).toBe(true);
    return;
  }
  expect(STATUS_OF_CODE[result.code]).toBe(result.status);
  expect(typeof result.message).toBe('string');
  for (const s of secrets) if (s.length > 8) expect(result.message).not.toContain(s);
}

/** Percent-encodes what can be; a lone surrogate (which cannot) goes raw, as a hostile client would send it. */
const enc = (v: string): string => {
  try {
    return encodeURIComponent(v);
  } catch {
    return v.replace(/[\s#?&]/g, '');
  }
};

const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', '%00', '%', '%%', '%ZZ', '..', '/', '?', '#', '&', '=', '+', ' ', '__proto__', 'constructor', '-1', '1e3', '00', '9'.repeat(30)),
  fc.nat({ max: 2 }).map((n) => 'x'.repeat([1024, 64 * 1024, 1024 * 1024][n]!)),
);
const paths = fc.oneof(
  fc.constantFrom('/ws/all-seat-datasocket/', '/ws/all-seat-datasocket', '/ws/chat-socket/', '/ws/payment-socket/42/', '/ws/payment-socket/042/', '/ws/payment-socket/42/x', '/ws//chat-socket/', '/WS/chat-socket/'),
  hostileString.map((s) => `/ws/payment-socket/${enc(s)}/`),
  hostileString.map((s) => `/${s}`),
);
const paramNames = fc.constantFrom('key', 'ticket', 'since', '%6Bey', '%74icket', 'k%65y', 'KEY', 'key[]', 'since%00', '__proto__', 'constructor');

describe('authenticateUpgrade (property)', () => {
  it('answers every hostile request with an acceptance or a documented refusal', async () => {
    const d = deps();
    const valid = await d.tickets.mint('live-orders', { kind: 'theatre', theatreId: 3 }, { accountId: 7, sessionId: SESSION });
    const credentials = fc.oneof(hostileString, fc.constantFrom(keys['live-orders'][0]!, keys.chat[0]!, keys.payment[0]!, valid.ticket, `${valid.ticket}x`));
    const query = fc.array(fc.tuple(paramNames, fc.oneof(credentials, fc.nat().map(String), hostileString)), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(
        paths,
        query,
        fc.array(fc.oneof(credentials.map((c) => `Bearer ${c}`), hostileString), { maxLength: 3 }),
        fc.option(fc.array(fc.oneof(credentials.map((c) => `ticket.${c}`), fc.constant('scan2food.v1'), hostileString), { maxLength: 3 }).map((p) => p.join(', '))),
        fc.option(fc.oneof(hostileString, fc.constant('http://127.0.0.1:8000'))),
        async (path, pairs, authorization, protocols, origin) => {
          const url = `${path}?${pairs.map(([n, v]) => `${n}=${enc(v)}`).join('&')}`;
          const headers: Record<string, string> = { host: '127.0.0.1:8000' };
          if (protocols !== null) headers['sec-websocket-protocol'] = protocols;
          if (origin !== null) headers.origin = origin;
          const result = await authenticateUpgrade({ url, headers, authorization, clientAddress: '127.0.0.1' }, d);
          expectDocumented(result, ...pairs.map(([, v]) => v), ...authorization);
          if (result.ok) {
            // Exactly one credential, wherever it was put and however its name was encoded.
            const given =
              pairs.filter(([n]) => ['key', 'ticket'].includes(decodeURIComponent(n))).length +
              authorization.length +
              (protocols ?? '').split(',').filter((p) => p.trim().startsWith('ticket.')).length;
            expect(given).toBe(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes `since` only as one whole number within range; anything else is 400', async () => {
    const d = deps();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.nat().map(String), hostileString, fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String)), async (since) => {
        const url = `/ws/all-seat-datasocket/?key=${keys['live-orders'][0]}&since=${enc(since)}`;
        const result = await authenticateUpgrade({ url, headers: {}, authorization: [], clientAddress: '127.0.0.1' }, d);
        if (/^\d{1,15}$/.test(since)) expect(result).toMatchObject({ ok: true, since: Number(since) });
        else expect(result).toMatchObject({ ok: false, status: 400, reason: 'bad_since' });
      }),
      { numRuns: 200 },
    );
  });
});

describe('TicketService.verify (property)', () => {
  it('answers null, never throws, for anything that is not a ticket it signed: random, huge, NUL, tampered', async () => {
    const tickets = new TicketService(secret, 60, new MemorySingleUseStore());
    const { ticket } = await tickets.mint('payment', { kind: 'order', orderId: '42' });
    const signedPart = ticket.lastIndexOf('.');
    const tampered = fc
      .tuple(fc.nat({ max: signedPart - 1 }), fc.constantFrom(...'ABCabc019-_.\u0000'))
      .filter(([i, c]) => ticket[i] !== c)
      .map(([i, c]) => `${ticket.slice(0, i)}${c}${ticket.slice(i + 1)}`);
    const jwtLike = fc.tuple(hostileString, hostileString, hostileString).map((parts) => parts.map((p) => Buffer.from(p).toString('base64url')).join('.'));
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileString, tampered, jwtLike, fc.constant(`${ticket}\u0000`), fc.constant(`${ticket}.${ticket}`)), async (candidate) => {
        expect(await tickets.verify(candidate)).toBeNull();
      }),
      { numRuns: 300 },
    );
    expect(await tickets.verify(ticket)).toMatchObject({ socket: 'payment', scope: { kind: 'order', orderId: '42' } });
  });

  it('refuses a well-signed ticket whose claims are out of shape (holder, scope, socket)', async () => {
    const { SignJWT } = await import('jose');
    const key = new TextEncoder().encode(secret);
    const tickets = new TicketService(secret, 60, new MemorySingleUseStore());
    const bad = [
      { sock: 'chat', scope: 'admin', sub: '7' },
      { sock: 'chat', scope: 'admin', sub: '07', sid: SESSION },
      { sock: 'chat', scope: 'admin', sub: '7', sid: 'A'.repeat(64) },
      { sock: 'chat', scope: 'order:042' },
      { sock: 'nope', scope: 'admin' },
      { sock: 'chat', scope: { kind: 'admin' } },
    ];
    for (const claims of bad) {
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT(claims as Record<string, unknown>).setProtectedHeader({ alg: 'HS256' }).setJti('j').setAudience('scan2food-ws').setIssuedAt(now).setExpirationTime(now + 60).sign(key);
      expect(await tickets.verify(jwt), JSON.stringify(claims)).toBeNull();
    }
    // A `__proto__` claim is just a name: it pollutes nothing and the ticket keeps its own shape.
    const now = Math.floor(Date.now() / 1000);
    const polluted = JSON.parse('{"sock":"chat","scope":"theatre:1","__proto__":{"polluted":1}}') as Record<string, unknown>;
    const jwt = await new SignJWT(polluted).setProtectedHeader({ alg: 'HS256' }).setJti('j').setAudience('scan2food-ws').setIssuedAt(now).setExpirationTime(now + 60).sign(key);
    expect(await tickets.verify(jwt)).toEqual({ id: 'j', socket: 'chat', scope: { kind: 'theatre', theatreId: 1 }, expiresAt: now + 60 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
