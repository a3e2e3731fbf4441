import { UnitOfWork } from '../unit-of-work.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatService } from '../../chat/chat.service.js';
import { OrderService } from '../../orders/order.service.js';
import { seed } from '../../seed/seed.service.js';
import { manualClock, sequence, VENUE_SEED, serviceWiring } from '../../seed/test-fixture.js';
import { databaseEngines, type TestDb } from '../test-databases.js';
import { chatPerTheatreMigration } from './0004-chat-per-theatre.js';

const engines = await databaseEngines();
const GUEST = '+919876543210';
const STRANGER = '+919812345678';

describe.each(engines)('migration 0004 (chat per theatre) on $name', (engine) => {
  let handle: TestDb;

  beforeAll(async () => {
    handle = await engine.open();
  });
  afterAll(async () => {
    await handle?.close();
  });

  /** Puts the chat tables back in their 0002 shape (conversations keyed by phone alone). */
  async function back02(): Promise<void> {
    const db = handle.db;
    await db.schema.dropTable('whatsapp_unknown_phones').execute();
    await db.schema.dropIndex('chat_messages_theatre_phone_id').execute();
    await db.schema.dropTable('chat_conversations').execute();
    await db.schema
      .createTable('chat_conversations')
      .addColumn('phone', 'text', (c) => c.primaryKey())
      .addColumn('unread', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reply_required', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_message_at', 'text', (c) => c.notNull())
      .addColumn('last_text', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('chat_conversations_last').on('chat_conversations').column('last_message_at').execute();
  }

  it('gives back to the first theatre what an unpaid order had moved, and rebuilds one conversation per (theatre, phone)', async () => {
    await handle.reset();
    const clock = manualClock();
    const venue = await seed(handle.db, VENUE_SEED, clock.now);
    const [galaxy, regal] = [venue.theatres[0]!, venue.theatres[1]!];
    const orders = new OrderService({ ...serviceWiring(handle.db), clock: clock.now, newToken: sequence('token'), unseenAlertSeconds: 120 });
    const order = async (t: typeof galaxy, paymentMethod: 'cash' | 'online') =>
      (await orders.createOrder({ seatId: t.halls[0]!.rows[0]!.seats[0]!.id, items: [{ itemId: t.menu.flatMap((c) => c.items).find((i) => i.available)!.id, quantity: 1 }], phone: GUEST, paymentMethod })).order;
    const cash = await order(galaxy, 'cash');
    clock.advance(1_000);
    await order(regal, 'online'); // never paid: under 0002 the conversation moved to Regal

    // Rows as 0002 wrote them: everything after the unpaid order tagged with Regal.
    await handle.db.deleteFrom('chat_messages').execute();
    await back02();
    const at = (s: number) => new Date(Date.parse('2026-11-29T18:00:00.000Z') + s * 1_000).toISOString();
    const row = (phone: string, theatre_id: number | null, direction: 'incoming' | 'outgoing' | 'template', text: string, s: number, order_id: number | null = null) => ({
      phone, theatre_id, direction, text, status: direction === 'incoming' ? ('received' as const) : ('sent' as const), order_id, attempts: 0, created_at: at(s), updated_at: at(s),
    });
    await handle.db.insertInto('chat_messages').values([
      row(GUEST, galaxy.id, 'template', `Order #${cash.id} confirmed`, 0, cash.id),
      row(GUEST, galaxy.id, 'incoming', 'to Galaxy', 2),
      row(GUEST, regal.id, 'incoming', 'moved by the unpaid order', 3),
      row(GUEST, regal.id, 'outgoing', 'Regal staff read it', 4),
      row(GUEST, regal.id, 'incoming', 'also moved', 5),
      row(STRANGER, null, 'incoming', 'who is this?', 6),
    ]).execute();
    await (handle.db as any).insertInto('chat_conversations').values([
      { phone: GUEST, unread: 2, reply_required: 1, last_message_at: at(5), last_text: 'also moved' },
      { phone: STRANGER, unread: 1, reply_required: 1, last_message_at: at(6), last_text: 'who is this?' },
    ]).execute();

    await chatPerTheatreMigration().up(handle.db);

    const messages = await handle.db.selectFrom('chat_messages').select(['text', 'theatre_id']).orderBy('id').execute();
    expect(messages).toEqual([
      { text: `Order #${cash.id} confirmed`, theatre_id: galaxy.id },
      { text: 'to Galaxy', theatre_id: galaxy.id },
      { text: 'moved by the unpaid order', theatre_id: galaxy.id },
      { text: 'Regal staff read it', theatre_id: regal.id },
      { text: 'also moved', theatre_id: galaxy.id },
      { text: 'who is this?', theatre_id: null },
    ]);
    const conversations = await handle.db.selectFrom('chat_conversations').selectAll().orderBy('theatre_id').orderBy('phone').execute();
    expect(conversations).toEqual([
      { theatre_id: 0, phone: STRANGER, unread: 1, reply_required: 1, last_message_at: at(6), last_text: 'who is this?' },
      { theatre_id: galaxy.id, phone: GUEST, unread: 2, reply_required: 1, last_message_at: at(5), last_text: 'also moved' },
      { theatre_id: regal.id, phone: GUEST, unread: 0, reply_required: 0, last_message_at: at(4), last_text: 'Regal staff read it' },
    ]);

    // The new shape works: the (theatre, phone) key and the cap table are in place.
    const chat = new ChatService({ uow: new UnitOfWork(handle.db), clock: clock.now });
    expect((await chat.history({ role: 'staff', theatreId: galaxy.id }, GUEST, undefined)).map((m) => m.text)).toEqual(['also moved', 'moved by the unpaid order', 'to Galaxy', `Order #${cash.id} confirmed`]);
    expect(await chat.receive({ from: STRANGER.slice(1), id: 'wamid.new', type: 'text', text: { body: 'hello?' } })).toBe(true);
    expect(await chat.conversations({ role: 'admin' })).toHaveLength(3);
    expect(await handle.db.selectFrom('whatsapp_unknown_phones').selectAll().execute()).toEqual([]);
  });
});
