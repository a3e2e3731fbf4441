import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, it } from 'vitest';

/**
 * The Redis URL for tests that need one. Without REDIS_URL the suite is skipped locally; when CI
 * is set an unreachable Redis is a failure, never a skip.
 */
export async function requireRedisUrl(): Promise<string | undefined> {
  const url = process.env.REDIS_URL;
  if (!url) {
    if (process.env.CI) {
      describe('Redis', () => it('REDIS_URL must be set in CI', () => { throw new Error('REDIS_URL is not set'); }));
    } else {
      describe.skip('Redis (set REDIS_URL to run)', () => it('skipped', () => undefined));
    }
    return undefined;
  }
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  try {
    await probe.connect();
    await probe.ping();
    return url;
  } catch (err) {
    describe('Redis', () => it(`Redis at ${url} must be reachable`, () => { throw err; }));
    return undefined;
  } finally {
    probe.disconnect();
  }
}

/**
 * The PostgreSQL URL for tests that need PostgreSQL itself (several processes on one database).
 * Skipped locally without DATABASE_URL; when CI is set, missing or unreachable is a failure.
 */
export async function requirePostgresUrl(): Promise<string | undefined> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    if (process.env.CI) {
      describe('PostgreSQL', () => it('DATABASE_URL must be set in CI', () => { throw new Error('DATABASE_URL is not set'); }));
    } else {
      describe.skip('PostgreSQL (set DATABASE_URL to run)', () => it('skipped', () => undefined));
    }
    return undefined;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return url;
  } catch (err) {
    describe('PostgreSQL', () => it(`PostgreSQL at ${url} must be reachable`, () => { throw err; }));
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
