import type { Redis } from 'ioredis';
import type { SingleUseStore } from './single-use-store.js';

/**
 * Spent ticket ids in Redis, shared by every process: `SET key NX PX ttl` succeeds for exactly
 * one claimer, whichever process it runs on. While Redis is down `claim` rejects, so the upgrade
 * is refused (503) rather than letting a ticket be used twice.
 */
export class RedisSingleUseStore implements SingleUseStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async claim(id: string, ttlMs: number): Promise<boolean> {
    const result = await this.redis.set(`${this.prefix}ticket:${id}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    return result === 'OK';
  }
}
