import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../config/limits.js';
import { Client } from './client.js';
import { CLOSE } from './close-codes.js';
import { FakeConnection } from './fake-connection.js';
import { MessageRouter } from './messages.js';
import { decodeClientMessage } from './protocol.js';

/**
 * What a client sends, against hostile input: the decoder never throws, and the router answers
 * each frame with exactly one documented reply (pong, an error reply, or the handler's answer),
 * or closes with 1008 after too much bad input; never anything else.
 */
const principal = { kind: 'key', socket: 'chat', key: { socket: 'chat', keyId: 'k' } } as const;

const deep = (depth: number, key: string) => {
  let text = '1';
  for (let i = 0; i < depth; i++) text = `{"${key}":${text}}`;
  return text;
};
const hostileFrames = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ depthSize: 'medium' }),
  fc.jsonValue().map((v) => JSON.stringify({ type: 'chat.send', phone: v, text: v, clientMsgId: v })),
  fc.jsonValue().map((v) => JSON.stringify({ type: 'chat.history', phone: '+919876543210', before: v, limit: v })),
  fc.constantFrom('ping', 'chat.send', 'chat.history', '__proto__', 'constructor', 'toString', '', 'PING', 'ping\u0000').map((type) => JSON.stringify({ type })),
  fc.constantFrom(
    '{"type":"ping","__proto__":{"type":"chat.send"}}',
    '{"__proto__":{"type":"ping"}}',
    '{"type":"chat.send","phone":"+919876543210","text":"hi","clientMsgId":"1","__proto__":{"admin":true}}',
    '{"type":{"toString":"ping"}}',
    '[{"type":"ping"}]',
    'null',
    '"ping"',
    '\u0000',
    '{"type":"ping"',
  ),
  fc.nat({ max: 3 }).map((n) => `[${'['.repeat([10, 1_000, 20_000, 60_000][n]!)}${']'.repeat([10, 1_000, 20_000, 60_000][n]!)}]`),
  fc.nat({ max: 2 }).map((n) => deep([10, 1_000, 5_000][n]!, '__proto__')),
  fc.constant(JSON.stringify({ type: 'ping', pad: 'x'.repeat(1024 * 1024) })),
  fc.constant('x'.repeat(1024 * 1024)),
);

describe('decodeClientMessage (property)', () => {
  it('never throws and only ever answers a known message or a reason', () => {
    fc.assert(
      fc.property(hostileFrames, (text) => {
        const decoded = decodeClientMessage(text);
        if (decoded.ok) expect(['ping', 'chat.history', 'chat.send']).toContain(decoded.message.type);
        else expect(typeof decoded.message).toBe('string');
      }),
      { numRuns: 500 },
    );
    expect(({} as Record<string, unknown>).type).toBeUndefined();
  });
});

describe('MessageRouter (property)', () => {
  it('answers each hostile frame with one documented reply, or closes with 1008; never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileFrames, { minLength: 1, maxLength: 8 }), async (frames) => {
        const conn = new FakeConnection();
        const client = new Client(conn, 'chat', 'chat', principal, DEFAULT_LIMITS.maxBufferedBytes, () => undefined);
        client.goLive(0);
        const handled: string[] = [];
        const router = new MessageRouter(
          {
            chat: {
              'chat.history': async (_c, m) => (handled.push(m.type), { type: 'chat.history', phone: 'x', messages: [] }),
              'chat.send': async (_c, m) => (handled.push(m.type), { type: 'ack', clientMsgId: 'x', messageId: 1 }),
            },
          },
          DEFAULT_LIMITS,
          (err) => {
            throw err;
          },
        );
        for (const frame of frames) await router.handle(client, frame);
        const replies = conn.sent.map((s) => JSON.parse(s) as { type: string; code?: string });
        for (const r of replies) {
          expect(['pong', 'error', 'chat.history', 'ack']).toContain(r.type);
          if (r.type === 'error') expect(['bad_request', 'rate_limited']).toContain(r.code);
        }
        const errors = replies.filter((r) => r.type === 'error').length;
        if (conn.closed) expect(conn.closed.code).toBe(CLOSE.policyViolation);
        else expect(replies).toHaveLength(frames.length);
        expect(errors < DEFAULT_LIMITS.badInputsBeforeClose || conn.closed !== null).toBe(true);
        router.forget(client);
      }),
      { numRuns: 150 },
    );
  });
});
