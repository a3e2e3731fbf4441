import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedisUrl } from './support/services.js';
import { ApiClient, LOGINS, startVenueWorld, type VenueWorld } from './support/venue.js';

const redisUrl = await requireRedisUrl();
const LIMIT = 20;
const engines: Array<{ name: string; env: Record<string, string> }> = [{ name: 'memory', env: {} }];
if (redisUrl) engines.push({ name: 'redis', env: { REDIS_URL: redisUrl, REDIS_PREFIX: `scan2food:test:${randomUUID()}:` } });

describe.each(engines)('failed logins are limited before the password is checked ($name)', ({ env }) => {
  let w: VenueWorld;
  beforeAll(async () => {
    w = await startVenueWorld({ ...env, AUTH_FAIL_LIMIT: String(LIMIT) });
  });
  afterAll(() => w.t.close());

  it('60 parallel wrong logins from one address: exactly the limit get 401, the rest 429 with Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => new ApiClient(w.t).call('POST', '/api/auth/login', { username: LOGINS.staff1.username, password: `wrong-${randomUUID()}` })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(60 - LIMIT);
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(a.body).toMatchObject({ error: { code: 'rate_limited' } });
    }
    // While limited, even the right password waits: guessing cannot go on at the same pace.
    const right = await new ApiClient(w.t).call('POST', '/api/auth/login', LOGINS.staff1);
    expect(right.status).toBe(429);
  });
});

describe('a successful login gives its reserved attempt back', () => {
  let w: VenueWorld;
  beforeAll(async () => {
    w = await startVenueWorld({ AUTH_FAIL_LIMIT: '3' });
  });
  afterAll(() => w.t.close());

  it('logging in right many times never locks the address out', async () => {
    for (let i = 0; i < 6; i++) expect((await new ApiClient(w.t).call('POST', '/api/auth/login', LOGINS.staff2)).status).toBe(200);
    const wrong = await Promise.all(Array.from({ length: 5 }, () => new ApiClient(w.t).call('POST', '/api/auth/login', { ...LOGINS.staff2, password: 'not-the-password' })));
    expect(wrong.map((a) => a.status).sort()).toEqual([401, 401, 401, 429, 429]);
  });
});
