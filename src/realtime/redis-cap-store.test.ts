import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { requireRedisUrl } from '../../test/support/services.js';
import type { CapCheck } from './connection-caps.js';
import { RedisCapStore } from './redis-cap-store.js';

const url = await requireRedisUrl();
const order = (cap: number): CapCheck[] => [{ key: 'order:42', cap, reason: 'cap_per_order' }];

if (url) {
  describe('RedisCapStore: processes sharing one Redis share one cap', () => {
    const opened: Array<{ store: RedisCapStore; redis: Redis }> = [];
    const prefix = `scan2food:test:${randomUUID()}:`;
    const process = (id = randomUUID()) => {
      const redis = new Redis(url, { maxRetriesPerRequest: 1 });
      const store = new RedisCapStore({ redis, prefix, processId: id, ttlMs: 60_000, onError: (err) => { throw err; } });
      opened.push({ store, redis });
      return { store, redis, id };
    };
    afterEach(async () => {
      for (const { store, redis } of opened.splice(0)) {
        await store.close();
        redis.disconnect();
      }
    });

    it('counts the sockets of every process against one cap, and a release frees a slot for any process', async () => {
      const [a, b] = [process(), process()];
      const admissions = await Promise.all([a.store.admit(order(3)), a.store.admit(order(3)), b.store.admit(order(3))]);
      expect(admissions.every((x) => x.ok)).toBe(true);
      expect(await b.store.admit(order(3))).toEqual({ ok: false, reason: 'cap_per_order' });
      expect(await a.store.admit(order(3))).toEqual({ ok: false, reason: 'cap_per_order' });
      (admissions[0] as { release: () => void }).release();
      await a.store.flush();
      expect((await b.store.admit(order(3))).ok).toBe(true);
    });

    it('lets 30 parallel admissions over three processes through exactly up to the cap', async () => {
      const stores = [process(), process(), process()];
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 3]!.store.admit([{ key: 'order:7', cap: 5, reason: 'cap_per_order' }])));
      expect(results.filter((r) => r.ok)).toHaveLength(5);
    });

    it('stops counting a process whose heartbeat is older than the ttl (it died)', async () => {
      const [dead, alive] = [process(), process()];
      expect((await dead.store.admit(order(2))).ok).toBe(true);
      expect((await dead.store.admit(order(2))).ok).toBe(true);
      expect((await alive.store.admit(order(2))).ok).toBe(false);
      await dead.store.close(); // its timer stops; its counts stay in Redis like a killed process's
      await dead.redis.zadd(`${prefix}caps:alive`, 0, dead.id);
      expect((await alive.store.admit(order(2))).ok).toBe(true);
    });
  });
}
