// End to end through scan2food as it runs in production: the real `scan2food serve` process
// (pinned to the server core when taskset exists), 1,000 staff of one theatre connected with
// tickets, then orders paid one after another by a signed payment webhook. Measured: from the
// moment the webhook is sent to `order.confirmed` arriving on each staff socket.
//   node --import tsx bench/e2e-webhook.ts [--staff 1000] [--orders 20]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { generateSecret } from '../src/keys/keys-file.js';
import { buildWebhook } from '../src/payments/webhook.js';
import { canPin, REPO_ROOT, SERVER_CPU } from './lib/child-process.js';
import { percentileSorted, sortedCopy } from './lib/stats.js';

const START_TIMEOUT_MS = 30_000;
const DELIVERY_TIMEOUT_MS = 10_000;
const GAP_BETWEEN_ORDERS_MS = 200;
const TICKET_CONCURRENCY = 20;

export interface WebhookE2eResult {
  staff: number;
  orders: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
}

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const argv = [process.execPath, join(REPO_ROOT, 'bin/scan2food.js'), 'serve'];
  const cmd = canPin() ? ['taskset', '-c', String(SERVER_CPU), ...argv] : argv;
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`scan2food did not start:\n${err}`)), START_TIMEOUT_MS);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, base: m[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`scan2food exited with ${code}:\n${err}`)));
  });
}

async function json(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return { body: text ? JSON.parse(text) : null, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '' };
}

export async function runWebhookE2e(opts: { staff: number; orders: number }): Promise<WebhookE2eResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'scan2food-e2e-'));
  const password = generateSecret();
  const secret = generateSecret();
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
  const env = {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    PAYMENT_WEBHOOK_SECRET: secret,
    AUTH_FAIL_LIMIT: '1000000',
    // The benchmark is one client placing orders as fast as it can: the guest limits would stop it.
    ORDERS_PER_PHONE: '1000000',
    ORDERS_PER_ADDRESS: '1000000',
    PAYMENT_STARTS_PER_ADDRESS: '1000000',
    LOG_LEVEL: 'info',
  };
  const seeded = await new Promise<any>((resolve, reject) => {
    const c = spawn(process.execPath, [join(REPO_ROOT, 'bin/scan2food.js'), 'seed', seedFile], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`seed failed: ${code}`))));
  });
  const theatre = seeded.theatres[0];
  const seatId: number = theatre.halls[0].rows[0].seats[0].id;
  const itemId: number = theatre.menu[0].items[0].id;

  const { child, base } = await startServer(env);
  const sockets: WebSocket[] = [];
  try {
    const { cookie } = await json(base, '/api/auth/login', { username: 'bench-staff', password });
    const arrivals = new Map<number, number[]>();
    let sentAt = 0;
    let connected = 0;
    await new Promise<void>((resolve, reject) => {
      let started = 0;
      const next = () => {
        if (started >= opts.staff) return;
        started++;
        json(base, '/api/ws/tickets', { socket: 'live-orders' }, { cookie }).then(({ body }) => {
          const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/all-seat-datasocket/?ticket=${body.ticket}`);
          sockets.push(ws);
          ws.on('message', (data) => {
            const text = data.toString();
            if (text.startsWith('{"type":"snapshot"')) {
              if (++connected === opts.staff) resolve();
              else next();
              return;
            }
            if (!text.startsWith('{"type":"order.confirmed"')) return;
            const at = performance.now();
            const id = (JSON.parse(text) as { data: { order: { id: number } } }).data.order.id;
            (arrivals.get(id) ?? arrivals.set(id, []).get(id)!).push(at - sentAt);
          });
          ws.on('error', reject);
        }, reject);
      };
      for (let i = 0; i < TICKET_CONCURRENCY; i++) next();
    });

    const latencies: number[] = [];
    let lost = 0;
    for (let i = 0; i < opts.orders; i++) {
      const placed = await json(base, '/api/orders', { seatId, items: [{ itemId, quantity: 1 }], phone: '+919876543210', paymentMethod: 'online' });
      const { order, orderToken } = placed.body;
      const payment = (await json(base, `/api/orders/${order.id}/payments`, {}, { authorization: `Bearer ${orderToken}` })).body;
      const hook = buildWebhook({ event: 'payment.captured', gatewayOrderId: payment.gatewayOrderId, gatewayPaymentId: `pay_${i}`, amount: payment.amount, secret, eventId: `evt_bench_${i}`, at: new Date() });
      arrivals.set(order.id, []);
      sentAt = performance.now();
      await fetch(`${base}/api/payments/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-razorpay-signature': hook.signature, 'x-razorpay-event-id': hook.eventId },
        body: hook.rawBody,
      });
      const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
      while ((arrivals.get(order.id)?.length ?? 0) < opts.staff && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const got = arrivals.get(order.id) ?? [];
      latencies.push(...got);
      lost += opts.staff - got.length;
      await new Promise((r) => setTimeout(r, GAP_BETWEEN_ORDERS_MS));
    }
    const sorted = sortedCopy(latencies);
    return { staff: opts.staff, orders: opts.orders, p50: percentileSorted(sorted, 50), p99: percentileSorted(sorted, 99), max: sorted[sorted.length - 1] ?? NaN, lost };
  } finally {
    for (const ws of sockets) ws.terminate();
    child.kill('SIGTERM');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { staff: { type: 'string', default: '1000' }, orders: { type: 'string', default: '20' } } });
  const r = await runWebhookE2e({ staff: Number(values.staff), orders: Number(values.orders) });
  process.stdout.write(
    `signed payment webhook → order.confirmed on ${r.staff} staff sockets, ${r.orders} orders: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, lost ${r.lost}\n`,
  );
  process.exit(0);
}
