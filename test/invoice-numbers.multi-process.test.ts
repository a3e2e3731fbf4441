import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Db } from '../src/db/database.js';
import { seed, type SeedResult } from '../src/seed/seed.service.js';
import { SAMPLE_SEED } from '../src/seed/test-fixture.js';
import { capture, placeOnline, type PlacedOrder } from './support/invoicing.js';
import { requirePostgresUrl, requireRedisUrl } from './support/services.js';
import { clusterEnv, spawnServer, type SpawnedServer } from './support/spawn-server.js';
import { ApiClient, ROOMY_GUEST_LIMITS } from './support/venue.js';
import type { TestApp } from './support/test-app.js';

/*
 * SPEC §6: invoice numbers with no gaps and no repeats "also under concurrent confirmations on
 * several processes", proven where production runs: two `scan2food serve` processes on one
 * PostgreSQL and one Redis, signed capture webhooks for 50 orders of two theatres split between
 * them and sent at once.
 */
const redisUrl = await requireRedisUrl();
const databaseUrl = await requirePostgresUrl();
const ORDERS = 50;

if (redisUrl && databaseUrl) {
  describe('invoice numbers over two processes on PostgreSQL', () => {
    const schema = `t_inv_${process.pid}_${randomUUID().slice(0, 8)}`;
    const env = { ...clusterEnv({ databaseUrl, schema, redisUrl }), ...ROOMY_GUEST_LIMITS, LOG_LEVEL: 'warn' };
    let db: Db;
    let seeded: SeedResult;
    let servers: SpawnedServer[] = [];
    const at = (i: number) => ({ http: (p: string) => `http://127.0.0.1:${servers[i % 2]!.port}${p}` }) as TestApp;
    const theatre = (i: number) => seeded.theatres[i]!;
    const firstItem = (i: number) => theatre(i).menu.flatMap((c) => c.items).find((it) => it.available)!;

    beforeAll(async () => {
      db = await createDatabase({ databaseUrl, schema, sqliteFile: '' });
      seeded = await seed(db.db, { ...SAMPLE_SEED, theatres: SAMPLE_SEED.theatres.map((t) => ({ ...t, orderLimit: 10_000 })) });
      servers = await Promise.all([0, 1].map(() => spawnServer({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-inv-')) }, 20_000)));
    }, 60_000);

    afterAll(async () => {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await db?.close();
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });

    const place = (theatreIndex: number, i: number): Promise<PlacedOrder> =>
      placeOnline(at(i), {
        seatId: theatre(theatreIndex).halls[0]!.rows[0]!.seats[0]!.id,
        items: [{ itemId: firstItem(theatreIndex).id, quantity: 1 + (i % 4) }],
        phone: `+9198200${theatreIndex}${String(i).padStart(4, '0')}`,
      });
    /** Orders placed ten at a time (placing is not what is tested here). */
    const placeMany = async (theatreIndex: number, n: number): Promise<PlacedOrder[]> => {
      const placed: PlacedOrder[] = [];
      for (let i = 0; i < n; i += 10) placed.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, j) => place(theatreIndex, i + j)))));
      return placed;
    };
    const serial = (n: string) => Number(n.split('/')[2]);
    const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

    it(`${ORDERS} online orders confirmed at once through both processes get exactly 1 to ${ORDERS}; a second theatre's own series also starts at 1`, async () => {
      const galaxy = await placeMany(0, ORDERS);
      const regal = await placeMany(1, 10);

      // Every capture at once, alternating processes, the two theatres interleaved.
      const hooks = [...galaxy.map((o, i) => capture(at(i), env.PAYMENT_WEBHOOK_SECRET, o)), ...regal.map((o, i) => capture(at(i + 1), env.PAYMENT_WEBHOOK_SECRET, o))];
      const answers = await Promise.all(hooks);
      expect(answers.map((a) => [a.status, a.body.status])).toEqual(Array(ORDERS + 10).fill([200, 'processed']));

      // Each guest reads its invoice from the other process than the one that confirmed it.
      const read = (list: PlacedOrder[], shift: number) =>
        Promise.all(list.map(async (o, i) => (await new ApiClient(at(i + shift), o.token).call('GET', `/api/orders/${o.id}/invoice`)).body.invoiceNumber as string));
      const galaxyNumbers = await read(galaxy, 1);
      const regalNumbers = await read(regal, 0);
      expect(galaxyNumbers.map(serial).sort((a, b) => a - b)).toEqual(oneToN(ORDERS));
      expect(regalNumbers.map(serial).sort((a, b) => a - b)).toEqual(oneToN(10));
      expect(new Set(galaxyNumbers.map((n) => n.replace(/\/\d+$/, '')))).toEqual(new Set([expect.stringMatching(/^INV\/\d{4}-\d{2}$/)]));

      const rows = await db.db.selectFrom('orders').select(['invoice_number']).where('invoice_number', 'is not', null).execute();
      expect(rows).toHaveLength(ORDERS + 10);
      const counters = await db.db.selectFrom('document_counters').select(['theatre_id', 'series', 'last_number']).orderBy('theatre_id').execute();
      expect(counters).toEqual([
        { theatre_id: theatre(0).id, series: 'invoice', last_number: ORDERS },
        { theatre_id: theatre(1).id, series: 'invoice', last_number: 10 },
      ]);
    }, 60_000);

    it('repeated captures of one payment and surplus captures of other payments take no number: the series stays gapless', async () => {
      const o = await place(0, 900);
      const same = Array.from({ length: 6 }, (_, i) => capture(at(i), env.PAYMENT_WEBHOOK_SECRET, o, 'pay_same_capture'));
      const surplus = Array.from({ length: 3 }, (_, i) => capture(at(i + 1), env.PAYMENT_WEBHOOK_SECRET, o));
      const answers = await Promise.all([...same, ...surplus]);
      expect(answers.map((a) => a.status)).toEqual(Array(9).fill(200));
      const next = await place(0, 901);
      await capture(at(1), env.PAYMENT_WEBHOOK_SECRET, next);
      const numbers = await Promise.all([o, next].map(async (x) => (await new ApiClient(at(0), x.token).call('GET', `/api/orders/${x.id}/invoice`)).body.invoiceNumber as string));
      expect(numbers.map(serial)).toEqual([ORDERS + 1, ORDERS + 2]);
      const counter = await db.db.selectFrom('document_counters').select('last_number').where('theatre_id', '=', theatre(0).id).executeTakeFirstOrThrow();
      expect(counter.last_number).toBe(ORDERS + 2);
    }, 60_000);
  });
}
