import pg from 'pg';
import { randomBytes, randomUUID } from 'node:crypto';
import { buildWebhook } from '../../src/payments/webhook.js';
import type { SpawnedServer } from '../../test/support/spawn-server.js';
import { Follower } from '../../soak/follower.js';
import type { Edge } from './client.js';
import type { OnlineOrder } from './run.js';

const STAFF_PER_THEATRE = 60;
const GUESTS = 180;
const PAY_EVERY_MS = 60;
const BACKOFF_BASE_MS = 200;
const BACKOFF_MAX_MS = 5_000;

interface Deps {
  edge: Edge;
  procs: { slots: SpawnedServer[]; ports: number[]; start(i: number): Promise<SpawnedServer> };
  theatres: { id: number; seats: number[]; itemId: number }[];
  passwords: { staff1: string; staff2: string };
  keys: { live: string; payment: string; chat: string };
  webhookSecret: string;
  schema: string;
  databaseUrl: string;
  log: (line: string) => void;
  check: (name: string, ok: boolean, detail?: string) => boolean;
  secretsUsed: Set<string>;
  placeOnlineOrder: (t: { id: number; seats: number[]; itemId: number }, n: number) => Promise<OnlineOrder>;
}

/**
 * A client as the web app's socket worker behaves: on every (re)connection a fresh ticket,
 * `since` = the last seq it has, and a full-jitter exponential backoff between failed attempts
 * (0 to min(5 s, 200 ms × 2^attempt)), so a restarted process's clients do not all come back at
 * once. The soak tool's Follower checks exactly-once delivery; it is wrapped here, not rewritten.
 */
function client(name: string, makeUrl: (since: number | undefined) => Promise<string>, violation: (kind: string, detail: string) => void) {
  let follower: Follower;
  let reconnectsSeen = 0;
  let failuresBefore = 0;
  const urlFor = async (since: number | undefined) => {
    if (follower.stats.reconnects !== reconnectsSeen) {
      reconnectsSeen = follower.stats.reconnects;
      failuresBefore = follower.stats.connectFailures;
    }
    if (since !== undefined) {
      const attempt = follower.stats.connectFailures - failuresBefore;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt)));
    }
    return makeUrl(since);
  };
  follower = new Follower(name, urlFor, violation);
  // When each event arrived, to measure how long a client waited for an event across restarts.
  const arrivedAt = new Map<number, number>();
  const set = follower.received.set.bind(follower.received);
  follower.received.set = (seq, r) => (arrivedAt.set(seq, Date.now()), set(seq, r));
  return { follower, arrivedAt };
}

export async function rollingRestart(d: Deps): Promise<string> {
  const { edge } = d;
  const violations: string[] = [];
  const violation = (kind: string, detail: string) => violations.push(`${kind}: ${detail}`);
  const since = (s: number | undefined) => (s === undefined ? '' : `&since=${s}`);
  const ticketUrl = async (path: string, socket: 'live-orders' | 'payment' | 'chat', auth: { cookie?: string; bearer?: string; orderId?: number }, s: number | undefined) => {
    const t = await edge.ticket(socket, auth);
    d.secretsUsed.add(t);
    return `${edge.wsBase}${path}?ticket=${encodeURIComponent(t)}${since(s)}`;
  };

  const cookies = [await edge.login('deploy-galaxy', d.passwords.staff1), await edge.login('deploy-regal', d.passwords.staff2)];
  const clients: ReturnType<typeof client>[] = [];
  for (const [i, t] of d.theatres.entries()) {
    for (let k = 0; k < STAFF_PER_THEATRE; k++) {
      clients.push(client(`staff:${t.id}:${k}`, (s) => ticketUrl('/ws/all-seat-datasocket/', 'live-orders', { cookie: cookies[i] }, s), violation));
    }
  }
  clients.push(client('key:theatres', async (s) => `${edge.wsBase}/ws/all-seat-datasocket/?key=${d.keys.live}${since(s)}`, violation));
  clients.push(client('key:chat', async (s) => `${edge.wsBase}/ws/chat-socket/?key=${d.keys.chat}${since(s)}`, violation));
  d.log(`rolling restart: placing ${GUESTS} online orders, each with its guest's payment socket`);
  const orders: OnlineOrder[] = [];
  for (let n = 0; n < GUESTS; n += 20) {
    orders.push(...(await Promise.all(Array.from({ length: Math.min(20, GUESTS - n) }, (_, k) => d.placeOnlineOrder(d.theatres[(n + k) % d.theatres.length]!, n + k)))));
  }
  for (const o of orders) {
    clients.push(client(`guest:${o.id}`, (s) => ticketUrl(`/ws/payment-socket/${o.id}/`, 'payment', { bearer: o.token, orderId: o.id }, s), violation));
  }
  try {
    return await underLoad(d, clients, orders, violations);
  } finally {
    for (const c of clients) c.follower.stop();
  }
}

async function underLoad(d: Deps, clients: ReturnType<typeof client>[], orders: OnlineOrder[], violations: string[]): Promise<string> {
  const { edge } = d;
  for (let n = 0; n < clients.length; n += 50) await Promise.all(clients.slice(n, n + 50).map((c) => c.follower.start()));
  // start() resolves on the 101; the hello follows in its own frame.
  await waitFor(async () => clients.every((c) => c.follower.stats.stream !== null), 15_000);
  const connected = clients.filter((c) => c.follower.stats.stream !== null).length;
  for (const c of clients.filter((x) => x.follower.stats.stream === null).slice(0, 3)) d.log(`  not connected: ${c.follower.stats.name} ${JSON.stringify(c.follower.stats)} ${violations.slice(0, 2).join('; ')}`);
  d.check(`${clients.length} staff, guest and integration sockets connected through nginx`, connected === clients.length && clients.length >= 300, `${connected}/${clients.length}`);

  // Orders are paid (signed webhooks through nginx) all through the restarts.
  const paidAt = new Map<number, number>();
  const answeredAt = new Map<number, number>();
  let slowestWebhook = 0;
  let webhookErrors = 0;
  let restarting = true;
  const payer = (async () => {
    for (const o of orders) {
      if (!restarting) break;
      await pay(o);
      await new Promise((r) => setTimeout(r, PAY_EVERY_MS));
    }
  })();
  async function pay(o: OnlineOrder): Promise<void> {
    const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: o.gatewayOrderId, gatewayPaymentId: `pay_${randomBytes(7).toString('hex')}`, amount: o.amount, secret: d.webhookSecret, eventId: `evt_${randomUUID()}`, at: new Date() });
    const sent = Date.now();
    paidAt.set(o.id, sent);
    // Razorpay repeats a webhook it got no 2xx for, with the same event id: so does this.
    const a = await edge.retrying('POST', '/api/payments/webhook', { raw: hook.rawBody, headers: { 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId } }, 20);
    answeredAt.set(o.id, Date.now());
    slowestWebhook = Math.max(slowestWebhook, Date.now() - sent);
    if (a.status !== 200) webhookErrors++;
  }

  const drains: number[] = [];
  const restartStarted = Date.now();
  for (let i = 0; i < d.procs.ports.length; i++) {
    const old = d.procs.slots[i]!;
    const t0 = Date.now();
    old.child.kill('SIGTERM');
    const code = await Promise.race([old.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 30_000))]);
    drains.push(Date.now() - t0);
    if (code !== 0) {
      d.log(`process ${i + 1} did not exit: last log lines:\n${old.stdout().split('\n').slice(-15).join('\n')}\n${old.stderr().slice(-1500)}`);
      old.child.kill('SIGKILL');
      await old.exited;
    }
    d.check(`process ${i + 1} drained and exited on SIGTERM`, code === 0, `exit ${String(code)} after ${Date.now() - t0} ms`);
    await d.procs.start(i);
    // The next one goes down only once every client is connected again, somewhere.
    const reconnected = await waitFor(async () => (await totalConnections(d.procs.ports)) >= clients.length, 30_000);
    const held = await Promise.all(d.procs.ports.map(connectionsOn));
    d.check(`process ${i + 1} restarted on its port and every client reconnected`, reconnected, `drain ${drains[i]} ms; sockets per process now ${held.join(' / ')}`);
  }
  const restartMs = Date.now() - restartStarted;
  restarting = false;
  await payer;
  for (const o of orders) if (!paidAt.has(o.id)) await pay(o);

  // Every client must reach its stream's head, with every event after its first hello exactly once.
  const heads = await streamHeads(d.databaseUrl, d.schema);
  let behind = 0;
  await Promise.all(clients.map(async (c) => {
    const head = heads.get(c.follower.stats.stream ?? '') ?? 0;
    if (!(await c.follower.caughtUp(head, 30_000))) behind++;
  }));
  const stats = clients.map((c) => c.follower.stats);
  const sum = (f: (s: (typeof stats)[number]) => number) => stats.reduce((n, s) => n + f(s), 0);
  // A stream may grow after its head was read (a presence change on `theatres` when a restarted
  // process's heartbeat or sweep lands): a client then rightly holds events past that head, and
  // everything up to the later of the two must be there.
  const missingOf = (c: (typeof clients)[number]) => {
    const s = c.follower.stats;
    if (s.firstSeq === null) return 0;
    return Math.max(heads.get(s.stream!) ?? 0, s.lastSeq) - s.firstSeq - c.follower.received.size;
  };
  const missing = clients.reduce((n, c) => n + missingOf(c), 0);
  // Name the clients whose count is off, with what they hold, so a failure says where to look.
  for (const c of clients.filter((x) => missingOf(x) !== 0).slice(0, 5)) {
    const s = c.follower.stats;
    const last = c.follower.received.get(s.lastSeq);
    violations.push(`count off: ${s.name} on ${s.stream}: hello seq ${s.firstSeq}, last ${s.lastSeq} (${last?.type ?? '?'}), ${c.follower.received.size} received, head in the database ${heads.get(s.stream!) ?? 0}`);
  }
  // The longest a client waited for an event of a paid order: webhook sent → event received.
  let longest = 0;
  let afterAnswer = 0;
  for (const c of clients) {
    for (const [seq, r] of c.follower.received) {
      const orderId = r.data?.order?.id ?? r.data?.orderId;
      const sent = paidAt.get(orderId);
      if (sent === undefined || !(r.type === 'order.confirmed' || r.data?.status === 'success')) continue;
      longest = Math.max(longest, c.arrivedAt.get(seq)! - sent);
      afterAnswer = Math.max(afterAnswer, c.arrivedAt.get(seq)! - answeredAt.get(orderId)!);
    }
  }
  const events = sum((s) => s.events);
  const duplicates = sum((s) => s.duplicates);
  d.check('every client reconnected by itself and got every event exactly once', violations.length === 0 && behind === 0 && missing === 0 && duplicates === 0 && sum((s) => s.resets) === 0,
    `${behind} behind, ${missing} missing, ${duplicates} duplicates, ${sum((s) => s.gaps)} gaps, ${sum((s) => s.resets)} resets; ${violations.slice(0, 3).join('; ')}`);
  d.check('every order paid during the restart was accepted', webhookErrors === 0 && paidAt.size === orders.length, `${paidAt.size} paid, ${webhookErrors} webhooks never answered 200`);
  return [
    '',
    `== rolling restart: 3 processes, one after another, in ${(restartMs / 1000).toFixed(1)} s (drains ${drains.join(', ')} ms)`,
    `sockets ${clients.length} (staff ${STAFF_PER_THEATRE * d.theatres.length}, guests ${GUESTS}, keys 2); reconnects ${sum((s) => s.reconnects)}, failed attempts ${sum((s) => s.connectFailures)}`,
    `orders paid ${paidAt.size}; events delivered ${events}; duplicates ${duplicates}; missing ${missing}; resets ${sum((s) => s.resets)}`,
    `longest gap a client saw (webhook sent → its event received): ${longest} ms; of which after the webhook's 200: at most ${afterAnswer} ms; slowest webhook (with retries while a process drained) ${slowestWebhook} ms`,
  ].join('\n');
}

async function totalConnections(ports: number[]): Promise<number> {
  return (await Promise.all(ports.map(connectionsOn))).reduce((a, b) => a + b, 0);
}

async function connectionsOn(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    return [...text.matchAll(/^scan2food_ws_connections\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  } catch {
    return 0;
  }
}

/** Polls `ok` until it holds (true) or `ms` pass (false). */
async function waitFor(ok: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}

async function streamHeads(databaseUrl: string, schema: string): Promise<Map<string, number>> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ stream: string; head: string }>(`SELECT stream, max(seq) AS head FROM "${schema}".stream_events GROUP BY stream`);
    return new Map(r.rows.map((row) => [row.stream, Number(row.head)]));
  } finally {
    await c.end();
  }
}
