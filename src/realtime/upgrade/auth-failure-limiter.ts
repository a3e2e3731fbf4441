import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * Counts refused credentials (401s) per client address. While an address is over the limit every
 * upgrade from it is refused with 429, whatever it carries. Backed by rate-limiter-flexible, so a
 * Redis limiter can share the count between processes without changing callers.
 */
export class AuthFailureLimiter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  static inMemory(limit: number, windowSeconds: number): AuthFailureLimiter {
    return new AuthFailureLimiter(new RateLimiterMemory({ points: limit, duration: windowSeconds }));
  }

  /**
   * Counts shared by every process through Redis. While Redis is not ready each process falls
   * back to its own in-memory count (the insurance limiter) instead of failing every upgrade.
   */
  static inRedis(redis: Redis, keyPrefix: string, limit: number, windowSeconds: number): AuthFailureLimiter {
    return new AuthFailureLimiter(
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix,
        points: limit,
        duration: windowSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points: limit, duration: windowSeconds }),
      }),
    );
  }

  /** Seconds until the address may try again, or 0 when it is not limited. */
  async retryAfter(address: string): Promise<number> {
    const res = await this.limiter.get(address);
    if (!res || res.consumedPoints < this.limiter.points) return 0;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }

  /**
   * Counts an attempt before it is checked, so parallel attempts cannot all get past the limit
   * while the slow check (a password hash) runs: the limit-th + 1 concurrent attempt is refused at
   * once. Answers 0 when the attempt may go ahead, else the seconds to wait; an attempt that turns
   * out right gives its point back with `refund`.
   */
  async reserve(key: string): Promise<number> {
    try {
      await this.limiter.consume(key, 1);
      return 0;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    }
  }

  async refund(key: string): Promise<void> {
    await this.limiter.reward(key, 1);
  }

  async recordFailure(address: string): Promise<void> {
    try {
      await this.limiter.consume(address, 1);
    } catch (err) {
      // Over the limit is the expected outcome once an address keeps failing; anything else is real.
      if (!(err instanceof RateLimiterRes)) throw err;
    }
  }
}
