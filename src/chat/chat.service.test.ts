import { UnitOfWork } from '../db/unit-of-work.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { OrderService } from '../orders/order.service.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { manualClock, sequence, VENUE_SEED, serviceWiring } from '../seed/test-fixture.js';
import { EventRepository } from '../streams/event.repository.js';
import { ChatRepository } from './chat.repository.js';
import { readSnapshot } from '../streams/snapshot.js';
import { ChatService } from './chat.service.js';
import { OutboundSender, retryDelayMs } from './outbound-sender.js';
import type { OutboundPayload, SendOutcome, WhatsAppApi } from './whatsapp.client.js';
import { WHATSAPP_DEFAULTS } from './whatsapp.config.js';
import { createLogger } from '../observability/logger.js';

const engines = await databaseEngines();
const GUEST = '+919876543210';
const STRANGER = '+919812345678';

/** Records what it was asked to send and answers from a script (default: accepted). */
class RecordingApi implements WhatsAppApi {
  readonly sent: OutboundPayload[] = [];
  script: SendOutcome[] = [];
  async send(payload: OutboundPayload): Promise<SendOutcome> {
    this.sent.push(payload);
    return this.script.shift() ?? { ok: true, waId: `wamid.${this.sent.length}` };
  }
}

describe.each(engines)('chat storage on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let chat: ChatService;
  let orders: OrderService;
  let clock: ReturnType<typeof manualClock>;
  let api: RecordingApi;
  let sender: OutboundSender;

  beforeAll(async () => {
    handle = await engine.open();
  });
  beforeEach(async () => {
    await handle.reset();
    clock = manualClock();
    venue = await seed(handle.db, VENUE_SEED, clock.now);
    chat = new ChatService({ uow: new UnitOfWork(handle.db), clock: clock.now });
    orders = new OrderService({ ...serviceWiring(handle.db), clock: clock.now, newToken: sequence('token'), unseenAlertSeconds: 120 });
    api = new RecordingApi();
    sender = new OutboundSender(
      { uow: new UnitOfWork(handle.db), api, clock: clock.now, logger: createLogger('silent') },
      { maxAttempts: 3, retryBaseMs: 500, retryMaxMs: 1_000, leaseMs: 10_000, pollMs: 60_000, batch: 10, templates: { ...WHATSAPP_DEFAULTS.templates }, templateLanguage: 'en' },
    );
  });
  afterAll(async () => {
    await handle?.close();
  });

  const galaxy = () => venue.theatres[0]!;
  const cashOrderAt = async (phone: string) => {
    const t = galaxy();
    const item = t.menu.flatMap((c) => c.items).find((i) => i.available)!;
    return (await orders.createOrder({ seatId: t.halls[0]!.rows[0]!.seats[0]!.id, items: [{ itemId: item.id, quantity: 1 }], phone, paymentMethod: 'cash' })).order;
  };
  const inbound = (from: string, id: string, body = 'hello') => ({ from: from.slice(1), id, type: 'text', text: { body } });
  /** One send round at the current (manual) time; the sender is never started, so nothing runs behind the test's back. */
  const round = () => sender.sendDueNow();

  it('stores an incoming message once per WhatsApp id and files it under the theatre of the latest order', async () => {
    await cashOrderAt(GUEST);
    expect(await chat.receive(inbound(GUEST, 'wamid.A'))).toBe(true);
    expect(await chat.receive(inbound(GUEST, 'wamid.A'))).toBe(false);
    const [a, b] = await Promise.all([chat.receive(inbound(GUEST, 'wamid.B')), chat.receive(inbound(GUEST, 'wamid.B'))]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    const staff = { role: 'staff' as const, theatreId: galaxy().id };
    expect(await chat.conversations(staff)).toEqual([{ phone: GUEST, theatreId: galaxy().id, unread: 2, replyRequired: true, lastMessageAt: clock.now().toISOString(), lastText: 'hello' }]);
    expect(await chat.conversations({ role: 'staff', theatreId: venue.theatres[1]!.id })).toEqual([]);
    const events = new EventRepository(handle.db);
    expect((await events.eventsSince(`chat:${galaxy().id}`, 0, 100)).map((e) => e.type)).toEqual(['chat.message', 'chat.message', 'chat.message']);
    const readers = { liveOrders: async () => [], payment: async () => null, presence: async () => [], conversations: (trx: typeof handle.db, t?: number) => new ChatRepository(trx).conversations(t, trx) };
    expect(await readSnapshot(handle.db, `chat:${galaxy().id}`, readers)).toEqual({ conversations: await chat.conversations(staff) });
  });

  it('keeps numbers without an order for admins only, and pages history newest first', async () => {
    for (let i = 1; i <= 5; i++) await chat.receive(inbound(STRANGER, `wamid.S${i}`, `m${i}`));
    expect(await chat.conversations({ role: 'admin' })).toMatchObject([{ phone: STRANGER, theatreId: null, unread: 5 }]);
    await expect(chat.history({ role: 'staff', theatreId: galaxy().id }, STRANGER, undefined)).rejects.toMatchObject({ code: 'not_found' });
    const page1 = await chat.history({ role: 'admin' }, STRANGER, undefined, 2);
    expect(page1.map((m) => m.text)).toEqual(['m5', 'm4']);
    expect((await chat.history({ role: 'admin' }, STRANGER, page1[1]!.id, 10)).map((m) => m.text)).toEqual(['m3', 'm2', 'm1']);
  });

  it('sends a queued reply after commit, retries with backoff, and marks it failed after the bounded attempts', async () => {
    await cashOrderAt(GUEST);
    await round(); // the order-confirmed template
    expect(api.sent).toMatchObject([{ to: GUEST, kind: 'template', name: 'order_confirmed' }]);

    const reply = await chat.send({ role: 'staff', theatreId: galaxy().id }, GUEST, 'hi there');
    expect(reply.status).toBe('queued');
    api.script = [{ ok: false, retryable: true, reason: 'HTTP 500' }, { ok: false, retryable: true, reason: 'HTTP 502' }, { ok: false, retryable: true, reason: 'HTTP 503' }];
    await round();
    await round(); // not due yet: no second attempt
    expect(api.sent.filter((p) => p.kind === 'text')).toHaveLength(1);
    clock.advance(retryDelayMs(1, 500, 1_000));
    await round();
    clock.advance(retryDelayMs(2, 500, 1_000));
    await round();
    expect(api.sent.filter((p) => p.kind === 'text')).toHaveLength(3);
    const row = await handle.db.selectFrom('chat_messages').selectAll().where('id', '=', reply.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 3, error: 'HTTP 503' });
    expect([retryDelayMs(1, 500, 1_000), retryDelayMs(2, 500, 1_000), retryDelayMs(5, 500, 1_000)]).toEqual([500, 1_000, 1_000]);
  });

  it('applies status callbacks forward only', async () => {
    await chat.receive(inbound(STRANGER, 'wamid.X'));
    const m = await chat.send({ role: 'admin' }, STRANGER, 'ok');
    await round();
    const waId = (await handle.db.selectFrom('chat_messages').select('wa_id').where('id', '=', m.id).executeTakeFirstOrThrow()).wa_id!;
    expect(await chat.applyStatus({ waId, status: 'read' })).toBe(true);
    expect(await chat.applyStatus({ waId, status: 'delivered' })).toBe(false);
    expect(await chat.applyStatus({ waId, status: 'failed' })).toBe(false);
    expect(await chat.applyStatus({ waId: 'wamid.X', status: 'read' })).toBe(false); // an incoming message has no status to move
  });

  it('parallel status callbacks never move a message backwards, and each status is told once', async () => {
    await chat.receive(inbound(STRANGER, 'wamid.Y'));
    const m = await chat.send({ role: 'admin' }, STRANGER, 'ok');
    await round();
    const waId = (await handle.db.selectFrom('chat_messages').select('wa_id').where('id', '=', m.id).executeTakeFirstOrThrow()).wa_id!;
    const statuses = ['delivered', 'read', 'delivered', 'read', 'delivered'] as const;
    await Promise.all(Array.from({ length: 30 }, (_, i) => chat.applyStatus({ waId, status: statuses[i % statuses.length]! })));
    expect((await handle.db.selectFrom('chat_messages').select('status').where('id', '=', m.id).executeTakeFirstOrThrow()).status).toBe('read');
    const told = (await new EventRepository(handle.db).eventsSince('chat', 0, 1000))
      .map((e) => e.data as { id: number; status: string })
      .filter((d) => d.id === m.id)
      .map((d) => d.status);
    // queued, sent, then forward only: at most one delivered, exactly one read, read last.
    expect(told.at(-1)).toBe('read');
    expect(told.filter((s) => s === 'read')).toHaveLength(1);
    expect(told.filter((s) => s === 'delivered').length).toBeLessThanOrEqual(1);
  });

  it('queues one template per order event and one unseen alert per notification number', async () => {
    await handle.db.updateTable('theatres').set({ notification_phones: JSON.stringify(['+919811111111', '9811111111', 'junk']) }).where('id', '=', galaxy().id).execute();
    const order = await cashOrderAt(GUEST);
    clock.advance(121_000);
    expect(await orders.emitUnseenAlerts()).toHaveLength(1);
    expect(await orders.emitUnseenAlerts()).toHaveLength(0);
    const rows = await handle.db.selectFrom('chat_messages').select(['phone', 'template', 'order_id', 'status']).orderBy('id').execute();
    expect(rows).toEqual([
      { phone: GUEST, template: 'order_confirmed', order_id: order.id, status: 'queued' },
      { phone: '+919811111111', template: 'unseen_order', order_id: order.id, status: 'queued' },
    ]);
  });

  // Issue 10, finding 1: a conversation is per (theatre, phone), and only a confirmed order moves new messages.
  const regal = () => venue.theatres[1]!;
  const staffOf = (theatreId: number) => ({ role: 'staff' as const, theatreId });
  const orderAt = async (theatre: SeedResult['theatres'][number], phone: string, paymentMethod: 'cash' | 'online') => {
    const item = theatre.menu.flatMap((c) => c.items).find((i) => i.available)!;
    return (await orders.createOrder({ seatId: theatre.halls[0]!.rows[0]!.seats[0]!.id, items: [{ itemId: item.id, quantity: 1 }], phone, paymentMethod })).order;
  };
  const rowCount = async (table: 'chat_messages' | 'chat_conversations') =>
    Number((await handle.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('an unpaid online order at another theatre moves nothing: that theatre cannot read, list or write to the guest', async () => {
    await cashOrderAt(GUEST);
    await chat.receive(inbound(GUEST, 'wamid.A1', 'table 4 please'));
    await chat.send(staffOf(galaxy().id), GUEST, 'on its way');
    await orderAt(regal(), GUEST, 'online'); // never paid
    await chat.receive(inbound(GUEST, 'wamid.A2', 'and a tea'));

    const b = staffOf(regal().id);
    expect(await chat.conversations(b)).toEqual([]);
    await expect(chat.history(b, GUEST, undefined)).rejects.toMatchObject({ code: 'not_found' });
    await expect(chat.send(b, GUEST, 'hello from B')).rejects.toMatchObject({ code: 'not_found' });
    await expect(chat.markRead(b, GUEST)).rejects.toMatchObject({ code: 'not_found' });
    const events = new EventRepository(handle.db);
    expect(await events.eventsSince(`chat:${regal().id}`, 0, 100)).toEqual([]);

    const a = staffOf(galaxy().id);
    expect(await chat.conversations(a)).toMatchObject([{ phone: GUEST, theatreId: galaxy().id, unread: 2, replyRequired: true, lastText: 'and a tea' }]);
    expect((await chat.history(a, GUEST, undefined)).map((m) => [m.direction, m.theatreId])).toEqual([
      ['incoming', galaxy().id], ['outgoing', galaxy().id], ['incoming', galaxy().id], ['template', galaxy().id],
    ]);
    expect(await chat.send(a, GUEST, 'coming')).toMatchObject({ theatreId: galaxy().id, status: 'queued' });
    expect(await rowCount('chat_messages')).toBe(5);
  });

  it('a confirmed order at another theatre takes new messages there; the first theatre keeps its history, which the second never sees', async () => {
    await handle.db.updateTable('theatres').set({ cash_enabled: 1 }).where('id', '=', regal().id).execute();
    await cashOrderAt(GUEST);
    await chat.receive(inbound(GUEST, 'wamid.B1', 'for Galaxy'));
    await chat.send(staffOf(galaxy().id), GUEST, 'Galaxy here');
    await orderAt(regal(), GUEST, 'cash');
    await chat.receive(inbound(GUEST, 'wamid.B2', 'for Regal'));

    const a = staffOf(galaxy().id);
    const b = staffOf(regal().id);
    expect((await chat.history(a, GUEST, undefined)).map((m) => m.text)).toEqual(['Galaxy here', 'for Galaxy', expect.stringMatching(/^Order #\d+ confirmed/)]);
    const seenByB = await chat.history(b, GUEST, undefined);
    expect(seenByB.map((m) => m.text)).toEqual(['for Regal', expect.stringMatching(/^Order #\d+ confirmed/)]);
    expect(seenByB.every((m) => m.theatreId === regal().id)).toBe(true);
    expect(await chat.conversations(a)).toMatchObject([{ phone: GUEST, theatreId: galaxy().id, unread: 1, replyRequired: false, lastText: 'Galaxy here' }]);
    expect(await chat.conversations(b)).toMatchObject([{ phone: GUEST, theatreId: regal().id, unread: 1, replyRequired: true, lastText: 'for Regal' }]);
    expect((await chat.conversations({ role: 'admin' })).map((c) => c.theatreId).sort()).toEqual([galaxy().id, regal().id].sort());

    // Both theatres still answer their own conversation; an admin must say which.
    expect(await chat.send(a, GUEST, 'still Galaxy')).toMatchObject({ theatreId: galaxy().id });
    await expect(chat.send({ role: 'admin' }, GUEST, 'which one?')).rejects.toMatchObject({ code: 'validation_failed' });
    expect(await chat.send({ role: 'admin' }, GUEST, 'admin to Regal', regal().id)).toMatchObject({ theatreId: regal().id });
    expect((await chat.history({ role: 'admin' }, GUEST, undefined, 10, galaxy().id)).map((m) => m.text)[0]).toBe('still Galaxy');
    await chat.markRead(b, GUEST);
    expect(await chat.conversations(a)).toMatchObject([{ unread: 1 }]);
    expect(await chat.conversations(b)).toMatchObject([{ unread: 0 }]);
  });

  it('caps automatic messages to a number that never paid nor wrote, counting each refusal', async () => {
    await handle.db.updateTable('theatres').set({ order_limit: 100 }).where('id', '=', galaxy().id).execute();
    const cap = WHATSAPP_DEFAULTS.unknownPhoneCap;
    for (let i = 0; i < cap + 3; i++) await cashOrderAt(STRANGER);
    await round();
    expect(api.sent.filter((p) => p.to === STRANGER)).toHaveLength(cap);
    expect(await handle.db.selectFrom('whatsapp_unknown_phones').select(['sent', 'refused']).where('phone', '=', STRANGER).executeTakeFirstOrThrow()).toEqual({ sent: cap, refused: 3 });
    // After the window the number gets the cap again, never more.
    clock.advance(WHATSAPP_DEFAULTS.unknownPhoneWindowMs);
    for (let i = 0; i < cap + 1; i++) await cashOrderAt(STRANGER);
    await round();
    expect(api.sent.filter((p) => p.to === STRANGER)).toHaveLength(2 * cap);
    // A number that wrote to us is a guest, not a target: no cap.
    await chat.receive(inbound(GUEST, 'wamid.G1', 'hi'));
    for (let i = 0; i < cap + 2; i++) await cashOrderAt(GUEST);
    await round();
    expect(api.sent.filter((p) => p.to === GUEST)).toHaveLength(cap + 2);
  });

  it('refuses a staff reply with NUL or control characters and stores a guest message with them cleaned', async () => {
    await cashOrderAt(GUEST);
    const before = await rowCount('chat_messages');
    for (const text of ['a\u0000b', 'bell\u0007', 'lone \ud800 surrogate']) {
      await expect(chat.send(staffOf(galaxy().id), GUEST, text)).rejects.toMatchObject({ code: 'validation_failed' });
    }
    expect(await rowCount('chat_messages')).toBe(before);
    expect(await chat.send(staffOf(galaxy().id), GUEST, 'two\nlines\tand a tab')).toMatchObject({ text: 'two\nlines\tand a tab' });
    expect(await chat.receive({ from: GUEST.slice(1), id: 'wamid.\u0000N', type: 'text', text: { body: 'a\u0000b\u0007c \ud800' } })).toBe(true);
    expect(await chat.receive({ from: GUEST.slice(1), id: 'wamid.\u0000N', type: 'text', text: { body: 'again' } })).toBe(false);
    expect(await chat.receive({ from: GUEST.slice(1), id: 'wamid.C', type: '\u0000odd', caption: 'x' })).toBe(true);
    expect((await chat.history(staffOf(galaxy().id), GUEST, undefined, 2)).map((m) => m.text)).toEqual(['[odd message]', 'abc \ufffd']);
    expect(await chat.applyStatus({ waId: 'wamid.\u0000nope', status: 'read', error: 'x\u0000y' })).toBe(false);
  });
});
