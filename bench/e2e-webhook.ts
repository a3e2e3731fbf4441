// End to end through scan2food as it runs in production: real `scan2food serve` processes
// (one on SQLite, one on PostgreSQL, or three on PostgreSQL + Redis), 1,000 staff of one theatre
// connected with tickets (spread over the processes), then signed payment webhooks sent at a
// FIXED interval (they overlap when the server is slower than the interval, as in a real
// intermission). Measured: webhook sent → `order.confirmed` on every staff socket, the webhook's
// own HTTP answer, and every socket's stream checked for loss, duplicates and order by `seq`.
//
// The orders are placed and their payments started on a first start of the servers, which is
// then stopped: the measured servers are fresh (`/readyz` said ready, staff connected, nothing
// else), so "from the first webhook after a start" is what is measured.
//
//   node --import tsx bench/e2e-webhook.ts --mode sqlite|postgres|cluster [--staff 1000]
//        [--phases 100x60,20x10] [--cpu-prof DIR] [--no-pin]
// prints one JSON line (E2eResult) as its last stdout line.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateSecret } from '../src/keys/keys-file.js';
import { buildWebhook } from '../src/payments/webhook.js';
import { canPin, REPO_ROOT, SERVER_CPU } from './lib/child-process.js';
import { processCpuMicros } from './lib/proc-stats.js';
import { connectRawWs, type RawWs } from './lib/raw-ws-client.js';
import { percentileSorted, sortedCopy } from './lib/stats.js';

const START_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 30_000;
/** After the last webhook, deliveries are awaited until none arrived for this long (late is not lost)... */
const DRAIN_STALL_MS = 15_000;
/** ...and at most this long in all. */
const DRAIN_TIMEOUT_MS = 120_000;
/** After everything expected arrived, listen this long more so late duplicates are counted. */
const QUIET_AFTER_MS = 500;
const PREP_CONCURRENCY = 6;
const TICKET_CONCURRENCY = 20;
/** Webhooks the generator sends to a throwaway server of its own before measuring (warmGenerator). */
const GENERATOR_WARM_UPS = 200;
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export type E2eMode = 'sqlite' | 'postgres' | 'cluster';

export interface E2ePhase {
  intervalMs: number;
  durationS: number;
}

export interface E2eOptions {
  mode: E2eMode;
  staff: number;
  phases: E2ePhase[];
  /** Write a V8 CPU profile of every server process here (--cpu-prof). */
  cpuProfDir?: string;
  pin: boolean;
  databaseUrl?: string;
  redisUrl?: string;
  /** Another checkout to run the servers from (a before/after comparison); default this one. */
  serverRoot?: string;
}

export interface E2ePhaseResult {
  intervalMs: number;
  durationS: number;
  orders: number;
  /** order.confirmed receipts measured (orders × staff when nothing is lost). */
  deliveries: number;
  p50: number;
  p99: number;
  max: number;
  webhookP50: number;
  webhookP99: number;
  webhookMax: number;
  /** The slowest of the first 10 webhook answers after the start (cold-start check). */
  webhookFirst10Max: number;
  /** The first 10 answers themselves (ms). */
  webhookFirst10: number[];
  /**
   * The same answers as the server timed them (Fastify's `responseTime`, from its log): without
   * the generator's own delays — it also reads the 1,000 staff sockets, and an answer that arrives
   * with a fan-out's frames waits for them in its event loop.
   */
  serverAnswerP50: number;
  serverAnswerP99: number;
  serverAnswerFirst10Max: number;
  /** The first 10 of them, in the order the servers completed them (ms). */
  serverAnswerFirst10: number[];
  /** Events missing on a socket (gaps in its seqs, or order.confirmed never received). */
  lost: number;
  /** Events received twice or behind a later one on a socket. */
  duplicated: number;
  /** Webhooks not answered 200. */
  webhookErrors: number;
  /** CPU of every server process over the phase, per order (ms). */
  serverCpuMsPerOrder: number;
  /** How late the sender got behind its own schedule at worst (ms): the generator's own health. */
  maxSendLagMs: number;
}

export interface E2eResult {
  mode: E2eMode;
  staff: number;
  processes: number;
  pinned: boolean;
  phases: E2ePhaseResult[];
  notes: string[];
}

interface Server {
  child: ChildProcess;
  base: string;
  port: number;
  pid: number;
}

let serverRoot = REPO_ROOT;

function startServer(env: Record<string, string>, opts: { cpu?: number; cpuProfDir?: string; logFile?: string }): Promise<Server> {
  const node = [process.execPath, ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []), '--import', 'tsx', join(serverRoot, 'src/cli.ts'), 'serve'];
  const cmd = opts.cpu !== undefined ? ['taskset', '-c', String(opts.cpu), ...node] : node;
  const stdout = opts.logFile ? openSync(opts.logFile, 'w') : 'ignore';
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: serverRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', stdout, 'pipe'] });
  if (typeof stdout === 'number') closeSync(stdout);
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`scan2food did not start:\n${err}`)), START_TIMEOUT_MS);
    const onData = (c: Buffer) => {
      err += c.toString();
      const m = /running at (http:\/\/127\.0\.0\.1:(\d+))/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolve({ child, base: m[1], port: Number(m[2]), pid: child.pid! });
      }
    };
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`scan2food exited with ${code}:\n${err}`));
    });
  });
}

function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
    s.child.removeAllListeners('exit');
    s.child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    s.child.kill('SIGTERM');
  });
}

async function waitReady(base: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const res = await fetch(`${base}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${base}/readyz never answered 200`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function json(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ body: any; cookie: string }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return { body: text ? JSON.parse(text) : null, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '' };
}

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

function runCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', join(serverRoot, 'src/cli.ts'), ...args], { cwd: serverRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`scan2food ${args[0]} failed (${code}): ${err}`))));
  });
}

/** Sends one signed webhook; resolves with the status code, or 0 when the request failed. */
function sendWebhook(port: number, agent: Agent, hook: { rawBody: string; signature: string; eventId: string }): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/payments/webhook', method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId, 'content-length': Buffer.byteLength(hook.rawBody) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(hook.rawBody);
  });
}

/**
 * The generator's own sending path (signing, node:http's client), run against a throwaway server of
 * its own before the first measured webhook: the first answers then time the server after its start,
 * not the generator's own first calls (its first answer ran several ms above the server's own time;
 * how much of that this removes was not measured apart).
 */
async function warmGenerator(secret: string): Promise<void> {
  const sink = createServer((req, res) => req.resume().on('end', () => res.end('{}')));
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const { port } = sink.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true });
  try {
    for (let i = 0; i < GENERATOR_WARM_UPS; i++) {
      const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: `order_warm_${i}`, gatewayPaymentId: `pay_warm_${i}`, amount: 100, secret, eventId: `evt_warm_${i}`, at: new Date() });
      await sendWebhook(port, agent, hook);
    }
  } finally {
    agent.destroy();
    await new Promise((resolve) => sink.close(resolve));
  }
}

/** The clock of V8's CPU profiles (CLOCK_MONOTONIC, µs), so a phase's samples can be picked out. */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

// --- reading a staff socket's frames without building strings -----------------------------

const SEQ = Buffer.from('"seq":');
const ORDER_ID = Buffer.from('"order":{"id":');
const CONFIRMED = Buffer.from('{"type":"order.confirmed"');
const HELLO = Buffer.from('{"type":"hello"');
const SNAPSHOT = Buffer.from('{"type":"snapshot"');

function intAfter(buf: Buffer, marker: Buffer, from = 0): number {
  const at = buf.indexOf(marker, from);
  if (at < 0) return -1;
  let n = 0;
  for (let i = at + marker.length; i < buf.length; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return n;
}
const startsWith = (buf: Buffer, prefix: Buffer) => buf.length >= prefix.length && buf.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;

/** One staff socket: its position in the theatre stream and what it got wrong. */
interface Staff {
  ws?: RawWs;
  ready: boolean;
  lastSeq: number;
  lost: number;
  duplicated: number;
}

export async function runWebhookE2e(opts: E2eOptions): Promise<E2eResult> {
  const notes: string[] = [];
  serverRoot = opts.serverRoot ?? REPO_ROOT;
  const processes = opts.mode === 'cluster' ? 3 : 1;
  const pin = opts.pin && processes === 1 && canPin();
  if (opts.mode === 'cluster') notes.push('three processes unpinned (with PostgreSQL and Redis on the same 2 cores); generator unpinned');
  const dataDir = mkdtempSync(join(tmpdir(), 'scan2food-e2e-'));
  const password = generateSecret();
  const secret = generateSecret();
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const databaseUrl = opts.databaseUrl ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    PAYMENT_WEBHOOK_SECRET: secret,
    LIVE_ORDERS_WS_KEY: generateSecret(),
    PAYMENT_STATUS_WS_KEY: generateSecret(),
    CHAT_WS_KEY: generateSecret(),
    TICKET_SECRET: generateSecret(),
    AUTH_FAIL_LIMIT: '1000000',
    // The benchmark is one client placing orders as fast as it can: the guest limits would stop it.
    ORDERS_PER_PHONE: '1000000',
    ORDERS_PER_ADDRESS: '1000000',
    PAYMENT_STARTS_PER_ADDRESS: '1000000',
    // 1,000 staff of one theatre is the benchmark, not an abuse.
    MAX_SOCKETS_PER_THEATRE: '1000000',
    MAX_TICKET_SOCKETS_PER_ADDRESS: '1000000',
    LOG_LEVEL: 'info',
  };
  if (opts.mode !== 'sqlite') Object.assign(env, { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema });
  if (opts.mode === 'cluster') Object.assign(env, { REDIS_URL: opts.redisUrl ?? process.env.BENCH_REDIS_URL ?? DEFAULT_REDIS_URL, REDIS_PREFIX: `bench:${randomUUID()}:` });

  const seedFile = join(dataDir, 'venue.json');
  writeFileSync(
    seedFile,
    JSON.stringify({
      admins: [],
      theatres: [
        {
          name: 'Bench Cinema',
          cashEnabled: false,
          orderLimit: 100_000,
          halls: [{ name: 'Audi 1', rows: [{ name: 'A', seats: ['A1'] }] }],
          menu: [{ category: 'Snacks', items: [{ name: 'Popcorn', price: 25_000, maxTime: 5, available: true }] }],
          staff: [{ username: 'bench-staff', password }],
        },
      ],
    }),
  );
  let servers: Server[] = [];
  const profileWindows: { label: string; from: number; to: number }[] = [];
  const sockets: Staff[] = [];
  try {
    const seeded = JSON.parse(await runCli(['seed', seedFile], env)) as any;
    const theatre = seeded.theatres[0];
    const seatId: number = theatre.halls[0].rows[0].seats[0].id;
    const itemId: number = theatre.menu[0].items[0].id;

    // 1. Orders placed and payments started on a first start, stopped again.
    const totalOrders = opts.phases.reduce((n, p) => n + Math.round((p.durationS * 1000) / p.intervalMs), 0);
    servers = await Promise.all(Array.from({ length: processes }, () => startServer(env, {})));
    await Promise.all(servers.map((s) => waitReady(s.base)));
    const prepared = await pool(totalOrders, PREP_CONCURRENCY, async (i) => {
      const base = servers[i % processes]!.base;
      const placed = await json(base, '/api/orders', { seatId, items: [{ itemId, quantity: 1 }], phone: '+919876543210', paymentMethod: 'online' });
      const { order, orderToken } = placed.body;
      const payment = (await json(base, `/api/orders/${order.id}/payments`, {}, { authorization: `Bearer ${orderToken}` })).body;
      return { orderId: order.id as number, gatewayOrderId: payment.gatewayOrderId as string, amount: payment.amount as number };
    });
    await Promise.all(servers.map(stopServer));

    // 2. Fresh servers: ready, then the staff connect (spread over the processes), nothing else.
    if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
    const logFiles = Array.from({ length: processes }, (_, i) => join(dataDir, `server-${i}.log`));
    servers = await Promise.all(logFiles.map((logFile) => startServer(env, { cpu: pin ? SERVER_CPU : undefined, cpuProfDir: opts.cpuProfDir, logFile })));
    await Promise.all(servers.map((s) => waitReady(s.base)));
    const { cookie } = await json(servers[0]!.base, '/api/auth/login', { username: 'bench-staff', password });

    const sentAt = new Map<number, number>();
    const confirmed = new Map<number, number[]>();
    let received = 0;
    let onProgress: (() => void) | undefined;
    await pool(opts.staff, TICKET_CONCURRENCY, async (i) => {
      const server = servers[i % processes]!;
      const { body } = await json(server.base, '/api/ws/tickets', { socket: 'live-orders' }, { cookie });
      const staff: Staff = { ready: false, lastSeq: 0, lost: 0, duplicated: 0 };
      sockets.push(staff);
      let readyNow: (() => void) | undefined;
      const ready = new Promise<void>((r) => (readyNow = r));
      const outcome = await connectRawWs(
        { host: '127.0.0.1', port: server.port, path: `/ws/all-seat-datasocket/?ticket=${body.ticket}` },
        {
          message: (data) => {
            if (startsWith(data, HELLO)) {
              staff.lastSeq = intAfter(data, SEQ);
              return;
            }
            if (startsWith(data, SNAPSHOT)) {
              staff.ready = true;
              readyNow?.();
              return;
            }
            const seq = intAfter(data, SEQ);
            if (seq < 0) return; // not a stream event (pong)
            if (seq <= staff.lastSeq) staff.duplicated++;
            else {
              staff.lost += seq - staff.lastSeq - 1;
              staff.lastSeq = seq;
            }
            if (!startsWith(data, CONFIRMED)) return;
            const at = performance.now();
            const id = intAfter(data, ORDER_ID);
            const sent = sentAt.get(id);
            if (sent === undefined) return;
            confirmed.get(id)!.push(at - sent);
            received++;
            onProgress?.();
          },
        },
        20_000,
      );
      if (outcome.kind !== 'open') throw new Error(`staff socket ${i}: ${outcome.kind} ${'status' in outcome ? outcome.status : 'reason' in outcome ? outcome.reason : ''}`);
      staff.ws = outcome.ws;
      await ready;
    });

    // 3. The phases: webhooks at a fixed interval, never waiting for the previous one.
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    await warmGenerator(secret);
    const results: E2ePhaseResult[] = [];
    const phaseWalls: { from: number; to: number }[] = [];
    let next = 0;
    for (const phase of opts.phases) {
      const count = Math.round((phase.durationS * 1000) / phase.intervalMs);
      const batch = prepared.slice(next, next + count);
      next += count;
      const windowFrom = monotonicMicros();
      const wallFrom = Date.now();
      const lostBefore = sockets.reduce((n, s) => n + s.lost, 0);
      const dupBefore = sockets.reduce((n, s) => n + s.duplicated, 0);
      const cpuBefore = servers.reduce((n, s) => n + processCpuMicros(s.pid), 0);
      const answers: number[] = new Array(count).fill(NaN);
      let webhookErrors = 0;
      let maxLag = 0;
      const expected = count * opts.staff;
      const receivedBefore = received;
      const answered: Promise<void>[] = [];
      const t0 = performance.now() + 20;
      for (let i = 0; i < count; i++) {
        const due = t0 + i * phase.intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        maxLag = Math.max(maxLag, performance.now() - due);
        const p = batch[i]!;
        const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: p.gatewayOrderId, gatewayPaymentId: `pay_${p.orderId}`, amount: p.amount, secret, eventId: `evt_bench_${p.orderId}`, at: new Date() });
        confirmed.set(p.orderId, []);
        const server = servers[i % processes]!;
        const start = performance.now();
        sentAt.set(p.orderId, start);
        answered.push(
          sendWebhook(server.port, agent, hook).then((status) => {
            answers[i] = performance.now() - start;
            if (status !== 200) webhookErrors++;
          }),
        );
      }
      await Promise.all(answered);
      phaseWalls.push({ from: wallFrom, to: Date.now() });
      // Every order.confirmed on every socket, then a quiet moment for late duplicates.
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      let lastCount = received;
      let lastProgress = Date.now();
      while (received - receivedBefore < expected && Date.now() < deadline && Date.now() - lastProgress < DRAIN_STALL_MS) {
        if (received !== lastCount) (lastCount = received), (lastProgress = Date.now());
        await new Promise<void>((r) => {
          const t = setTimeout(r, 50);
          onProgress = () => {
            if (received - receivedBefore >= expected) {
              clearTimeout(t);
              r();
            }
          };
        });
      }
      onProgress = undefined;
      await new Promise((r) => setTimeout(r, QUIET_AFTER_MS));
      const cpuAfter = servers.reduce((n, s) => n + processCpuMicros(s.pid), 0);
      if (opts.cpuProfDir) profileWindows.push({ label: `${opts.mode}-${phase.intervalMs}ms`, from: windowFrom, to: monotonicMicros() });
      const latencies: number[] = [];
      let missingConfirmed = 0;
      for (const p of batch) {
        const got = confirmed.get(p.orderId) ?? [];
        latencies.push(...got);
        missingConfirmed += Math.max(0, opts.staff - got.length);
      }
      const sorted = sortedCopy(latencies);
      const answersSorted = sortedCopy(answers);
      const gaps = sockets.reduce((n, s) => n + s.lost, 0) - lostBefore;
      results.push({
        intervalMs: phase.intervalMs,
        durationS: phase.durationS,
        orders: count,
        deliveries: latencies.length,
        p50: percentileSorted(sorted, 50),
        p99: percentileSorted(sorted, 99),
        max: sorted[sorted.length - 1] ?? NaN,
        webhookP50: percentileSorted(answersSorted, 50),
        webhookP99: percentileSorted(answersSorted, 99),
        webhookMax: answersSorted[answersSorted.length - 1] ?? NaN,
        webhookFirst10Max: Math.max(...answers.slice(0, 10)),
        webhookFirst10: answers.slice(0, 10).map((a) => Math.round(a * 10) / 10),
        serverAnswerP50: NaN,
        serverAnswerP99: NaN,
        serverAnswerFirst10Max: NaN,
        serverAnswerFirst10: [],
        lost: Math.max(gaps, missingConfirmed),
        duplicated: sockets.reduce((n, s) => n + s.duplicated, 0) - dupBefore,
        webhookErrors,
        serverCpuMsPerOrder: (cpuAfter - cpuBefore) / 1000 / count,
        maxSendLagMs: maxLag,
      });
    }
    agent.destroy();
    // The servers flush their logs as they stop.
    await Promise.all(servers.map(stopServer));
    const served = serverWebhookTimes(logFiles);
    results.forEach((r, i) => {
      const { from, to } = phaseWalls[i]!;
      // A server logs an answer before the generator reads it, so the phase's own window holds them all
      // (a margin past `to` would take in the next phase's first answers).
      const inPhase = served.filter((w) => w.at >= from && w.at <= to).map((w) => w.ms);
      const sortedServed = sortedCopy(inPhase);
      r.serverAnswerP50 = percentileSorted(sortedServed, 50);
      r.serverAnswerP99 = percentileSorted(sortedServed, 99);
      r.serverAnswerFirst10Max = Math.max(...inPhase.slice(0, 10));
      r.serverAnswerFirst10 = inPhase.slice(0, 10).map((a) => Math.round(a * 10) / 10);
    });
    if (opts.cpuProfDir) writeFileSync(join(opts.cpuProfDir, 'windows.json'), JSON.stringify(profileWindows));
    return { mode: opts.mode, staff: opts.staff, processes, pinned: pin, phases: results, notes };
  } finally {
    for (const s of sockets) s.ws?.destroy();
    await Promise.all(servers.map(stopServer));
    if (opts.mode !== 'sqlite') {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect().then(
        () => client.query(`drop schema if exists ${schema} cascade`).finally(() => client.end()),
        () => undefined,
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Every webhook's answer time as its server logged it (Fastify's `request completed` line of a
 * request that logged `payment_webhook`), in the order they were completed across processes.
 */
function serverWebhookTimes(logFiles: string[]): { at: number; ms: number }[] {
  const out: { at: number; ms: number }[] = [];
  for (const file of logFiles) {
    const completed = new Map<string, { at: number; ms: number }>();
    const webhooks = new Set<string>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"reqId"')) continue;
      const entry = JSON.parse(line) as { reqId: string; time: number; msg?: string; event?: string; responseTime?: number };
      if (entry.event === 'payment_webhook') webhooks.add(entry.reqId);
      else if (entry.msg === 'request completed' && entry.responseTime !== undefined) completed.set(entry.reqId, { at: entry.time, ms: entry.responseTime });
    }
    for (const id of webhooks) {
      const c = completed.get(id);
      if (c) out.push(c);
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

export function parsePhases(spec: string): E2ePhase[] {
  return spec.split(',').map((p) => {
    const m = /^(\d+)x(\d+)$/.exec(p.trim());
    if (!m) throw new Error(`a phase is <interval ms>x<seconds>, e.g. 100x60; got "${p}"`);
    return { intervalMs: Number(m[1]), durationS: Number(m[2]) };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'sqlite' },
      staff: { type: 'string', default: '1000' },
      phases: { type: 'string', default: '100x60,20x10' },
      'cpu-prof': { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      'server-root': { type: 'string' },
    },
  });
  const mode = values.mode as E2eMode;
  if (!['sqlite', 'postgres', 'cluster'].includes(mode)) throw new Error(`--mode sqlite|postgres|cluster, got ${mode}`);
  const r = await runWebhookE2e({ mode, staff: Number(values.staff), phases: parsePhases(values.phases!), cpuProfDir: values['cpu-prof'], pin: !values['no-pin'], serverRoot: values['server-root'] });
  for (const p of r.phases) {
    process.stderr.write(
      `[e2e ${r.mode}] every ${p.intervalMs} ms for ${p.durationS} s → ${r.staff} staff: p50 ${p.p50.toFixed(1)} p99 ${p.p99.toFixed(1)} max ${p.max.toFixed(1)} ms; ` +
        `webhook answer p50 ${p.webhookP50.toFixed(1)} p99 ${p.webhookP99.toFixed(1)} first 10: ${p.webhookFirst10.join(', ')} ms ` +
        `(server side p50 ${p.serverAnswerP50.toFixed(1)} p99 ${p.serverAnswerP99.toFixed(1)} first 10: ${p.serverAnswerFirst10.join(', ')} ms); lost ${p.lost}, duplicated ${p.duplicated}, webhook errors ${p.webhookErrors}; ` +
        `server CPU ${p.serverCpuMsPerOrder.toFixed(2)} ms/order; send lag ≤ ${p.maxSendLagMs.toFixed(1)} ms\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}
