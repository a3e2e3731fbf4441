import { UnitOfWork } from '../db/unit-of-work.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../config/limits.js';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { isSafeText } from '../http/safe-text.js';
import { OrderService } from '../orders/order.service.js';
import { Client } from '../realtime/client.js';
import { FakeConnection } from '../realtime/fake-connection.js';
import { MessageRouter } from '../realtime/messages.js';
import type { Principal } from '../realtime/upgrade/authenticate.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { manualClock, sequence, VENUE_SEED, serviceWiring } from '../seed/test-fixture.js';
import { ChatService } from './chat.service.js';
import { chatSocketHandlers } from './chat.socket.js';

const engines = await databaseEngines();
const GUEST = '+919876543210';

/** Strings a hostile client sends: control characters, lone surrogates, prototype names, huge. */
const nasty = fc.constantFrom('\u0000', '\u0007', '\u001b', '\u009f', '\ud800', '\udfff', '\ud83d', '__proto__', 'constructor', '😀', '\u202e', '+', '9198765432');
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.array(fc.oneof(nasty, fc.string({ maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.constantFrom('x'.repeat(1 << 20), `${GUEST.slice(1)}\u0000`, GUEST, `${GUEST}\ud800`),
);
const hugeNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308));
const deep = (depth: number) => `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, hugeNumber, fc.boolean(), fc.constant(null), fc.array(hostileString, { maxLength: 3 }), fc.dictionary(hostileString, hostileString, { maxKeys: 3 }));

/** A chat request with each field either plausible or hostile, as the JSON text a client sends. */
const frame = fc
  .record({
    type: fc.oneof(fc.constantFrom('chat.history', 'chat.send'), hostileString),
    phone: fc.oneof(fc.constant(GUEST), hostileValue),
    text: fc.oneof(fc.constant('hello'), hostileValue),
    clientMsgId: fc.oneof(fc.constant('c1'), hostileValue),
    before: fc.oneof(hugeNumber, hostileValue),
    limit: fc.oneof(hugeNumber, hostileValue),
  }, { requiredKeys: ['type'] })
  .chain((fields) =>
    fc.constantFrom(
      JSON.stringify(fields),
      `{"__proto__":{"polluted":true},${JSON.stringify(fields).slice(1)}`,
      `{"nested":${deep(5_000)},${JSON.stringify(fields).slice(1)}`,
    ),
  );
const rawFrame = fc.oneof(frame, hostileString, fc.constant(deep(20_000)));

/** What a chat request may get back: a reply, or a documented error reply (SPEC §3, docs/chat.md). */
const ERROR_CODES = ['bad_request', 'not_found', 'forbidden', 'unprocessable', 'rate_limited'];

describe.each(engines)('chat socket requests on $name (property-based)', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let chat: ChatService;

  beforeAll(async () => {
    handle = await engine.open();
    await handle.reset();
    const clock = manualClock();
    venue = await seed(handle.db, VENUE_SEED, clock.now);
    chat = new ChatService({ uow: new UnitOfWork(handle.db), clock: clock.now });
    const orders = new OrderService({ ...serviceWiring(handle.db), clock: clock.now, newToken: sequence('token'), unseenAlertSeconds: 120 });
    const galaxy = venue.theatres[0]!;
    const item = galaxy.menu.flatMap((c) => c.items).find((i) => i.available)!;
    await orders.createOrder({ seatId: galaxy.halls[0]!.rows[0]!.seats[0]!.id, items: [{ itemId: item.id, quantity: 1 }], phone: GUEST, paymentMethod: 'cash' });
    await chat.receive({ from: GUEST.slice(1), id: 'wamid.P1', type: 'text', text: { body: 'hello Galaxy' } });
  });
  afterAll(async () => {
    await handle?.close();
  });

  const rows = async () => handle.db.selectFrom('chat_messages').select(['id', 'theatre_id', 'text']).orderBy('id').execute();

  /** One connection of `principal` with limits that never close it, so every frame gets its answer. */
  function connect(principal: Principal) {
    const unexpected: unknown[] = [];
    const limits = { ...DEFAULT_LIMITS, messagesPerSecond: 1e9, badInputsBeforeClose: 1e9 };
    const router = new MessageRouter({ chat: chatSocketHandlers(chat) }, limits, (err) => unexpected.push(err));
    const conn = new FakeConnection();
    const client = new Client(conn, 'chat', 'chat', principal, DEFAULT_LIMITS.maxBufferedBytes, () => undefined);
    return { conn, unexpected, send: async (text: string) => {
      const before = conn.sent.length;
      await router.handle(client, text);
      expect(conn.sent.length).toBe(before + 1);
      return JSON.parse(conn.sent[before]!) as { type: string; code?: string; messages?: { theatreId: number | null; text: string }[] };
    } };
  }

  it('staff of another theatre get only error replies, and nothing is stored or changed', async () => {
    const regal = venue.theatres[1]!.id;
    const c = connect({ kind: 'ticket', socket: 'chat', ticketId: 't-regal', scope: { kind: 'theatre', theatreId: regal } });
    const before = await rows();
    await fc.assert(
      fc.asyncProperty(rawFrame, async (text) => {
        const reply = await c.send(text);
        expect(reply.type).toBe('error');
        expect(ERROR_CODES).toContain(reply.code);
      }),
      { numRuns: 150 },
    );
    expect(await rows()).toEqual(before);
    expect(c.unexpected).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("the theatre's own staff get a reply or a documented error; whatever is stored is safe text of their theatre", async () => {
    const galaxy = venue.theatres[0]!.id;
    const c = connect({ kind: 'ticket', socket: 'chat', ticketId: 't-galaxy', scope: { kind: 'theatre', theatreId: galaxy } });
    const replies: string[] = [];
    const send = (text: string, clientMsgId: string) => JSON.stringify({ type: 'chat.send', phone: GUEST, text, clientMsgId });
    await fc.assert(
      fc.asyncProperty(rawFrame, async (text) => {
        const count = (await rows()).length;
        const reply = await c.send(text);
        replies.push(reply.type);
        if (reply.type === 'error') {
          expect(ERROR_CODES).toContain(reply.code);
          expect((await rows()).length).toBe(count);
        } else if (reply.type === 'chat.history') {
          expect(reply.messages!.every((m) => m.theatreId === galaxy)).toBe(true);
        } else {
          expect(reply.type).toBe('ack');
        }
      }),
      {
        numRuns: 150,
        examples: [[send('hello', 'ok')], [send('nul\u0000', 'n')], [send('half \ud800', 'h')], [send('two\nlines', 'l')], [JSON.stringify({ type: 'chat.history', phone: GUEST, limit: 100 })],
          // Found by this property on PostgreSQL: an id past its integer range failed to bind.
          [JSON.stringify({ type: 'chat.history', phone: GUEST, before: 2 ** 31 })],
          [JSON.stringify({ type: 'chat.history', phone: GUEST, before: '2147483648' })]],
      },
    );
    expect(replies.filter((t) => t === 'ack').length).toBeGreaterThanOrEqual(2);
    expect(replies).toContain('chat.history');
    const stored = await rows();
    expect(stored.every((r) => isSafeText(r.text, { multiline: true }))).toBe(true);
    expect(stored.filter((r) => r.text !== 'hello Galaxy' && !r.text.startsWith('Order #')).every((r) => r.theatre_id === galaxy)).toBe(true);
    expect(c.unexpected).toEqual([]);
  });
});
