import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { requireRedisUrl } from '../../test/support/services.js';
import { RedisSingleUseStore } from './redis-single-use-store.js';

const url = await requireRedisUrl();

if (url) {
  describe('RedisSingleUseStore', () => {
    it('lets exactly one of two processes claim a ticket id, and only for its ttl', async () => {
      const [r1, r2] = [new Redis(url), new Redis(url)];
      try {
        const prefix = `scan2food:test:${randomUUID()}:`;
        const [one, two] = [new RedisSingleUseStore(r1, prefix), new RedisSingleUseStore(r2, prefix)];
        const claims = await Promise.all([one.claim('t1', 60_000), two.claim('t1', 60_000), one.claim('t1', 60_000)]);
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await two.claim('t2', 60_000)).toBe(true);
        const ttl = await r1.pttl(`${prefix}ticket:t1`);
        expect(ttl).toBeGreaterThan(59_000);
        expect(ttl).toBeLessThanOrEqual(60_000);
      } finally {
        r1.disconnect();
        r2.disconnect();
      }
    });
  });
}
