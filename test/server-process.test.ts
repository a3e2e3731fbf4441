import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshKeys } from './support/test-app.js';
import { connectOpen, connectRefused } from './support/ws-client.js';
import { generateSecret } from '../src/keys/keys-file.js';
import { CLI, runCli, spawnServer } from './support/spawn-server.js';

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

  it('outside production says loudly that a corrupt keys file was kept aside, and starts', async () => {
    const dataDir = tmp();
    const kept = generateSecret();
    const original = `CHAT_WS_KEY=${kept}\nTICKET_SECRET=${generateSecret()}\u0000\n`;
    writeFileSync(join(dataDir, 'keys.env'), original, { mode: 0o600 });
    const server = await spawnServer({ DATA_DIR: dataDir });
    try {
      const aside = readdirSync(dataDir).filter((f) => f.startsWith('keys.env.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(dataDir, aside[0]!), 'utf8')).toBe(original);
      expect(server.stderr()).toMatch(/WARNING: the keys file .*keys\.env was corrupt \(line 2: /);
      expect(server.stderr()).toContain(`kept it as ${join(dataDir, aside[0]!)}`);
      expect(server.stdout()).toMatch(/"event":"config_warning".*was corrupt/);
      expect(readFileSync(join(dataDir, 'keys.env'), 'utf8')).toContain(`CHAT_WS_KEY=${kept}\n`);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  describe('start-up problems get one clear line, no stack, and a non-zero exit', () => {
    const STACK_LINE = /^\s+at /m;
    const expectClear = (r: { code: number | null; stderr: string }, message: RegExp) => {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(STACK_LINE);
      // One line for the problem, beside at most the two header lines of a configuration error.
      const lines = r.stderr.trim().split('\n');
      expect(lines.filter((l) => l !== 'scan2food: cannot start.' && l !== 'Invalid configuration:')).toEqual([expect.stringMatching(message)]);
    };

    it('the keys file is a folder', async () => {
      const dataDir = tmp();
      mkdirSync(join(dataDir, 'keys.env'));
      expectClear(await runCli(['serve'], { DATA_DIR: dataDir, PORT: '0' }), /keys file .*keys\.env is a folder, not a file: remove it or point KEYS_FILE at a file/);
    });

    it('the data folder is a file', async () => {
      const file = join(tmp(), 'data');
      writeFileSync(file, '');
      expectClear(await runCli(['serve'], { DATA_DIR: file, PORT: '0' }), /DATA_DIR .*data is a file, not a folder: remove it or set DATA_DIR to a folder/);
    });

    it('the data folder cannot be written by the user the server runs as', async () => {
      const parent = tmp();
      chmodSync(parent, 0o755);
      const dataDir = join(parent, 'data');
      mkdirSync(dataDir, { mode: 0o755 });
      // As root (which may write anywhere) the server runs as nobody, as a service would; otherwise the folder is made read-only.
      const asRoot = process.getuid?.() === 0;
      if (!asRoot) chmodSync(dataDir, 0o555);
      const child = spawn(process.execPath, [CLI, 'serve'], {
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expectClear({ code, stderr }, new RegExp(`DATA_DIR ${dataDir} cannot be written \\(${dataDir} is not writable by this user\\): fix its owner or permissions`));
    });

    it('the port is taken', async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as { port: number }).port;
      try {
        expectClear(await runCli(['serve'], { DATA_DIR: tmp(), HOST: '127.0.0.1', PORT: String(port) }), new RegExp(`cannot start: port ${port} on 127\\.0\\.0\\.1 is already in use: stop the other process or set PORT`));
      } finally {
        blocker.close();
      }
    });
  });
});
