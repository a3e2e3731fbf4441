import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Db } from '../src/db/database.js';
import { EventRepository } from '../src/streams/event.repository.js';
import { generateSecret } from '../src/keys/keys-file.js';
import { buildWebhook } from '../src/payments/webhook.js';
import { seed, type SeedResult } from '../src/seed/seed.service.js';
import { SAMPLE_SEED } from '../src/seed/test-fixture.js';
import { requirePostgresUrl, requireRedisUrl } from './support/services.js';
import { spawnServer, type SpawnedServer, clusterEnv } from './support/spawn-server.js';
import { range, seqsOf } from './support/stream-writer.js';
import type { TestApp } from './support/test-app.js';
import { connectTimed, latencies, percentile, type TimedSocket } from './support/timed-socket.js';
import { ApiClient, LOGINS, ROOMY_GUEST_LIMITS } from './support/venue.js';
import { connect, connectOpen, TestSocket } from './support/ws-client.js';

const redisUrl = await requireRedisUrl();
const databaseUrl = await requirePostgresUrl();
const PRESENCE_TTL_SECONDS = 3;

/** Where the figures of docs/scaling.md come from (printed, and written to SCALING_FIGURES_FILE when set). */
const figures: Record<string, unknown> = {};

if (redisUrl && databaseUrl) {
  describe('three server processes on one PostgreSQL and one Redis', () => {
    const schema = `t_mp_${process.pid}_${randomUUID().slice(0, 8)}`;
    const secret = generateSecret();
    const env: Record<string, string> = {
      ...clusterEnv({ databaseUrl, schema, redisUrl }),
      PAYMENT_WEBHOOK_SECRET: secret,
      PRESENCE_TTL_SECONDS: String(PRESENCE_TTL_SECONDS),
      AUTH_FAIL_LIMIT: '1000',
      MAX_SOCKETS_PER_ORDER: '3',
      LOG_LEVEL: 'warn',
      // One phone places orders in a loop here; the limits have their own test (order-abuse.multi-process.test.ts).
      ...ROOMY_GUEST_LIMITS,
    };
    let db: Db;
    let seeded: SeedResult;
    let servers: SpawnedServer[] = [];
    const sockets: TestSocket[] = [];
    const base = (i: number) => `127.0.0.1:${servers[i]!.port}`;
    const api = (i: number, bearer?: string) => new ApiClient({ http: (p: string) => `http://${base(i)}${p}` } as TestApp, bearer);
    const ws = (i: number, query: string) => `ws://${base(i)}/ws/all-seat-datasocket/?${query}`;
    const keyed = (i: number, since?: number) => ws(i, `key=${env.LIVE_ORDERS_WS_KEY}${since === undefined ? '' : `&since=${since}`}`);
    const track = <T extends TestSocket | TimedSocket>(s: T): T => (sockets.push(s instanceof TestSocket ? s : s.socket), s);
    const login = (i: number, who: { username: string; password: string }) => ApiClient.login({ http: (p: string) => `http://${base(i)}${p}` } as TestApp, who);
    const galaxy = () => seeded.theatres[0]!;
    const regal = () => seeded.theatres[1]!;
    const item = (name: string) => galaxy().menu.flatMap((c) => c.items).find((i) => i.name === name)!.id;
    const seat = () => galaxy().halls[0]!.rows[0]!.seats[0]!.id;

    beforeAll(async () => {
      db = await createDatabase({ databaseUrl, schema, sqliteFile: '' });
      const input = { ...SAMPLE_SEED, theatres: SAMPLE_SEED.theatres.map((t, i) => (i === 0 ? { ...t, orderLimit: 100_000 } : t)) };
      seeded = await seed(db.db, input);
      servers = await Promise.all([0, 1, 2].map(() => spawnServer({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-mp-')) }, 20_000)));
    });

    afterAll(async () => {
      for (const s of sockets) s.close();
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await db?.close();
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
      console.log(`scaling figures: ${JSON.stringify(figures)}`);
      if (process.env.SCALING_FIGURES_FILE) writeFileSync(process.env.SCALING_FIGURES_FILE, JSON.stringify(figures, null, 2));
    });

    it('an order paid through process 1 reaches staff connected to processes 2 and 3', async () => {
      const staff = await login(0, LOGINS.staff1);
      const on2 = track(await connectTimed(ws(1, `ticket=${await staff.ticket('live-orders')}`)));
      const on3 = track(await connectTimed(ws(2, `ticket=${await staff.ticket('live-orders')}`)));
      await Promise.all([on2.socket.next('snapshot'), on3.socket.next('snapshot')]);

      const guest = api(0);
      const placed = await guest.call('POST', '/api/orders', { seatId: seat(), items: [{ itemId: item('Salted Popcorn'), quantity: 1 }], phone: '+919876543210', paymentMethod: 'online' });
      expect(placed.status).toBe(201);
      const started = await api(0, placed.body.orderToken).call('POST', `/api/orders/${placed.body.order.id}/payments`);
      expect(started.status).toBe(201);
      const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: started.body.gatewayOrderId, gatewayPaymentId: `pay_${randomUUID()}`, amount: started.body.amount, secret, eventId: `evt_${randomUUID()}`, at: new Date() });
      const paid = await fetch(`http://${base(0)}/api/payments/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId },
        body: hook.rawBody,
      });
      expect(paid.status).toBe(200);
      for (const s of [on2, on3]) {
        expect(await s.socket.next('order.confirmed', 3000)).toMatchObject({ stream: `theatre:${galaxy().id}`, data: { order: { id: placed.body.order.id, paymentStatus: 'success' } } });
      }
      on2.socket.close();
      on3.socket.close();
    });

    it('a ticket minted on process 1 works once on process 2 and is refused on process 3', async () => {
      const staff = await login(0, LOGINS.staff1);
      const ticket = await staff.ticket('live-orders');
      const first = track(await connectOpen(ws(1, `ticket=${ticket}`)));
      await first.next('hello');
      const again = await connect(ws(2, `ticket=${ticket}`));
      expect(again).not.toBeInstanceOf(TestSocket);
      expect(again).toMatchObject({ status: 401 });
      expect(JSON.parse((again as { body: string }).body)).toMatchObject({ error: { code: 'unauthorized' } });
      first.close();
    });

    /** A fresh staff account of Galaxy, created by the admin through `process`. */
    const newStaff = async (process: number) => {
      const admin = await login(process, LOGINS.admin);
      const who = { username: `mp-${randomUUID().slice(0, 8)}`, password: randomUUID() };
      const created = await admin.call('POST', `/api/theatres/${galaxy().id}/staff`, who);
      expect(created.status).toBe(201);
      return { admin, who, id: created.body.account.id as number };
    };
    const closesWithin = async (s: TestSocket, ms: number) => {
      const started = Date.now();
      const closed = await s.waitClose(ms + 1000);
      return { code: closed.code, afterMs: Date.now() - started };
    };

    it('deleting an account through process 1 closes its socket on process 2 with 4003 within a second; its unspent ticket is refused', async () => {
      const { admin, who, id } = await newStaff(0);
      const staff = await login(0, who);
      const onOther = track(await connectOpen(ws(1, `ticket=${await staff.ticket('live-orders')}`)));
      const chatOnThird = track(await connectOpen(`ws://${base(2)}/ws/chat-socket/?ticket=${await staff.ticket('chat')}`));
      await Promise.all([onOther.next('snapshot'), chatOnThird.next('snapshot')]);
      const unspent = await staff.ticket('live-orders');
      const bystander = track(await connectOpen(keyed(1)));
      await bystander.next('snapshot');

      expect((await admin.call('DELETE', `/api/accounts/${id}`)).status).toBe(204);
      const closes = [];
      for (const s of [onOther, chatOnThird]) {
        const closed = await closesWithin(s, 1000);
        expect(closed.code).toBe(4003);
        expect(closed.afterMs).toBeLessThan(1000);
        closes.push(closed.afterMs);
      }
      figures.revocationCloseOtherProcessMs = Math.max(...closes);
      const refused = await connect(ws(1, `ticket=${unspent}`));
      expect(refused).toMatchObject({ status: 401 });
      const from = bystander.messages.length;
      bystander.send({ type: 'ping' });
      await bystander.next('pong', 2000, from);
    });

    it('logout through process 1 closes only that session’s sockets on processes 2 and 3; the other session’s stay open', async () => {
      const { who } = await newStaff(0);
      const [a, b] = [await login(0, who), await login(2, who)];
      const fromA = [track(await connectOpen(ws(1, `ticket=${await a.ticket('live-orders')}`))), track(await connectOpen(ws(2, `ticket=${await a.ticket('live-orders')}`)))];
      const fromB = track(await connectOpen(ws(1, `ticket=${await b.ticket('live-orders')}`)));
      await Promise.all([...fromA, fromB].map((s) => s.next('snapshot')));
      const unspentA = await a.ticket('live-orders');
      expect((await a.call('POST', '/api/auth/logout')).status).toBe(204);
      for (const s of fromA) {
        const closed = await closesWithin(s, 1000);
        expect(closed.code).toBe(4003);
        expect(closed.afterMs).toBeLessThan(1000);
      }
      expect(await connect(ws(2, `ticket=${unspentA}`))).toMatchObject({ status: 401 });
      const from = fromB.messages.length;
      fromB.send({ type: 'ping' });
      await fromB.next('pong', 2000, from);
      expect(fromB.closed).toBeNull();
    });

    it('caps sockets per order across the processes: 3 open over three processes, the 4th is refused 429 on any', async () => {
      const placed = await api(0).call('POST', '/api/orders', { seatId: seat(), items: [{ itemId: item('Masala Chai'), quantity: 1 }], phone: '+919876543210', paymentMethod: 'cash' });
      expect(placed.status).toBe(201);
      const id = placed.body.order.id as number;
      const guest = api(0, placed.body.orderToken);
      const payment = async (i: number) => connect(`ws://${base(i)}/ws/payment-socket/${id}/?ticket=${await guest.ticket('payment', id)}`);
      const open = [];
      for (const i of [0, 1, 2]) {
        const s = await payment(i);
        expect(s).toBeInstanceOf(TestSocket);
        open.push(track(s as TestSocket));
      }
      for (const i of [0, 1, 2]) expect(await payment(i)).toMatchObject({ status: 429 });
      expect(await connect(`ws://${base(1)}/ws/payment-socket/${id}/?key=${env.PAYMENT_STATUS_WS_KEY}`)).toMatchObject({ status: 429 });

      open[1]!.close();
      await open[1]!.waitClose();
      // The server sees the close a moment after the client: try until the slot is free (2 s at most).
      const deadline = Date.now() + 2000;
      let again = await payment(2);
      while (!(again instanceof TestSocket) && Date.now() < deadline) again = await payment(2);
      expect(again).toBeInstanceOf(TestSocket);
      track(again as TestSocket);
    });

    it('kill -9 of process 2 while orders flow: its clients resume on process 3 and end with every event once, in order; presence drops its theatre', async () => {
      const watcher = track(await connectTimed(keyed(2)));
      await watcher.socket.next('snapshot');
      // Regal's only staff connection is on process 2.
      const regalStaff = await login(1, LOGINS.staff2);
      track(await connectOpen(ws(1, `ticket=${await regalStaff.ticket('live-orders')}`)));
      const isRegal = (online: boolean) => () => watcher.socket.messages.find((m) => m.type === 'presence' && (m.data as any).theatreId === regal().id && (m.data as any).online === online);
      await watcher.socket.until(isRegal(true), 'regal online', 5000);

      const followers = await Promise.all(range(1, 5).map(async () => track(await connectTimed(keyed(1)))));
      const starts = await Promise.all(followers.map((f) => f.socket.next('hello').then((h) => h.seq as number)));
      let writing = true;
      let written = 0;
      const writer = (async () => {
        const guest = api(0);
        while (writing) {
          const r = await guest.call('POST', '/api/orders', { seatId: seat(), items: [{ itemId: item('Masala Chai'), quantity: 1 }], phone: '+919876543210', paymentMethod: 'cash' });
          if (r.status !== 201) throw new Error(`order ${r.status}`);
          written++;
        }
      })();
      await Promise.all(followers.map((f) => f.socket.until(() => seqsOf(f.socket.messages).length >= 20, '20 events before the kill', 10_000)));

      servers[1]!.child.kill('SIGKILL');
      const killedAt = Date.now();
      await Promise.all(followers.map((f) => f.socket.waitClose(5000)));
      const resumed = await Promise.all(
        followers.map(async (f) => track(await connectTimed(keyed(2, Math.max(...seqsOf(f.socket.messages)))))),
      );
      await watcher.socket.until(isRegal(false), 'regal offline', 30_000);
      const offlineAfterMs = Date.now() - killedAt;
      await Promise.all(resumed.map((r) => r.socket.until(() => seqsOf(r.socket.messages).length >= 20, '20 events after resuming', 10_000)));
      writing = false;
      await writer;

      const head = (await db.db.selectFrom('stream_heads').select('seq').where('stream', '=', 'theatres').executeTakeFirstOrThrow()).seq;
      await Promise.all(resumed.map((r) => r.socket.until(() => seqsOf(r.socket.messages).includes(head), `seq ${head}`, 10_000)));
      followers.forEach((f, i) => {
        const all = [...seqsOf(f.socket.messages), ...seqsOf(resumed[i]!.socket.messages)];
        expect(all).toEqual(range(starts[i]! + 1, head));
      });
      expect(offlineAfterMs).toBeLessThan(30_000);

      const lat = [...followers, ...resumed, watcher].flatMap((s) => latencies(s, ['order.confirmed']));
      Object.assign(figures, {
        ordersWritten: written,
        crossProcessDeliveries: lat.length,
        latencyP50Ms: percentile(lat, 50),
        latencyP99Ms: percentile(lat, 99),
        latencyMaxMs: Math.max(...lat),
        presenceOfflineAfterKillMs: offlineAfterMs,
        presenceTtlSeconds: PRESENCE_TTL_SECONDS,
      });
    });

    it('moves a burst of 2,000 events committed at once to followers on the surviving processes', async () => {
      const BURST = 2_000;
      const [on1, on3] = [track(await connectTimed(keyed(0))), track(await connectTimed(keyed(2)))];
      const from = (await on1.socket.next('hello')).seq as number;
      await on3.socket.next('hello');
      const committedAt = Date.now();
      const head = await db.db.transaction().execute(async (trx) => {
        let last = 0;
        for (let i = 0; i < BURST; i++) last = (await new EventRepository(trx).append(trx, 'theatres', 'test.burst', { i }, new Date())).seq;
        return last;
      });
      const committed = Date.now();
      for (const f of [on1, on3]) {
        await f.socket.until(() => seqsOf(f.socket.messages).includes(head), `seq ${head}`, 20_000);
        expect(seqsOf(f.socket.messages)).toEqual(range(from + 1, head));
      }
      // The writer was this test, not a server, so nobody kicked a relay: the 1 s poll found it.
      const firstAt = on3.arrivals[on3.socket.messages.findIndex((m) => m.seq === from + 1)]!;
      const lastAt = on3.arrivals[on3.socket.messages.findIndex((m) => m.seq === head)]!;
      Object.assign(figures, {
        burstEvents: BURST,
        burstCommitMs: committed - committedAt,
        burstFirstToLastMs: lastAt - firstAt,
        burstEventsPerSecond: Math.round((BURST / Math.max(1, lastAt - firstAt)) * 1000),
        burstCommitToLastMs: lastAt - committed,
      });
    });
  });
}
