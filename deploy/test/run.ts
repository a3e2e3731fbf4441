// `npm run test:deploy`: scan2food as it runs in production, proven through nginx.
// Three `scan2food serve` processes (the built CLI, NODE_ENV=production) on PostgreSQL and Redis
// with keys generated here, the fake Razorpay as the gateway, a venue loaded with `scan2food seed`,
// and Debian's nginx in front rendered from deploy/nginx/scan2food.conf with a self-signed
// certificate. Then, through nginx: pages, gzip and caching, each socket by ticket and by key,
// a paid order reaching staff on other processes, the client's real address, a rolling restart
// under load with 300 sockets, and finally no key or ticket in nginx's logs. Exits 1 on any failure.
// DEPLOY_BREAK=access-log|trust-proxy breaks the matching part on purpose: its check must fail.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { generateSecret } from '../../src/keys/keys-file.js';
import { buildWebhook } from '../../src/payments/webhook.js';
import { CLI, runCli, spawnServer, type SpawnedServer } from '../../test/support/spawn-server.js';
import { startFakeRazorpay } from '../../test/support/fake-razorpay.js';
import { Edge, openSocket, type Opened } from './client.js';
import { ensureNginx, renderNginx, selfSignedCertificate, startNginx, type Break } from './nginx.js';
import { rollingRestart } from './rolling.js';

const log = (line: string) => console.log(line);
const failures: string[] = [];
function check(name: string, ok: boolean, detail = ''): boolean {
  log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures.push(`${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}

const broken = (process.env.DEPLOY_BREAK || undefined) as Break;
if (broken !== undefined && broken !== 'access-log' && broken !== 'trust-proxy') throw new Error('DEPLOY_BREAK is access-log or trust-proxy');
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
/** The address this script's "guest" connects from: nginx sees it, the service must too. */
const GUEST_ADDRESS = '127.0.0.77';
const SPOOFED = '203.0.113.9';

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<import('node:net').Server>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

const password = () => randomBytes(18).toString('base64url');

/** Two theatres like src/seed/test-fixture.ts SAMPLE_SEED, with room for every order of the run. */
function venue(p: { admin: string; staff1: string; staff2: string }) {
  const seats = (row: string) => Array.from({ length: 30 }, (_, i) => `${row}${i + 1}`);
  return {
    admins: [{ username: 'deploy-admin', password: p.admin }],
    theatres: [
      // Each theatre names its gateway (SPEC §6): production has no simulated one to fall back to.
      { name: 'Galaxy Cinemas', cashEnabled: true, orderLimit: 10_000, gateway: 'razorpay', halls: [{ name: 'Audi 1', rows: [{ name: 'A', seats: seats('A') }, { name: 'B', seats: seats('B') }] }],
        menu: [{ category: 'Snacks', items: [{ name: 'Salted Popcorn', price: 25000, maxTime: 5, available: true }] }], staff: [{ username: 'deploy-galaxy', password: p.staff1 }] },
      { name: 'Regal Talkies', cashEnabled: false, orderLimit: 10_000, gateway: 'razorpay', halls: [{ name: 'Main', rows: [{ name: 'R', seats: seats('R') }] }],
        menu: [{ category: 'Snacks', items: [{ name: 'Cold Coffee', price: 12000, maxTime: 4, available: true }] }], staff: [{ username: 'deploy-regal', password: p.staff2 }] },
    ],
  };
}

/** The JSON log lines of every process that ever ran in a slot (restarts included). */
class Processes {
  readonly slots: SpawnedServer[] = [];
  readonly history: SpawnedServer[] = [];
  constructor(private readonly env: Record<string, string>, readonly ports: number[], private readonly dataDirs: string[]) {}

  async start(i: number): Promise<SpawnedServer> {
    const s = await spawnServer({ ...this.env, PORT: String(this.ports[i]), DATA_DIR: this.dataDirs[i]! }, 30_000);
    this.slots[i] = s;
    this.history.push(s);
    return s;
  }

  /**
   * The upgrade log line of a connection (by the connectionId its hello carried) and which port
   * logged it; waited for, as the line may reach us after the hello does.
   */
  async upgradeOf(connectionId: string): Promise<{ port: number; line: any } | null> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = this.findUpgrade(connectionId);
      if (found || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private findUpgrade(connectionId: string): { port: number; line: any } | null {
    for (const s of this.history) {
      for (const text of s.stdout().split('\n')) {
        if (!text.includes(connectionId)) continue;
        const line = JSON.parse(text);
        if (line.event === 'ws_upgrade' && line.connectionId === connectionId) return { port: s.port, line };
      }
    }
    return null;
  }

  async stopAll(): Promise<void> {
    for (const s of this.slots) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
    await Promise.all(this.slots.map((s) => s.exited));
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  // The Follower from the soak tool opens plain `new WebSocket(url)`: trust the self-signed
  // certificate of this run in this process only (the explicit clients pass rejectUnauthorized).
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  if (!existsSync(join(CLI, '..', '..', 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
  const nginxBin = ensureNginx(log);
  const dir = mkdtempSync(join(tmpdir(), 'scan2food-deploy-'));
  const schema = `deploy_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const prefix = `scan2food:deploy:${randomUUID()}:`;
  const razorpay = await startFakeRazorpay();
  const keys = { live: generateSecret(), payment: generateSecret(), chat: generateSecret() };
  const webhookSecret = generateSecret();
  const [p1, p2, p3, httpsPort, httpPort] = await freePorts(5);
  const ports = [p1!, p2!, p3!];
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    LIVE_ORDERS_WS_KEY: keys.live,
    PAYMENT_STATUS_WS_KEY: keys.payment,
    CHAT_WS_KEY: keys.chat,
    TICKET_SECRET: generateSecret(),
    PAYMENT_WEBHOOK_SECRET: webhookSecret,
    RAZORPAY_KEY_ID: razorpay.keyId,
    RAZORPAY_KEY_SECRET: razorpay.keySecret,
    RAZORPAY_API_BASE: razorpay.apiBase,
    // nginx connects from 127.0.0.1: only its X-Forwarded-For is believed (deploy/README.md).
    ...(broken === 'trust-proxy' ? {} : { TRUST_PROXY: '127.0.0.1' }),
    // Every guest of this run reaches nginx from this one machine; a cinema's guests share a
    // public address too, but not 200 orders in a minute.
    ORDERS_PER_ADDRESS: '100000',
    PAYMENT_STARTS_PER_ADDRESS: '100000',
    SHUTDOWN_GRACE_MS: '5000',
    LOG_LEVEL: 'info',
  };
  const dataDirs = ports.map((_, i) => join(dir, `data${i + 1}`));
  const procs = new Processes(env, ports, dataDirs);
  let nginx: Awaited<ReturnType<typeof startNginx>> | null = null;
  const secretsUsed = new Set<string>(Object.values(keys));
  // Bounded: whatever hangs, the processes and nginx this run started do not outlive it.
  const watchdog = setTimeout(() => {
    console.error('test:deploy: no result after 270 s; stopping');
    for (const s of procs.history) s.child.kill('SIGKILL');
    nginx?.child.kill('SIGTERM');
    process.exit(2);
  }, 270_000);
  watchdog.unref();
  try {
    // The venue: production never creates demo data, so it is seeded as an operator would.
    const passwords = { admin: password(), staff1: password(), staff2: password() };
    const seedFile = join(dir, 'venue.json');
    writeFileSync(seedFile, JSON.stringify(venue(passwords)), { mode: 0o600 });
    // Production migrates on purpose, before anything else touches the database.
    const migrated = await runCli(['migrate'], { ...env, DATA_DIR: dataDirs[0]! });
    if (migrated.code !== 0) throw new Error(`scan2food migrate failed: ${migrated.stderr}`);
    const seeded = await runCli(['seed', seedFile], { ...env, DATA_DIR: dataDirs[0]! });
    if (seeded.code !== 0) throw new Error(`scan2food seed failed: ${seeded.stderr}`);
    const tree = JSON.parse(seeded.stdout);
    const theatres = tree.theatres.map((t: any) => ({
      id: t.id as number,
      seats: t.halls.flatMap((h: any) => h.rows.flatMap((r: any) => r.seats.map((s: any) => s.id as number))) as number[],
      itemId: t.menu[0].items[0].id as number,
    }));

    await Promise.all(ports.map((_, i) => procs.start(i)));
    log(`three processes (NODE_ENV=production) on ports ${ports.join(', ')}; schema ${schema}; Redis prefix ${prefix}`);
    selfSignedCertificate(dir);
    const rendered = renderNginx({ dir, upstreamPorts: ports, httpsPort: httpsPort!, httpPort: httpPort!, broken });
    nginx = await startNginx(nginxBin, rendered, httpsPort!);
    log(`nginx on https://127.0.0.1:${httpsPort} (rendered from deploy/nginx/scan2food.conf, prefix ${dir})${broken ? `; BROKEN ON PURPOSE: ${broken}` : ''}`);
    const edge = new Edge(httpsPort!);

    // Pages, over HTTP/2.
    const home = await edge.http2Get('/');
    check('/ loads over HTTP/2 through nginx', home.status === 200 && home.alpn === 'h2' && home.body.toString().includes('<html'), `status ${home.status}, ALPN ${String(home.alpn)}`);
    const seatId = theatres[0].seats[0];
    const seatPage = await edge.http2Get(`/s/${seatId}`);
    const seatApi = await edge.call('GET', `/api/seats/${seatId}`);
    check('a guest seat page and its menu load', seatPage.status === 200 && seatApi.status === 200 && seatApi.body?.theatre?.id === theatres[0].id, `page ${seatPage.status}, api ${seatApi.status}`);
    const asset = /\/assets\/[^"']+\.js/.exec(home.body.toString())?.[0];
    if (check('the page links a hashed asset', asset !== undefined, asset ?? 'none')) {
      const a = await edge.call('GET', asset!, { headers: { 'accept-encoding': 'gzip' } });
      const js = a.headers['content-encoding'] === 'gzip' ? gunzipSync(a.raw).toString() : '';
      check('a hashed asset comes gzipped', a.status === 200 && js.length > a.raw.length, `content-encoding ${String(a.headers['content-encoding'])}, ${a.raw.length} → ${js.length} bytes`);
      const cc = String(a.headers['cache-control']);
      check('a hashed asset is cached for a year, immutable', /max-age=31536000/.test(cc) && cc.includes('immutable'), cc);
    }
    const metrics = await edge.call('GET', '/metrics');
    check('/metrics is not served to the internet', metrics.status === 404, `status ${metrics.status}`);

    // Each socket by ticket, then by key.
    const cookie1 = await edge.login('deploy-galaxy', passwords.staff1);
    const ticketed = async (socket: 'live-orders' | 'payment' | 'chat', path: string, auth: { cookie?: string; bearer?: string; orderId?: number }, o: Parameters<typeof openSocket>[1] = {}) => {
      const t = await edge.ticket(socket, auth);
      secretsUsed.add(t);
      return openSocket(`${edge.wsBase}${path}?ticket=${encodeURIComponent(t)}`, o);
    };
    const opened: Opened[] = [];
    const order = await placeOnlineOrder(edge, theatres[0], 0);
    const tries: [string, () => Promise<Opened>][] = [
      ['live orders', () => ticketed('live-orders', '/ws/all-seat-datasocket/', { cookie: cookie1 })],
      ['payment', () => ticketed('payment', `/ws/payment-socket/${order.id}/`, { bearer: order.token, orderId: order.id })],
      ['chat', () => ticketed('chat', '/ws/chat-socket/', { cookie: cookie1 })],
    ];
    for (const [name, open] of tries) {
      try {
        const s = await open();
        opened.push(s);
        check(`a ticket opens the ${name} socket through nginx`, true, `stream ${s.hello.stream}`);
      } catch (err) {
        check(`a ticket opens the ${name} socket through nginx`, false, String(err));
      }
    }
    for (const [name, path, key] of [['live orders', '/ws/all-seat-datasocket/', keys.live], ['payment', `/ws/payment-socket/${order.id}/`, keys.payment], ['chat', '/ws/chat-socket/', keys.chat]] as const) {
      try {
        const s = await openSocket(`${edge.wsBase}${path}?key=${key}`);
        opened.push(s);
        check(`a key opens the ${name} socket for a server integration`, true, `stream ${s.hello.stream}`);
      } catch (err) {
        check(`a key opens the ${name} socket for a server integration`, false, String(err));
      }
    }

    // A paid order reaches staff on the other processes: staff sockets spread over the three
    // (least_conn), the webhook lands on one; nginx's access log says which.
    const staff = await Promise.all([0, 1, 2].map(() => ticketed('live-orders', '/ws/all-seat-datasocket/', { cookie: cookie1 })));
    opened.push(...staff);
    const staffPorts = await Promise.all(staff.map(async (s) => (await procs.upgradeOf(s.hello.connectionId))?.port));
    const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: order.gatewayOrderId, gatewayPaymentId: `pay_${randomBytes(7).toString('hex')}`, amount: order.amount, secret: webhookSecret, eventId: `evt_${randomUUID()}`, at: new Date() });
    const paid = await edge.call('POST', '/api/payments/webhook', { raw: hook.rawBody, headers: { 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId } });
    const confirmed = await Promise.allSettled(staff.map((s) => s.next((m) => m.type === 'order.confirmed' && m.data?.order?.id === order.id)));
    const webhookPort = upstreamOf(readFileSync(rendered.accessLog, 'utf8'), '/api/payments/webhook');
    const elsewhere = staffPorts.filter((p, i) => p !== undefined && p !== webhookPort && confirmed[i]!.status === 'fulfilled').length;
    check('a paid order (signed webhook through nginx) reaches staff connected to other processes',
      paid.status === 200 && confirmed.every((c) => c.status === 'fulfilled') && elsewhere > 0,
      `webhook ${paid.status} answered by :${webhookPort}; staff on :${staffPorts.join(', :')}; ${confirmed.filter((c) => c.status === 'fulfilled').length}/3 got order.confirmed, ${elsewhere} of them on another process`);

    // The real client address: through nginx with a spoofed X-Forwarded-For, and straight to a process.
    try {
      const via = await ticketed('live-orders', '/ws/all-seat-datasocket/', { cookie: cookie1 }, { localAddress: GUEST_ADDRESS, headers: { 'x-forwarded-for': SPOOFED } });
      opened.push(via);
      const seen = (await procs.upgradeOf(via.hello.connectionId))?.line.clientAddress;
      check('the service sees the real client address through nginx, and a client cannot spoof it', seen === GUEST_ADDRESS, `client ${GUEST_ADDRESS} sent X-Forwarded-For ${SPOOFED}; the service logged ${String(seen)}`);
      const t = await edge.ticket('live-orders', { cookie: cookie1 });
      secretsUsed.add(t);
      const direct = await openSocket(`ws://127.0.0.1:${ports[0]}/ws/all-seat-datasocket/?ticket=${encodeURIComponent(t)}`, { localAddress: GUEST_ADDRESS, headers: { 'x-forwarded-for': SPOOFED } });
      opened.push(direct);
      const seenDirect = (await procs.upgradeOf(direct.hello.connectionId))?.line.clientAddress;
      check('X-Forwarded-For is believed only from the proxy', seenDirect === GUEST_ADDRESS, `straight to a process from ${GUEST_ADDRESS} with X-Forwarded-For ${SPOOFED}: logged ${String(seenDirect)}`);
    } catch (err) {
      check('the service sees the real client address through nginx', false, String(err));
    }
    for (const s of opened) s.ws.close(1000);

    // A rolling restart while orders are paid and 300 sockets follow their streams.
    // A run broken on purpose only needs to show its check failing: the restart is skipped.
    if (broken) log(`rolling restart skipped (DEPLOY_BREAK=${broken})`);
    else log(await rollingRestart({ edge, procs, theatres, passwords, keys, webhookSecret, schema, databaseUrl, log, check, secretsUsed, placeOnlineOrder: (t, n) => placeOnlineOrder(edge, t, n) }));

    // Last, with everything the run did in them: nginx's logs hold no key and no ticket.
    await nginx.stop();
    nginx = null;
    const logs = ['scan2food.access.log', 'scan2food.error.log', 'main-error.log', 'http-level-access.log']
      .map((f) => join(dir, 'logs', f))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const access = readFileSync(rendered.accessLog, 'utf8');
    const socketLines = access.split('\n').filter((l) => l.includes(' /ws/')).length;
    const statuses = new Map<string, number>();
    for (const m of access.matchAll(/"[A-Z]+ (\/\S*) HTTP\/[\d.]+" (\d+) .* upstream_status=(.*) upstream_time=/g)) {
      const k = `${m[1]!.startsWith('/ws/') ? 'socket' : 'http'} ${m[2]} (upstream ${m[3]})`;
      statuses.set(k, (statuses.get(k) ?? 0) + 1);
    }
    log(`nginx answered: ${[...statuses].sort().map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    const leaked = [...secretsUsed].filter((s) => logs.includes(s) || logs.includes(encodeURIComponent(s)));
    check('nginx\'s logs hold no key and no ticket', socketLines > 0 && leaked.length === 0,
      `${secretsUsed.size} keys and tickets looked for in ${logs.split('\n').length} log lines (${socketLines} socket requests): ${leaked.length} found`);
  } finally {
    await nginx?.stop();
    await procs.stopAll();
    await razorpay.close();
    await dropSchema(schema);
    await dropRedisPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  }
  log(`\n== test:deploy: ${failures.length === 0 ? 'all checks passed' : `${failures.length} FAILED`} in ${Math.round((Date.now() - started) / 1000)} s`);
  for (const f of failures) log(`  - ${f}`);
  return failures.length === 0 ? 0 : 1;
}

export interface OnlineOrder {
  id: number;
  token: string;
  gatewayOrderId: string;
  amount: number;
  theatreId: number;
}

/** A guest orders one item online and starts paying (the fake Razorpay makes the gateway order). */
async function placeOnlineOrder(edge: Edge, t: { id: number; seats: number[]; itemId: number }, n: number): Promise<OnlineOrder> {
  const phone = `+9198${String(10_000_000 + Math.floor(Math.random() * 89_999_999))}`;
  const placed = await edge.retrying('POST', '/api/orders', {
    body: { seatId: t.seats[n % t.seats.length], items: [{ itemId: t.itemId, quantity: 1 }], phone, paymentMethod: 'online' },
    headers: { 'idempotency-key': randomUUID() },
  });
  if (placed.status !== 201) throw new Error(`order refused: ${placed.status} ${placed.text}`);
  const token = placed.body.orderToken as string;
  const id = placed.body.order.id as number;
  const pay = await edge.retrying('POST', `/api/orders/${id}/payments`, { bearer: token });
  if (pay.status !== 201) throw new Error(`payment start refused: ${pay.status} ${pay.text}`);
  return { id, token, gatewayOrderId: pay.body.gatewayOrderId, amount: pay.body.amount, theatreId: t.id };
}

/** The upstream `host:port` port nginx logged for the last request to `path`. */
function upstreamOf(access: string, path: string): number | undefined {
  const line = access.split('\n').filter((l) => l.includes(` ${path} `)).pop();
  const m = /upstream=127\.0\.0\.1:(\d+)/.exec(line ?? '');
  return m ? Number(m[1]) : undefined;
}

async function dropSchema(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}

async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (found.length > 0) await redis.del(...found);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

let code: number;
try {
  code = await main();
} catch (err) {
  console.error(err instanceof Error ? err.stack : err);
  code = 2;
}
process.exit(code);
