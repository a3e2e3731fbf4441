import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Db } from '../src/db/database.js';
import { seed, type SeedResult } from '../src/seed/seed.service.js';
import { SAMPLE_SEED } from '../src/seed/test-fixture.js';
import { startFakeCashfree, type FakeCashfree } from './support/fake-cashfree.js';
import { setTheatreGateway } from './support/gateway-harness.js';
import { requirePostgresUrl, requireRedisUrl } from './support/services.js';
import { clusterEnv, spawnServer, type SpawnedServer } from './support/spawn-server.js';
import type { TestApp } from './support/test-app.js';
import { ApiClient } from './support/venue.js';

const redisUrl = await requireRedisUrl();
const databaseUrl = await requirePostgresUrl();

/**
 * Issue 14: no payment left hanging, on two `scan2food serve` processes over one PostgreSQL and
 * one Redis, Cashfree faked on 127.0.0.1. Both processes run the status check; the gateway's
 * webhook reaches both at the moment the check is due, or never arrives.
 */
if (redisUrl && databaseUrl) {
  describe('status check and webhooks racing over two processes on PostgreSQL', () => {
    const schema = `t_psc_${process.pid}_${randomUUID().slice(0, 8)}`;
    let cashfree: FakeCashfree;
    let db: Db;
    let seeded: SeedResult;
    let servers: SpawnedServer[] = [];
    const app = (i: number) => ({ http: (p: string) => `http://127.0.0.1:${servers[i % 2]!.port}${p}` }) as TestApp;
    const galaxy = () => seeded.theatres[0]!;
    let phone = 9_700_000_000;

    beforeAll(async () => {
      cashfree = await startFakeCashfree();
      db = await createDatabase({ databaseUrl, schema, sqliteFile: '' });
      const input = { ...SAMPLE_SEED, theatres: SAMPLE_SEED.theatres.map((t, i) => (i === 0 ? { ...t, orderLimit: 10_000 } : t)) };
      seeded = await seed(db.db, input);
      await setTheatreGateway(db.db, galaxy().id, 'cashfree');
      const env: Record<string, string> = {
        ...clusterEnv({ databaseUrl, schema, redisUrl }),
        ...cashfree.env(),
        PAYMENT_STATUS_CHECK_AFTER_SECONDS: '1',
        LOG_LEVEL: 'warn',
        ORDERS_PER_PHONE: '100000',
        ORDERS_PER_ADDRESS: '100000',
        PAYMENT_STARTS_PER_ORDER: '100000',
        PAYMENT_STARTS_PER_ADDRESS: '100000',
      };
      servers = await Promise.all([0, 1].map(() => spawnServer({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-psc-')) }, 20_000)));
    }, 60_000);

    afterAll(async () => {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await db?.close();
      await cashfree?.close();
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });

    async function startedOrder(i: number) {
      const item = galaxy().menu[0]!.items[0]!;
      const placed = await new ApiClient(app(i)).call('POST', '/api/orders', {
        seatId: galaxy().halls[0]!.rows[0]!.seats[0]!.id,
        items: [{ itemId: item.id, quantity: 1 }],
        phone: String(phone++),
        paymentMethod: 'online',
      });
      expect(placed.status).toBe(201);
      const started = await new ApiClient(app(i + 1), placed.body.orderToken).call('POST', `/api/orders/${placed.body.order.id}/payments`);
      expect(started.status).toBe(201);
      expect(started.body.gateway).toBe('cashfree');
      return { id: placed.body.order.id as number, paymentId: started.body.paymentId as number, amount: started.body.amount as number, gatewayOrderId: started.body.gatewayOrderId as string, at: Date.now() };
    }

    const confirmedEvents = async () =>
      (await db.db.selectFrom('stream_events').select(['data']).where('stream', '=', `theatre:${galaxy().id}`).where('type', '=', 'order.confirmed').execute()).map(
        (e) => (JSON.parse(e.data as unknown as string) as { order: { id: number } }).order.id,
      );
    const metric = async (source: string) => {
      let sum = 0;
      for (const i of [0, 1]) {
        const text = await (await fetch(app(i).http('/metrics'))).text();
        sum += Number(new RegExp(`^scan2food_payments_confirmed_total\\{source="${source}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      }
      return sum;
    };

    async function eventually<T>(check: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await check();
        if (ok(v) || Date.now() > deadline) return v;
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    it('12 payments, half with their webhook delivered to both processes just as the check is due, half with it lost: each order confirmed once, counted once', async () => {
      const orders = await Promise.all(Array.from({ length: 12 }, (_, i) => startedOrder(i)));
      const refs = orders.map((o) => cashfree.pay(o.gatewayOrderId).cfPaymentId);
      const withWebhook = orders.filter((_, i) => i % 2 === 0);
      // Just as their first check falls due (1 s after the start), both processes get the webhook.
      const dueAt = Math.max(...withWebhook.map((o) => o.at)) + 1_000;
      await new Promise((r) => setTimeout(r, Math.max(0, dueAt - Date.now())));
      const answers = await Promise.all(
        withWebhook.flatMap((o) => {
          const hook = cashfree.webhook('PAYMENT_SUCCESS_WEBHOOK', { orderId: o.gatewayOrderId, amount: o.amount, cfPaymentId: refs[orders.indexOf(o)]! });
          return [0, 1].map((i) => fetch(app(i).http('/api/payments/webhook/cashfree'), { method: 'POST', headers: hook.headers, body: hook.body }).then((r) => r.status));
        }),
      );
      expect(answers).toEqual(Array(12).fill(200));
      const ids = new Set(orders.map((o) => o.id));
      const confirmed = await eventually(async () => (await confirmedEvents()).filter((id) => ids.has(id)), (c) => c.length >= 12, 10_000);
      expect(confirmed.sort()).toEqual([...ids].sort());
      // Settled: no check left in flight for these payments (each confirmed, or stopped after finding it paid).
      await eventually(
        async () => db.db.selectFrom('payments').select(['status']).where('id', 'in', orders.map((o) => o.paymentId)).execute(),
        (rows) => rows.every((r) => r.status === 'success'),
        5_000,
      );
      expect((await metric('webhook')) + (await metric('status_check'))).toBe(12);
      expect(await metric('status_check')).toBeGreaterThanOrEqual(6);
      const surplus = await db.db.selectFrom('refunds').select('id').where('order_id', 'in', [...ids]).execute();
      expect(surplus).toEqual([]);
      expect(cashfree.refunds).toEqual([]);
    }, 30_000);
  });
}
