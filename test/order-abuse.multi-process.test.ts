import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Db } from '../src/db/database.js';
import { seed, type SeedResult } from '../src/seed/seed.service.js';
import { SAMPLE_SEED } from '../src/seed/test-fixture.js';
import { requirePostgresUrl, requireRedisUrl } from './support/services.js';
import { spawnServer, type SpawnedServer, clusterEnv } from './support/spawn-server.js';
import type { TestApp } from './support/test-app.js';
import { ApiClient } from './support/venue.js';

/*
 * The abuse limits where production runs them: two processes on one PostgreSQL and one Redis,
 * dozens of parallel requests split between them. Open cash orders are counted in the database
 * under the theatre's lock; request rates are counted in Redis, so neither doubles with processes.
 */
const redisUrl = await requireRedisUrl();
const databaseUrl = await requirePostgresUrl();
const PARALLEL = 40;

if (redisUrl && databaseUrl) {
  describe('abuse limits across two processes on PostgreSQL and Redis', () => {
    const schema = `t_abuse_${process.pid}_${randomUUID().slice(0, 8)}`;
    const env: Record<string, string> = {
      ...clusterEnv({ databaseUrl, schema, redisUrl }),
      LOG_LEVEL: 'warn',
      ORDERS_PER_PHONE: '25',
      OPEN_CASH_ORDERS_PER_PHONE: '3',
      OPEN_CASH_ORDERS_PER_ADDRESS: '5',
    };
    let db: Db;
    let seeded: SeedResult;
    let servers: SpawnedServer[] = [];
    const api = (i: number, bearer?: string) => new ApiClient({ http: (p: string) => `http://127.0.0.1:${servers[i % 2]!.port}${p}` } as TestApp, bearer);
    const galaxy = () => seeded.theatres[0]!;
    const chai = () => galaxy().menu.flatMap((c) => c.items).find((i) => i.name === 'Masala Chai')!.id;
    const order = (phone: string, paymentMethod: 'cash' | 'online') => ({ seatId: galaxy().halls[0]!.rows[0]!.seats[0]!.id, items: [{ itemId: chai(), quantity: 1 }], phone, paymentMethod });
    const tally = (rs: Array<{ status: number; body: any }>) => {
      const out: Record<string, number> = {};
      for (const r of rs) {
        const key = r.status === 201 ? '201' : `${r.status} ${r.body?.error?.code}`;
        out[key] = (out[key] ?? 0) + 1;
      }
      return out;
    };
    const openCash = async (where: { phone: string } | { client_address: string }) => {
      let q = db.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).where('payment_method', '=', 'cash').where('status', 'in', ['confirmed', 'seen']);
      q = 'phone' in where ? q.where('phone', '=', where.phone) : q.where('client_address', '=', where.client_address);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };

    beforeAll(async () => {
      db = await createDatabase({ databaseUrl, schema, sqliteFile: '' });
      seeded = await seed(db.db, { ...SAMPLE_SEED, theatres: SAMPLE_SEED.theatres.map((t, i) => (i === 0 ? { ...t, orderLimit: 100_000 } : t)) });
      servers = await Promise.all([0, 1].map(() => spawnServer({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-abuse-')) }, 20_000)));
    });

    afterAll(async () => {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await db?.close();
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });

    it(`${PARALLEL} parallel cash orders of one phone: the phone's rate is shared (25 pass) and exactly 3 stay open`, async () => {
      const answers = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => api(i).call('POST', '/api/orders', order('+919812300001', 'cash'))));
      expect(tally(answers)).toEqual({ '201': 3, '422 cash_limit_reached': 22, '429 rate_limited': 15 });
      expect(answers.filter((r) => r.status === 429).every((r) => Number(r.headers.get('retry-after')) > 0)).toBe(true);
      expect(await openCash({ phone: '+919812300001' })).toBe(3);
    });

    it(`${PARALLEL} parallel cash orders of invented phones from one address: the address holds exactly 5 open`, async () => {
      const answers = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => api(i).call('POST', '/api/orders', order(`+9198124${String(i).padStart(5, '0')}`, 'cash'))));
      // 3 are open from the test before, from the same address.
      expect(tally(answers)).toEqual({ '201': 2, '422 cash_limit_reached': PARALLEL - 2 });
      expect(await openCash({ client_address: '127.0.0.1' })).toBe(5);
      // Online orders are not held back.
      expect((await api(0).call('POST', '/api/orders', order('+919812500001', 'online'))).status).toBe(201);
    });

    it(`${PARALLEL} parallel payment starts of one order: a handful pass, the rest are 429 on both processes`, async () => {
      const placed = await api(0).call('POST', '/api/orders', order('+919812600001', 'online'));
      expect(placed.status).toBe(201);
      const answers = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => api(i, placed.body.orderToken).call('POST', `/api/orders/${placed.body.order.id}/payments`)));
      expect(answers.filter((r) => r.status === 429)).toHaveLength(PARALLEL - 5);
      const payments = await db.db.selectFrom('payments').select((eb) => eb.fn.countAll().as('n')).where('order_id', '=', placed.body.order.id).executeTakeFirstOrThrow();
      expect(Number(payments.n)).toBeLessThanOrEqual(5);
    });
  });
}
