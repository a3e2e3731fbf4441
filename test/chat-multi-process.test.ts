import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WHATSAPP_DEFAULTS } from '../src/chat/whatsapp.config.js';
import { createDatabase, type Db } from '../src/db/database.js';
import { generateSecret } from '../src/keys/keys-file.js';
import { seed, type SeedResult } from '../src/seed/seed.service.js';
import { SAMPLE_SEED } from '../src/seed/test-fixture.js';
import { FakeGraphApi } from './support/fake-graph-api.js';
import { requirePostgresUrl, requireRedisUrl } from './support/services.js';
import { spawnServer, type SpawnedServer, clusterEnv } from './support/spawn-server.js';
import { range } from './support/stream-writer.js';
import type { TestApp } from './support/test-app.js';
import { ApiClient, ROOMY_GUEST_LIMITS } from './support/venue.js';
import { postWebhook, textMessage, whatsappWebhook } from './support/whatsapp-webhook.js';

const redisUrl = await requireRedisUrl();
const databaseUrl = await requirePostgresUrl();
const PHONE_NUMBER_ID = '106540352242922';
const PARALLEL = 40;

if (redisUrl && databaseUrl) {
  describe('chat on two server processes, one PostgreSQL and one Redis', () => {
    const schema = `t_chat_mp_${process.pid}_${randomUUID().slice(0, 8)}`;
    const appSecret = generateSecret();
    const waToken = generateSecret();
    const fake = new FakeGraphApi(waToken, PHONE_NUMBER_ID);
    let db: Db;
    let seeded: SeedResult;
    let servers: SpawnedServer[] = [];
    const base = (i: number) => `http://127.0.0.1:${servers[i]!.port}`;
    const api = (i: number) => new ApiClient({ http: (p: string) => `${base(i)}${p}` } as TestApp);
    const galaxy = () => seeded.theatres[0]!;

    beforeAll(async () => {
      await fake.start();
      db = await createDatabase({ databaseUrl, schema, sqliteFile: '' });
      const input = { ...SAMPLE_SEED, theatres: SAMPLE_SEED.theatres.map((t, i) => (i === 0 ? { ...t, orderLimit: 100_000 } : t)) };
      seeded = await seed(db.db, input);
      const env: Record<string, string> = {
        ...clusterEnv({ databaseUrl, schema, redisUrl }),
        WHATSAPP_API_BASE: fake.url,
        WHATSAPP_TOKEN: waToken,
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
        WHATSAPP_APP_SECRET: appSecret,
        WHATSAPP_SENDER_POLL_MS: '100',
        LOG_LEVEL: 'warn',
        ...ROOMY_GUEST_LIMITS,
      };
      servers = await Promise.all([0, 1].map(() => spawnServer({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-chat-mp-')) }, 20_000)));
    });

    afterAll(async () => {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await db?.close();
      await fake.close();
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });

    it(`${PARALLEL} parallel cash orders with one unknown number over two processes send it exactly the cap of templates`, async () => {
      const phone = '+919800000001';
      const cap = WHATSAPP_DEFAULTS.unknownPhoneCap;
      const seatId = galaxy().halls[0]!.rows[0]!.seats[0]!.id;
      const itemId = galaxy().menu.flatMap((c) => c.items).find((i) => i.available)!.id;
      const answers = await Promise.all(
        range(1, PARALLEL).map((i) => api(i % 2).call('POST', '/api/orders', { seatId, items: [{ itemId, quantity: 1 }], phone, paymentMethod: 'cash' })),
      );
      const placed = answers.filter((a) => a.status === 201).length;
      // Other limits may refuse some orders (429); each order that was placed counts against the cap.
      expect(answers.every((a) => a.status === 201 || a.status === 429)).toBe(true);
      expect(placed).toBeGreaterThan(cap);
      const templates = () => fake.accepted.filter((r) => r.body.to === phone.slice(1) && r.body.type === 'template');
      await fake.until(() => templates().length === cap, 'the allowed templates', 10_000);
      expect(await db.db.selectFrom('chat_messages').select('template').where('phone', '=', phone).execute()).toHaveLength(cap);
      expect(await db.db.selectFrom('whatsapp_unknown_phones').select(['sent', 'refused']).where('phone', '=', phone).executeTakeFirstOrThrow()).toEqual({ sent: cap, refused: placed - cap });
      expect(templates()).toHaveLength(cap);
    });

    it(`${PARALLEL} parallel WhatsApp messages of one guest over two processes are stored once each and counted unread exactly`, async () => {
      const phone = '+919800000002';
      const messages = range(1, PARALLEL).map((i) => textMessage(phone, `message ${i}`));
      const answers = await Promise.all(messages.flatMap((m, i) => [0, 1].map((p) => postWebhook(`${base((i + p) % 2)}/api/whatsapp/webhook`, whatsappWebhook({ messages: [m] }), appSecret))));
      expect(answers.map((a) => a.status).every((s) => s === 200)).toBe(true);
      const stored = await db.db.selectFrom('chat_messages').select('wa_id').where('phone', '=', phone).execute();
      expect(stored).toHaveLength(PARALLEL);
      expect(await db.db.selectFrom('chat_conversations').select(['theatre_id', 'unread', 'reply_required']).where('phone', '=', phone).execute()).toEqual([
        { theatre_id: 0, unread: PARALLEL, reply_required: 1 },
      ]);
    });
  });
}
