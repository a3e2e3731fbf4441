import SqliteDatabase from 'better-sqlite3';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/keys/keys-file.js';
import { runCli, spawnServer, type SpawnedServer } from './support/spawn-server.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'scan2food-prod-'));

/** Everything production needs, every value generated for this run. */
function productionEnv(dataDir: string, razorpayApiBase?: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    LIVE_ORDERS_WS_KEY: generateSecret(),
    PAYMENT_STATUS_WS_KEY: generateSecret(),
    CHAT_WS_KEY: generateSecret(),
    TICKET_SECRET: generateSecret(),
    PAYMENT_WEBHOOK_SECRET: generateSecret(),
    ...(razorpayApiBase ? { RAZORPAY_KEY_ID: `rzp_test_${generateSecret().slice(0, 14)}`, RAZORPAY_KEY_SECRET: generateSecret(), RAZORPAY_API_BASE: razorpayApiBase } : {}),
  };
}

/** A fake Razorpay Orders API on 127.0.0.1: enough for a payment to start. */
async function fakeRazorpay(): Promise<{ server: Server; base: string }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/orders') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ id: `order_Fake${++n}`, entity: 'order', status: 'created', currency: 'INR' }));
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

const STACK_LINE = /^\s+at /m;

describe('production start', () => {
  it('refuses to start without a real gateway, naming RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET, with no stack', async () => {
    const dataDir = tmp();
    const r = await runCli(['serve'], { ...productionEnv(dataDir), PORT: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RAZORPAY_KEY_ID');
    expect(r.stderr).toContain('RAZORPAY_KEY_SECRET');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(join(dataDir, 'scan2food.db'))).toBe(false);
  });

  describe('with Razorpay configured, on an empty database', () => {
    let razorpay: { server: Server; base: string };
    let server: SpawnedServer;
    let env: Record<string, string>;
    let dataDir: string;
    const http = (path: string) => `http://127.0.0.1:${server.port}${path}`;

    beforeAll(async () => {
      razorpay = await fakeRazorpay();
      dataDir = tmp();
      env = productionEnv(dataDir, razorpay.base);
      // Production migrates on purpose: an empty database is refused until `scan2food migrate` ran.
      const refused = await runCli(['serve'], { ...env, PORT: '0' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('run `scan2food migrate`');
      expect(refused.stderr).not.toMatch(STACK_LINE);
      expect((await runCli(['migrate'], env)).code).toBe(0);
      server = await spawnServer(env);
    });
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
      razorpay?.server.close();
    });

    it('creates no demo theatre or account and prints no password', () => {
      const out = server.stdout() + server.stderr();
      expect(out).not.toMatch(/password|login:/i);
      const db = new SqliteDatabase(join(dataDir, 'scan2food.db'), { readonly: true });
      try {
        expect(db.prepare('select count(*) as n from accounts').get()).toEqual({ n: 0 });
        expect(db.prepare('select count(*) as n from theatres').get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
    });

    it('keeps the SQLite database files private (0600)', () => {
      for (const name of ['scan2food.db', 'scan2food.db-wal', 'scan2food.db-shm']) {
        const file = join(dataDir, name);
        if (name === 'scan2food.db') expect(existsSync(file)).toBe(true);
        if (existsSync(file)) expect({ name, mode: statSync(file).mode & 0o777 }).toEqual({ name, mode: 0o600 });
      }
    });

    it('has no /pay/sim at all; the Razorpay page opens only by its link, under a CSP that allows Razorpay Checkout; nosniff everywhere', async () => {
      const password = generateSecret();
      const seedFile = join(tmp(), 'seed.json');
      writeFileSync(
        seedFile,
        JSON.stringify({
          admins: [],
          theatres: [
            {
              name: 'Prod Cinema',
              cashEnabled: false,
              orderLimit: 10,
              // Per theatre (SPEC §6 Gateways): without it the theatre would use `simulated`, which production lacks.
              gateway: 'razorpay',
              halls: [{ name: 'Audi 1', rows: [{ name: 'A', seats: ['A1'] }] }],
              menu: [{ category: 'Snacks', items: [{ name: 'Popcorn', price: 25000, maxTime: 5, available: true }] }],
              staff: [{ username: 'prod-staff', password }],
            },
          ],
        }),
      );
      const seeded = await runCli(['seed', seedFile], env);
      expect(seeded.code).toBe(0);
      const tree = JSON.parse(seeded.stdout);
      const theatre = tree.theatres[0];
      const seatId = theatre.halls[0].rows[0].seats[0].id as number;
      const itemId = theatre.menu[0].items[0].id as number;

      const placed = await fetch(http('/api/orders'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seatId, items: [{ itemId, quantity: 1 }], phone: '+919876543210', paymentMethod: 'online' }),
      });
      expect(placed.status).toBe(201);
      expect(placed.headers.get('x-content-type-options')).toBe('nosniff');
      const { order, orderToken } = (await placed.json()) as { order: { id: number }; orderToken: string };
      const started = await fetch(http(`/api/orders/${order.id}/payments`), { method: 'POST', headers: { authorization: `Bearer ${orderToken}` } });
      expect(started.status).toBe(201);
      const payment = (await started.json()) as { paymentId: number; gateway: string; checkoutUrl: string };
      expect(payment.gateway).toBe('razorpay');
      expect(payment.checkoutUrl).toMatch(new RegExp(`^/pay/razorpay/${payment.paymentId}/[A-Za-z0-9_-]{43}$`));

      for (const path of [`/pay/sim/${payment.paymentId}`, payment.checkoutUrl.replace('/razorpay/', '/sim/'), `/pay/razorpay/${payment.paymentId}`, `${payment.checkoutUrl.slice(0, -1)}${payment.checkoutUrl.endsWith('A') ? 'B' : 'A'}`]) {
        const res = await fetch(http(path));
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      }
      const sim = await fetch(http(payment.checkoutUrl.replace('/razorpay/', '/sim/')), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"pay"}' });
      expect(sim.status).toBe(404);

      const page = await fetch(http(payment.checkoutUrl));
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self' https://checkout.razorpay.com;");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await page.text();
      expect(html).toContain('<script src="https://checkout.razorpay.com/v1/checkout.js"></script>');
      expect(html).not.toMatch(/<script>|<script(?![^>]*\ssrc=)[^>]*>/);
      expect(html).toContain('order_Fake');
      const script = await fetch(http('/pay/assets/razorpay-checkout.js'));
      expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(await script.text()).toContain('new Razorpay(options).open()');
      // The unpaid order stays unpaid: nothing anonymous confirmed it.
      const after = await fetch(http(`/api/orders/${order.id}`), { headers: { authorization: `Bearer ${orderToken}` } });
      expect(((await after.json()) as { order: { paymentStatus: string } }).order.paymentStatus).not.toBe('success');
    });

    it('sets the session cookie Secure even over plain HTTP with no proxy', async () => {
      const password = generateSecret();
      const seedFile = join(tmp(), 'seed.json');
      writeFileSync(seedFile, JSON.stringify({ admins: [{ username: 'prod-admin', password }], theatres: [] }));
      expect((await runCli(['seed', seedFile], env)).code).toBe(0);
      const res = await fetch(http('/api/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'prod-admin', password }) });
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^s2f_session=/);
      expect(cookie).toMatch(/;\s*Secure(;|$)/i);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });
});
