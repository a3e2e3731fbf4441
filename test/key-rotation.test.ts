import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeKeysFile } from '../src/keys/keys-file.js';
import { freshKeys } from './support/test-app.js';
import { connectOpen, connectRefused } from './support/ws-client.js';
import { runCli, spawnServer } from './support/spawn-server.js';

const keyList = (file: string, name: string) => (new RegExp(`^${name}=(.*)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1] ?? '').split(',');

describe('live key rotation', () => {
  it('rotate keeps old and new valid; retire closes old-key connections with 4001 and refuses the old key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scan2food-rot-'));
    const file = join(dataDir, 'keys.env');
    const keys = freshKeys();
    writeKeysFile(file, { LIVE_ORDERS_WS_KEY: keys.liveOrders, PAYMENT_STATUS_WS_KEY: keys.payment, CHAT_WS_KEY: keys.chat });
    const server = await spawnServer({ DATA_DIR: dataDir });
    const url = (k: string) => `ws://127.0.0.1:${server.port}/ws/all-seat-datasocket/?key=${k}`;
    try {
      const old = await connectOpen(url(keys.liveOrders));
      await old.next('hello');

      const rotated = await runCli(['keys', 'rotate', 'live-orders'], { DATA_DIR: dataDir });
      expect(rotated.code).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const [fresh, previous] = keyList(file, 'LIVE_ORDERS_WS_KEY');
      expect(previous).toBe(keys.liveOrders);
      expect(rotated.stdout).not.toContain(fresh);

      // The server picks the file change up by itself; SIGHUP makes it immediate.
      server.child.kill('SIGHUP');
      const deadline = Date.now() + 3000;
      let withNew = await connectRefused(url(fresh as string)).catch(() => null);
      while (withNew && Date.now() < deadline) withNew = await connectRefused(url(fresh as string)).catch(() => null);
      const viaNew = await connectOpen(url(fresh as string));
      const viaOld = await connectOpen(url(keys.liveOrders));
      await viaNew.next('hello');
      await viaOld.next('hello');
      viaOld.close();

      const chatConn = await connectOpen(`ws://127.0.0.1:${server.port}/ws/chat-socket/?key=${keys.chat}`);
      await chatConn.next('hello');

      expect((await runCli(['keys', 'retire', 'live-orders'], { DATA_DIR: dataDir })).code).toBe(0);
      // Measured from the moment the keys file holds the change (the CLI has exited).
      const retiredAt = Date.now();
      expect(keyList(file, 'LIVE_ORDERS_WS_KEY')).toEqual([fresh]);
      expect((await old.waitClose(2000)).code).toBe(4001);
      expect(Date.now() - retiredAt).toBeLessThan(1500);
      expect((await connectRefused(url(keys.liveOrders))).status).toBe(401);
      expect(viaNew.closed).toBeNull();
      expect(chatConn.closed).toBeNull();
      viaNew.close();
      chatConn.close();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('keys generate prints three socket keys and the signing secrets, 43 base64url characters each', async () => {
    const r = await runCli(['keys', 'generate'], {});
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split('=')[0])).toEqual(['LIVE_ORDERS_WS_KEY', 'PAYMENT_STATUS_WS_KEY', 'CHAT_WS_KEY', 'TICKET_SECRET', 'PAYMENT_WEBHOOK_SECRET']);
    for (const l of lines) expect(l.split('=')[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('keys commands on a damaged keys file', () => {
  it('rotate and retire refuse a keys file with bad lines, name the lines (never their content) and change nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scan2food-rot-bad-'));
    const file = join(dataDir, 'keys.env');
    const keys = freshKeys();
    const damaged = `LIVE_ORDERS_WS_KEY=${keys.liveOrders}\nCHAT_WS_KEY=${keys.chat}\u0000\nhalf a line\n`;
    writeFileSync(file, damaged, { mode: 0o600 });
    for (const action of ['rotate', 'retire']) {
      const r = await runCli(['keys', action, 'live-orders'], { DATA_DIR: dataDir });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/line 2: .*; line 3: not a NAME=value line/);
      expect(r.stdout).toContain('Nothing was changed');
      expect(r.stdout + r.stderr).not.toContain(keys.chat);
      expect(readFileSync(file, 'utf8')).toBe(damaged);
    }
  });

  it('a failing command says what went wrong in one line, without a stack', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scan2food-cli-'));
    const input = join(dataDir, 'seed.json');
    writeFileSync(input, '{"theatres":[]}');
    // A database that does not answer: the error comes from deep inside pg.
    const r = await runCli(['seed', input], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://127.0.0.1:1/nowhere' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^scan2food: .*ECONNREFUSED/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
