import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { requireRedisUrl } from '../../test/support/services.js';
import { presenceStoreContract } from './presence-store.contract.js';
import { RedisPresenceStore } from './redis-presence-store.js';

const url = await requireRedisUrl();

if (url) {
  const pairOn = (prefix: string, ttlMs = 10_000) => {
    const redis = new Redis(url);
    const store = (processId: string) => new RedisPresenceStore({ redis, prefix, processId, ttlMs });
    return { redis, a: store('a'), b: store('b') };
  };

  presenceStoreContract('redis', async () => {
    const { redis, a, b } = pairOn(`scan2food:test:${randomUUID()}:`);
    return { a, b, close: async () => void redis.disconnect() };
  });

  describe('RedisPresenceStore, a process that dies', () => {
    it('keeps each process alive by a key that expires after the ttl unless refreshed', async () => {
      const prefix = `scan2food:test:${randomUUID()}:`;
      const { redis, a } = pairOn(prefix, 15_000);
      try {
        await a.heartbeat();
        const ttl = await redis.pttl(`${prefix}presence:alive:a`);
        expect(ttl).toBeGreaterThan(14_000);
        expect(ttl).toBeLessThanOrEqual(15_000);
      } finally {
        redis.disconnect();
      }
    });

    it('is swept once its heartbeat key is gone: one survivor gets the offline transition, once', async () => {
      const prefix = `scan2food:test:${randomUUID()}:`;
      const { redis, a, b } = pairOn(prefix);
      try {
        await a.heartbeat();
        await b.heartbeat();
        await a.setCount(4, 2);
        expect((await b.setCount(4, 1)).transition).toBeNull();
        await a.setCount(8, 1);
        expect(await b.sweep()).toEqual([]);
        await redis.del(`${prefix}presence:alive:a`); // what expiry does to a process that stopped heartbeating
        const swept = await Promise.all([b.sweep(), b.sweep()]);
        expect(swept.flat()).toEqual([{ theatreId: 8, online: false, connections: 0 }]);
        expect(await b.online()).toEqual([{ theatreId: 4, connections: 1 }]);
        // `a` was only slow, not dead: it learns it was forgotten and its counts are set again.
        expect(await a.heartbeat()).toBe(true);
        expect((await a.setCount(8, 1)).transition).toEqual({ theatreId: 8, online: true, connections: 1 });
        expect((await a.setCount(4, 2)).transition).toBeNull();
        expect(await b.online()).toEqual([{ theatreId: 4, connections: 3 }, { theatreId: 8, connections: 1 }]);
      } finally {
        redis.disconnect();
      }
    });
  });
}
