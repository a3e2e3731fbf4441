import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { databaseEngines } from '../src/db/test-databases.js';
import { MemorySingleUseStore } from '../src/tickets/single-use-store.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const HOUR = 60 * 60 * 1000;
const engines = (await databaseEngines()).map((e) => e.name);

/** `scan2food_<name>{store="<store>"} <value>` from /metrics, or undefined. */
async function metric(t: TestApp, name: string, store: string): Promise<number | undefined> {
  const text = await (await fetch(t.http('/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`scan2food_${name}{store="${store}"} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe.each(engines)('housekeeping on %s, two processes on one database', (engine) => {
  const schema = `t_hk_${process.pid}_${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> =
    engine === 'postgres' ? { DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: schema } : { DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-hk-')) };
  let one: TestApp;
  let two: TestApp;
  const db = () => one.app.db;
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  beforeAll(async () => {
    one = await startTestApp(env);
    two = await startTestApp(env);
  });

  afterAll(async () => {
    await two?.close();
    await one?.close();
    if (engine === 'postgres') {
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });

  it('forgets what is past retention, keeps the rest, and reports the sizes in /metrics', async () => {
    const { id: accountId } = await db()
      .insertInto('accounts')
      .values({ username: `hk-${randomUUID()}`, password_hash: 'not-a-login', role: 'admin', theatre_id: null, created_at: ago(0) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const session = (id: string, expiresAt: string) => ({ id, account_id: accountId, created_at: ago(48 * HOUR), expires_at: expiresAt });
    await db().insertInto('sessions').values([session('expired', ago(1000)), session('live', ago(-HOUR))]).execute();
    const key = (hash: string, createdAt: string) => ({ key_hash: hash, scope: 'orders', fingerprint: 'f', answer: 'a', created_at: createdAt });
    await db().insertInto('idempotency_keys').values([key('day-old', ago(25 * HOUR)), key('fresh', ago(23 * HOUR))]).execute();
    const hook = (id: string, receivedAt: string) => ({ id, received_at: receivedAt, outcome: 'confirmed' });
    // 2 days: long past Razorpay's 24 h of retries, yet still recognised; 8 days: forgotten.
    await db().insertInto('webhook_events').values([hook('evt_old', ago(8 * 24 * HOUR)), hook('evt_retry_window', ago(2 * 24 * HOUR))]).execute();
    const spent = await one.app.tickets.verify((await one.app.tickets.mint('chat', { kind: 'admin' })).ticket);
    expect(await one.app.tickets.spend(spent!)).toBe(true);

    await one.app.housekeeping.run();

    expect((await db().selectFrom('sessions').select('id').execute()).map((r) => r.id)).toEqual(['live']);
    expect((await db().selectFrom('idempotency_keys').select('key_hash').execute()).map((r) => r.key_hash)).toEqual(['fresh']);
    expect((await db().selectFrom('webhook_events').select('id').execute()).map((r) => r.id)).toEqual(['evt_retry_window']);
    expect(await metric(one, 'store_size', 'sessions')).toBe(1);
    expect(await metric(one, 'store_size', 'idempotency_keys')).toBe(1);
    expect(await metric(one, 'store_size', 'webhook_events')).toBe(1);
    expect(await metric(one, 'store_size', 'spent_tickets')).toBe(1);
    // A spent ticket is still refused until it expires: housekeeping forgets only expired ids.
    expect(await one.app.tickets.spend(spent!)).toBe(false);
  });

  it('lets both processes prune at once: every old row deleted exactly once, no error', async () => {
    const rows = 120;
    const old = Array.from({ length: rows }, (_, i) => ({ key_hash: `race-${i}`, scope: 'orders', fingerprint: 'f', answer: 'a', created_at: ago(30 * HOUR + i) }));
    await db().insertInto('idempotency_keys').values(old).execute();
    await db().insertInto('webhook_events').values(old.map((r) => ({ id: r.key_hash, received_at: ago(10 * 24 * HOUR), outcome: 'confirmed' }))).execute();
    const before = async (t: TestApp, store: string) => (await metric(t, 'housekeeping_pruned_total', store)) ?? 0;
    const start = { keys: (await before(one, 'idempotency_keys')) + (await before(two, 'idempotency_keys')), hooks: (await before(one, 'webhook_events')) + (await before(two, 'webhook_events')) };

    await Promise.all([one.app.housekeeping.run(), two.app.housekeeping.run(), one.app.housekeeping.run(), two.app.housekeeping.run()]);

    const left = await db().selectFrom('idempotency_keys').select('key_hash').where('key_hash', 'like', 'race-%').execute();
    expect(left).toEqual([]);
    const after = { keys: (await before(one, 'idempotency_keys')) + (await before(two, 'idempotency_keys')), hooks: (await before(one, 'webhook_events')) + (await before(two, 'webhook_events')) };
    expect(after.keys - start.keys).toBe(rows);
    expect(after.hooks - start.hooks).toBe(rows);
    for (const t of [one, two]) expect(t.logLines.filter((l) => l.includes('housekeeping'))).toEqual([]);
  });
});

describe('MemorySingleUseStore housekeeping', () => {
  it('forgets every expired id, even one spent late that expires before an earlier one, and keeps the live ones', async () => {
    const clock = { now: 1_800_000_000_000 };
    const store = new MemorySingleUseStore(() => clock.now);
    expect(await store.claim('long', 60_000)).toBe(true);
    expect(await store.claim('short', 1_000)).toBe(true);
    clock.now += 2_000;
    // The sweep of claim stops at the first live id ('long'): 'short' stays until the full sweep.
    expect(await store.claim('other', 60_000)).toBe(true);
    expect(store.held()).toBe(3);
    expect(store.forgetExpired()).toBe(1);
    expect(store.held()).toBe(2);
    expect(await store.claim('long', 60_000)).toBe(false);
    clock.now += 60_000;
    expect(store.forgetExpired()).toBe(2);
    expect(store.held()).toBe(0);
  });
});

describe('housekeeping configuration', () => {
  it('takes the retention from the environment and refuses a webhook retention inside the gateway retry window', () => {
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'scan2food-hk-config-'));
    const c = loadConfig({ DATA_DIR, IDEMPOTENCY_RETENTION_HOURS: '48', WEBHOOK_RETENTION_HOURS: '72', HOUSEKEEPING_INTERVAL_SECONDS: '30' });
    expect(c.limits).toMatchObject({ idempotencyRetentionMs: 48 * HOUR, webhookRetentionMs: 72 * HOUR, housekeepingIntervalMs: 30_000 });
    expect(loadConfig({ DATA_DIR }).limits).toMatchObject({ idempotencyRetentionMs: 24 * HOUR, webhookRetentionMs: 7 * 24 * HOUR });
    expect(() => loadConfig({ DATA_DIR, WEBHOOK_RETENTION_HOURS: '12' })).toThrow(/WEBHOOK_RETENTION_HOURS must be at least 25/);
  });
});
