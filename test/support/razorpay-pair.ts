import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, type Db } from '../../src/db/database.js';
import { seed, type SeedResult } from '../../src/seed/seed.service.js';
import { SAMPLE_SEED } from '../../src/seed/test-fixture.js';
import { startFakeRazorpay, type FakeRazorpay } from './fake-razorpay.js';
import { clusterEnv, spawnServer, type SpawnedServer } from './spawn-server.js';
import type { TestApp } from './test-app.js';
import { ApiClient, LOGINS } from './venue.js';

export interface RazorpayPair {
  razorpay: FakeRazorpay;
  db: Db;
  seeded: SeedResult;
  servers: SpawnedServer[];
  /** Galaxy's staff, one client per process, sharing one session. */
  staff: ApiClient[];
  /** Process `i % 2`, as the ApiClient's app. */
  app(i: number): TestApp;
  close(): Promise<void>;
}

/**
 * Two `scan2food serve` processes on one PostgreSQL schema and one Redis, the sample venue seeded
 * with Galaxy taking its payments (and so its refunds) through Razorpay, faked on 127.0.0.1 (a
 * theatre without a gateway uses `simulated`): the setting of the race tests.
 */
export async function startRazorpayPair(opts: { databaseUrl: string; redisUrl: string; schema: string; webhookSecret: string }): Promise<RazorpayPair> {
  const { databaseUrl, schema } = opts;
  const razorpay = await startFakeRazorpay();
  const db = await createDatabase({ databaseUrl, schema, sqliteFile: '' });
  const seeded = await seed(db.db, {
    ...SAMPLE_SEED,
    theatres: SAMPLE_SEED.theatres.map((t, i) => (i === 0 ? { ...t, orderLimit: 10_000, gateway: 'razorpay' as const } : t)),
  });
  const env: Record<string, string> = {
    ...clusterEnv({ databaseUrl, schema, redisUrl: opts.redisUrl }),
    PAYMENT_WEBHOOK_SECRET: opts.webhookSecret,
    RAZORPAY_KEY_ID: razorpay.keyId,
    RAZORPAY_KEY_SECRET: razorpay.keySecret,
    RAZORPAY_API_BASE: razorpay.apiBase,
    AUTH_FAIL_LIMIT: '1000',
    LOG_LEVEL: 'warn',
  };
  const servers = await Promise.all([0, 1].map(() => spawnServer({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-pair-')) }, 20_000)));
  const app = (i: number) => ({ http: (p: string) => `http://127.0.0.1:${servers[i % 2]!.port}${p}` }) as TestApp;
  const login = await ApiClient.login(app(0), LOGINS.staff1);
  const staff = [0, 1].map((i) => {
    const c = new ApiClient(app(i));
    c.cookie = login.cookie;
    return c;
  });
  return {
    razorpay,
    db,
    seeded,
    servers,
    staff,
    app,
    async close() {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await db.close();
      await razorpay.close();
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}
