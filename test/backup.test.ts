import SqliteDatabase from 'better-sqlite3';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_SEED } from '../src/seed/test-fixture.js';
import { runCli, spawnServer, type SpawnedServer } from './support/spawn-server.js';
import { ROOMY_GUEST_LIMITS } from './support/venue.js';

/**
 * Issue 15, backups: `scan2food backup` copies the SQLite database while the server writes to it;
 * `scan2food restore` refuses a running server, and a restored backup holds every order that was
 * committed before the backup began, each whole (its items and its event).
 */
describe('backup and restore of the SQLite database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scan2food-backup-'));
  const env = { DATA_DIR: dataDir, ...ROOMY_GUEST_LIMITS, AUTH_FAIL_LIMIT: '1000' };
  let server: SpawnedServer | undefined;
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('backs up during writes, refuses to restore under a running server, and restores every committed order', async () => {
    const seedFile = join(dataDir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify({ ...SAMPLE_SEED, theatres: SAMPLE_SEED.theatres.map((t, i) => (i === 0 ? { ...t, orderLimit: 100_000 } : t)) }));
    const seeded = await runCli(['seed', seedFile], env);
    expect(seeded.code).toBe(0);
    const tree = JSON.parse(seeded.stdout) as { theatres: Array<{ halls: Array<{ rows: Array<{ seats: Array<{ id: number }> }> }>; menu: Array<{ items: Array<{ id: number; available: boolean }> }> }> };
    const galaxy = tree.theatres[0]!;
    const seatId = galaxy.halls[0]!.rows[0]!.seats[0]!.id;
    const itemId = galaxy.menu[0]!.items.find((i) => i.available)!.id;

    server = await spawnServer(env);
    const base = `http://127.0.0.1:${server.port}`;
    let phone = 9_700_000_000;
    const place = async () => {
      const r = await fetch(`${base}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seatId, items: [{ itemId, quantity: 1 }], phone: String(phone++), paymentMethod: 'cash' }),
      });
      return r.status === 201 ? ((await r.json()) as { order: { id: number } }).order.id : null;
    };
    const before: number[] = [];
    for (let i = 0; i < 20; i++) before.push((await place())!);
    expect(before.every((id) => typeof id === 'number')).toBe(true);

    // Writers keep placing orders while the backup runs.
    let writing = true;
    const during: number[] = [];
    const writers = Promise.all(
      [0, 1, 2].map(async () => {
        while (writing) {
          const id = await place();
          if (id !== null) during.push(id);
        }
      }),
    );
    const backupFile = join(mkdtempSync(join(tmpdir(), 'scan2food-backup-out-')), 'scan2food-backup.db');
    const backup = await runCli(['backup', backupFile], env);
    writing = false;
    await writers;
    expect(backup.stderr).toBe(`Backing up ${join(dataDir, 'scan2food.db')} to ${backupFile}…\n`);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^Backed up to .* \(mode 0600\): \d+ orders, \d+ events/);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(during.length).toBeGreaterThan(0);
    expect(await runCli(['backup', backupFile], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('already exists') });

    const refused = await runCli(['restore', backupFile], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`pid ${server.child.pid}`);
    expect(refused.stderr).toContain('nothing was changed');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const restored = await runCli(['restore', backupFile], env);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('The database it replaced is kept as');

    const db = new SqliteDatabase(join(dataDir, 'scan2food.db'), { readonly: true });
    try {
      const ids = new Set((db.prepare('SELECT id FROM orders').all() as Array<{ id: number }>).map((r) => r.id));
      for (const id of before) expect(ids.has(id)).toBe(true);
      // Whole orders only: every order in the copy has its items and its order.confirmed event.
      for (const id of ids) {
        expect((db.prepare('SELECT count(*) AS n FROM order_items WHERE order_id = ?').get(id) as { n: number }).n).toBe(1);
        const events = db.prepare(`SELECT data FROM stream_events WHERE type = 'order.confirmed' AND stream LIKE 'theatre:%'`).all() as Array<{ data: string }>;
        expect(events.some((e) => (JSON.parse(e.data) as { order: { id: number } }).order.id === id)).toBe(true);
      }
    } finally {
      db.close();
    }

    // The restored database serves again.
    server = await spawnServer(env);
    const login = await fetch(`http://127.0.0.1:${server.port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: SAMPLE_SEED.theatres[0]!.staff[0]!.username, password: SAMPLE_SEED.theatres[0]!.staff[0]!.password }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const order = await fetch(`http://127.0.0.1:${server.port}/api/orders/${before.at(-1)}`, { headers: { cookie } });
    expect(order.status).toBe(200);
    expect(readFileSync(backupFile).length).toBeGreaterThan(0);
  }, 60_000);

  it('points PostgreSQL users at pg_dump and never prints the password', async () => {
    const r = await runCli(['backup', join(dataDir, 'x.db')], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://scan2food:s3cret-pass@db.internal:5432/scan2food' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pg_dump --format=custom');
    expect(r.stderr).not.toContain('s3cret-pass');
  });
});
