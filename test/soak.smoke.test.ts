// Smoke test of `npm run soak`: a 20-second run with one process on PostgreSQL and Redis must
// drive every part of the workload, check it, print its summary and write its figures. Whether
// the service has violations is the soak's verdict, not this test's: it asserts the tool works
// (exit 0 or 1, never a crash) and that the checks that prove delivery ran on real traffic.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requirePostgresUrl, requireRedisUrl } from './support/services.js';

const databaseUrl = await requirePostgresUrl();
const redisUrl = await requireRedisUrl();

if (databaseUrl && redisUrl) {
  describe('npm run soak (20 s, one process)', () => {
    it('runs orders, payments, chat and reconnects, checks them, and reports figures', async () => {
      const json = join(mkdtempSync(join(tmpdir(), 'scan2food-soak-smoke-')), 'soak.json');
      const child = spawn(process.execPath, ['--import', 'tsx', 'soak/run.ts', '--minutes', '0.33', '--processes', '1', '--json', json], {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, REDIS_URL: redisUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect([0, 1], out.slice(-3000)).toContain(code);
      expect(out).toMatch(/\[10s\] orders \d+/);
      expect(out).toContain('== soak summary');
      const figures = JSON.parse(readFileSync(json, 'utf8'));
      expect(figures.orders).toBeGreaterThan(10);
      expect(figures.storedEvents).toBeGreaterThan(figures.orders);
      expect(figures.followerEvents).toBeGreaterThan(0);
      expect(figures.reconnects).toBeGreaterThan(0);
      expect(figures.memory).toHaveLength(1);
      expect(figures.memory[0].samples).toBeGreaterThan(0);
      expect(figures.storeSizes).toMatchObject({ idempotency_keys: expect.any(Number), webhook_events: expect.any(Number) });
      // The soak's own machinery held up: its flows never crashed and every follower connected.
      expect(Object.keys(figures.violationKinds)).not.toContain('soak flow crashed');
      expect(Object.keys(figures.violationKinds)).not.toContain('follower never connected');
      expect(figures.violations).toBe(Object.values(figures.violationKinds as Record<string, { count: number }>).reduce((n, k) => n + k.count, 0));
    }, 90_000);
  });
}
