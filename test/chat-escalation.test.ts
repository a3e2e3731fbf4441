import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { FakeGraphApi } from './support/fake-graph-api.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, LOGINS, seedVenue, type Venue } from './support/venue.js';
import { connectOpen, type TestSocket } from './support/ws-client.js';

const PHONE_NUMBER_ID = '106540352242922';
const NOTIFY = ['+919811111111', '+919822222222'];

describe('unseen order escalation', () => {
  const waToken = generateSecret();
  const fake = new FakeGraphApi(waToken, PHONE_NUMBER_ID);
  const dataDir = mkdtempSync(join(tmpdir(), 'scan2food-escalation-'));
  const apps: TestApp[] = [];
  let v: Venue;

  /** Every process shares one data folder (one SQLite database) and the same keys file. */
  const start = async (env: Record<string, string> = {}) => {
    const t = await startTestApp({
      DATA_DIR: dataDir,
      AUTH_FAIL_LIMIT: '1000',
      WHATSAPP_API_BASE: fake.url,
      WHATSAPP_TOKEN: waToken,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_APP_SECRET: generateSecret(),
      UNSEEN_ALERT_SECONDS: '1',
      UNSEEN_CHECK_MS: '50',
      WHATSAPP_SENDER_POLL_MS: '100',
      ...env,
    });
    apps.push(t);
    return t;
  };

  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    for (const t of apps) await t.close();
    await fake.close();
  });

  async function cashOrder(t: TestApp, phone: string): Promise<number> {
    const r = await new ApiClient(t).call('POST', '/api/orders', { seatId: v.seat1, items: [{ itemId: v.item(v.theatre1, 'Masala Chai'), quantity: 1 }], phone, paymentMethod: 'cash' });
    expect(r.status).toBe(201);
    return r.body.order.id as number;
  }

  /** Follows from the stream's start (`since=0`), so an alert raised before connecting is replayed, not missed. */
  async function followLive(t: TestApp, client: ApiClient): Promise<TestSocket> {
    const s = await connectOpen(t.ws(`/ws/all-seat-datasocket/?since=0&ticket=${await client.ticket('live-orders')}`));
    await s.next('hello');
    return s;
  }

  const unseenTemplates = (orderId: number) => fake.accepted.filter((r) => r.body.template?.name === 'unseen_order_alert' && r.body.template.components[0].parameters[0].text === String(orderId));
  const unseenEvents = async (t: TestApp, orderId: number) =>
    (await t.app.db.selectFrom('stream_events').select(['stream', 'data']).where('type', '=', 'order.unseen').execute()).filter((e) => (JSON.parse(e.data) as { order: { id: number } }).order.id === orderId);

  it('raises order.unseen once on the theatre and admin streams and alerts each notification number once, across a restart and with two processes', async () => {
    // The first process would alert only after an hour: it must stop with the alert still pending.
    const first = await start({ UNSEEN_ALERT_SECONDS: '3600' });
    v = await seedVenue(first);
    await first.app.db.updateTable('theatres').set({ notification_phones: JSON.stringify([...NOTIFY, '98111 11111']), unseen_alert_seconds: null }).where('id', '=', v.theatre1.id).execute();
    const orderId = await cashOrder(first, '+919876500001');
    const stillPending = await first.app.db.selectFrom('orders').select('unseen_alerted_at').where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(stillPending.unseen_alerted_at).toBeNull();
    await first.close();
    // Two processes on the same database take over: the alert is due to them now, from the database alone.

    const [a, b] = [await start(), await start()];
    const staffA = await ApiClient.login(a, LOGINS.staff1);
    const adminB = await ApiClient.login(b, LOGINS.admin);
    await fake.until(() => unseenTemplates(orderId).length === NOTIFY.length, 'one alert per notification number', 5000);
    // Either process may have raised it; each replays its streams from the shared outbox.
    const [theatreSocket, adminSocket] = await Promise.all([followLive(a, staffA), followLive(b, adminB)]);
    const alert = await theatreSocket.next('order.unseen', 3000);
    expect(alert).toMatchObject({ stream: `theatre:${v.theatre1.id}`, data: { order: { id: orderId, status: 'confirmed' } } });
    expect(await adminSocket.next('order.unseen', 3000)).toMatchObject({ stream: 'theatres', data: { order: { id: orderId } } });
    expect(unseenTemplates(orderId).map((r) => r.body.to).sort()).toEqual(NOTIFY.map((p) => p.slice(1)).sort());

    // A later order alerts only after both processes ran many checks past the first one's: still once.
    const laterId = await cashOrder(a, '+919876500002');
    await fake.until(() => unseenTemplates(laterId).length === NOTIFY.length, 'the later order\'s alerts', 5000);
    expect(unseenTemplates(orderId)).toHaveLength(NOTIFY.length);
    expect((await unseenEvents(a, orderId)).map((e) => e.stream).sort()).toEqual(['theatre:' + v.theatre1.id, 'theatres'].sort());
    // Without Redis each process's sockets see what that process publishes; the outbox holds all of it, once.
    expect(await unseenEvents(a, laterId)).toHaveLength(2);

    // Seen in time: no alert.
    const seenId = await cashOrder(b, '+919876500003');
    expect((await staffA.call('POST', `/api/orders/${seenId}/seen`)).status).toBe(200);
    const lastId = await cashOrder(b, '+919876500004');
    await fake.until(() => unseenTemplates(lastId).length === NOTIFY.length, 'the last order\'s alerts', 5000);
    expect(unseenTemplates(seenId)).toHaveLength(0);
    theatreSocket.close();
    adminSocket.close();
  });
});
