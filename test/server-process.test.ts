import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshKeys } from './support/test-app.js';
import { connectOpen, connectRefused } from './support/ws-client.js';
import { runCli, spawnServer } from './support/spawn-server.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'scan2food-proc-'));

describe('the server process', () => {
  it('generates missing keys once into DATA_DIR/keys.env (0600), prints where, never the values', async () => {
    const dataDir = tmp();
    const server = await spawnServer({ DATA_DIR: dataDir });
    try {
      const file = join(dataDir, 'keys.env');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const values = readFileSync(file, 'utf8');
      const key = /LIVE_ORDERS_WS_KEY=(\S+)/.exec(values)?.[1] ?? '';
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(server.stderr()).toContain(file);
      const s = await connectOpen(`ws://127.0.0.1:${server.port}/ws/all-seat-datasocket/?key=${key}`);
      await s.next('hello');
      s.close();
      for (const value of values.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=')[1] ?? '')) {
        expect(server.stdout() + server.stderr()).not.toContain(value);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('on SIGTERM closes every socket with 1001 and exits 0', async () => {
    const keys = freshKeys();
    const server = await spawnServer({ DATA_DIR: tmp(), LIVE_ORDERS_WS_KEY: keys.liveOrders, CHAT_WS_KEY: keys.chat, PAYMENT_STATUS_WS_KEY: keys.payment });
    const a = await connectOpen(`ws://127.0.0.1:${server.port}/ws/all-seat-datasocket/?key=${keys.liveOrders}`);
    const b = await connectOpen(`ws://127.0.0.1:${server.port}/ws/chat-socket/`, { headers: { Authorization: `Bearer ${keys.chat}` } });
    await a.next('hello');
    await b.next('hello');
    server.child.kill('SIGTERM');
    expect((await a.waitClose(5000)).code).toBe(1001);
    expect((await b.waitClose(5000)).code).toBe(1001);
    expect(await server.exited).toBe(0);
  });

  it('never writes a key or ticket into any log line', async () => {
    const keys = freshKeys();
    const server = await spawnServer({ DATA_DIR: tmp(), LOG_LEVEL: 'trace', LIVE_ORDERS_WS_KEY: keys.liveOrders, CHAT_WS_KEY: keys.chat, PAYMENT_STATUS_WS_KEY: keys.payment });
    try {
      const base = `ws://127.0.0.1:${server.port}`;
      const s = await connectOpen(`${base}/ws/all-seat-datasocket/?key=${keys.liveOrders}&since=0`);
      await s.next('hello');
      s.close();
      await connectRefused(`${base}/ws/chat-socket/?key=${keys.liveOrders}`);
      await connectRefused(`${base}/ws/payment-socket/1/?key=${keys.payment}`);
      await connectRefused(`${base}/ws/chat-socket/`, { headers: { Authorization: `Bearer ${keys.payment}` } });
      await fetch(`http://127.0.0.1:${server.port}/healthz?key=${keys.chat}&ticket=${keys.payment}`);
      await s.waitClose();
      const out = server.stdout();
      expect(out).toContain('"event":"ws_upgrade"');
      expect(out).toContain('[redacted]');
      for (const key of Object.values(keys)) expect(out + server.stderr()).not.toContain(key);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('refuses to start in production without keys, naming each missing variable', async () => {
    const r = await runCli(['serve'], { NODE_ENV: 'production', DATA_DIR: tmp(), PORT: '0' });
    expect(r.code).toBe(1);
    for (const name of ['LIVE_ORDERS_WS_KEY', 'PAYMENT_STATUS_WS_KEY', 'CHAT_WS_KEY', 'TICKET_SECRET', 'PAYMENT_WEBHOOK_SECRET']) {
      expect(r.stderr).toContain(name);
    }
  });

  it('refuses to start in production with a key shorter than 43 base64url characters', async () => {
    const keys = freshKeys();
    const r = await runCli(['serve'], {
      NODE_ENV: 'production',
      DATA_DIR: tmp(),
      PORT: '0',
      LIVE_ORDERS_WS_KEY: keys.liveOrders,
      PAYMENT_STATUS_WS_KEY: keys.payment.slice(0, 42),
      CHAT_WS_KEY: keys.chat,
      TICKET_SECRET: freshKeys().chat,
      PAYMENT_WEBHOOK_SECRET: freshKeys().chat,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PAYMENT_STATUS_WS_KEY');
    expect(r.stderr).not.toContain('LIVE_ORDERS_WS_KEY');
    expect(r.stderr).not.toContain(keys.payment.slice(0, 42));
  });
});
