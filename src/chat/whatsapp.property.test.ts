import { UnitOfWork } from '../db/unit-of-work.js';
import Fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { installErrorHandler } from '../http/error-handler.js';
import { installRouteSchemas } from '../http/route-schemas.js';
import { isSafeText } from '../http/safe-text.js';
import { generateSecret } from '../keys/keys-file.js';
import { seed } from '../seed/seed.service.js';
import { manualClock, VENUE_SEED } from '../seed/test-fixture.js';
import { ChatService } from './chat.service.js';
import { whatsappRoutes } from './whatsapp.routes.js';
import { signHubBody } from './whatsapp.webhook.js';

const engines = await databaseEngines();
const GUEST_DIGITS = '919876543210';

const nasty = fc.constantFrom('\u0000', '\u0007', '\u001b', '\u009f', '\ud800', '\udfff', '\ud83d', '__proto__', '😀', '\u202e');
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.array(fc.oneof(nasty, fc.string({ maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.constantFrom('x'.repeat(1 << 20), 'y'.repeat(5_000)),
);
const hugeNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, hugeNumber, fc.boolean(), fc.constant(null), fc.array(hostileString, { maxLength: 2 }));
const maybe = <T>(plausible: fc.Arbitrary<T>) => fc.oneof(plausible, hostileValue);
const deep = (depth: number) => `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;

/** A guest's message with each field plausible or hostile. */
const message = fc.record(
  {
    from: maybe(fc.constantFrom(GUEST_DIGITS, `+${GUEST_DIGITS}`, '1')),
    id: maybe(fc.string({ minLength: 1, maxLength: 40 }).map((s) => `wamid.${s}`)),
    timestamp: maybe(fc.constant('1764700000')),
    type: maybe(fc.constantFrom('text', 'image', 'location', 'reaction', 'interactive', 'sticker')),
    text: maybe(fc.record({ body: hostileString })),
    image: maybe(fc.record({ caption: hostileString })),
    location: maybe(fc.record({ latitude: hugeNumber, longitude: hugeNumber, name: hostileString })),
    reaction: maybe(fc.record({ emoji: hostileString })),
    interactive: maybe(fc.record({ button_reply: fc.record({ title: hostileString }) })),
  },
  { requiredKeys: ['from', 'id', 'type'] },
);
const status = fc.record({ id: maybe(fc.constant('wamid.OUT1')), status: maybe(fc.constantFrom('sent', 'delivered', 'read', 'failed')), errors: maybe(fc.array(fc.record({ code: hugeNumber, title: hostileString }), { maxLength: 2 })) });

/** Signed bodies: the Cloud API shape with hostile values, prototype keys, deep nesting, or no shape at all. */
const body = fc.oneof(
  fc
    .record({ messages: fc.array(message, { maxLength: 3 }), statuses: fc.array(status, { maxLength: 2 }) })
    .chain(({ messages, statuses }) => {
      const value = JSON.stringify({ messaging_product: 'whatsapp', messages, statuses }).slice(1);
      return fc.constantFrom(
        `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{${value}}]}]}`,
        `{"__proto__":{"polluted":true},"entry":[{"__proto__":{"polluted":true},"changes":[{"value":{"__proto__":{"polluted":true},${value}}]}]}`,
        `{"entry":[{"changes":[{"value":{"extra":${deep(3_000)},${value}}]}]}`,
      );
    }),
  hostileString,
  hugeNumber.map(String),
  fc.constant(deep(20_000)),
);

describe.each(engines)('the WhatsApp webhook on $name (property-based)', (engine) => {
  const appSecret = generateSecret();
  let handle: TestDb;
  let app: FastifyInstance;

  beforeAll(async () => {
    handle = await engine.open();
    await handle.reset();
    const clock = manualClock();
    await seed(handle.db, VENUE_SEED, clock.now);
    app = Fastify({ bodyLimit: 256 * 1024 });
    installErrorHandler(app);
    installRouteSchemas(app);
    whatsappRoutes(app, { chat: new ChatService({ uow: new UnitOfWork(handle.db), clock: clock.now }), appSecret, verifyToken: undefined });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await handle?.close();
  });

  const count = async () => Number((await handle.db.selectFrom('chat_messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('answers 200, 400 or 413, never a 500; a refused body stores nothing; whatever is stored is safe text', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const before = await count();
        const res = await app.inject({ method: 'POST', url: '/api/whatsapp/webhook', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signHubBody(raw, appSecret) }, payload: raw });
        statuses.add(res.statusCode);
        expect([200, 400, 413]).toContain(res.statusCode);
        if (res.statusCode !== 200) expect(await count()).toBe(before);
        // A redelivery (WhatsApp retries until it gets a 200) stores nothing more.
        if (res.statusCode === 200) {
          const after = await count();
          const again = await app.inject({ method: 'POST', url: '/api/whatsapp/webhook', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signHubBody(raw, appSecret) }, payload: raw });
          expect(again.statusCode).toBe(200);
          expect(await count()).toBe(after);
        }
      }),
      { numRuns: 200, examples: [[`{"entry":[{"changes":[{"value":{"messages":[{"from":"${GUEST_DIGITS}","id":"wamid.\\u0000x","type":"text","text":{"body":"a\\u0000b\\ud800"}}]}}]}]}`]] },
    );
    expect(statuses).toContain(200);
    expect(statuses).toContain(400);
    const rows = await handle.db.selectFrom('chat_messages').select(['text', 'wa_id']).execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => isSafeText(r.text, { multiline: true }) && isSafeText(r.wa_id ?? ''))).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
