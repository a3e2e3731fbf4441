import { once } from 'node:events';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { EventBus } from './bus/event-bus.js';
import { MemoryBus } from './bus/memory-bus.js';
import { RedisBus } from './bus/redis-bus.js';
import type { Config } from './config/config.js';
import type { RateLimiterFactory } from './http/rate-limits.js';
import type { ReadinessCheck } from './health/health.routes.js';
import { MemoryPresenceStore, type PresenceStore } from './presence/presence-store.js';
import { RedisPresenceStore } from './presence/redis-presence-store.js';
import { AuthFailureLimiter } from './realtime/upgrade/auth-failure-limiter.js';
import { MemoryCapStore, type CapStore } from './realtime/connection-caps.js';
import { RedisCapStore } from './realtime/redis-cap-store.js';
import { RedisSingleUseStore } from './tickets/redis-single-use-store.js';
import { MemorySingleUseStore, type SingleUseStore } from './tickets/single-use-store.js';

/**
 * The shared-state engines of one process: fan-out, spent tickets, refused-credential counts and
 * presence. In memory for a single process; through Redis when REDIS_URL is set, so any number of
 * processes on one database and one Redis behave as one server. The one place that chooses.
 */
export interface Engines {
  bus: EventBus;
  spentTickets: SingleUseStore;
  authFailures: AuthFailureLimiter;
  presence: PresenceStore;
  /** Request-rate limiters (per phone, order, address): counts shared by every process through Redis. */
  rateLimiter: RateLimiterFactory;
  /** Open sockets per order, theatre and ticket address, counted against their caps. */
  connectionCaps: CapStore;
  /** Readiness checks of the engines' backends (/readyz). */
  checks: ReadinessCheck[];
  close(): Promise<void>;
}

export interface EngineOptions {
  now: () => number;
  /** This process, among those sharing the engines (presence counts are kept per process). */
  processId: string;
  onError: (err: Error) => void;
}

/** How long start-up waits for Redis before serving anyway (reported down on /readyz meanwhile). */
const REDIS_START_WAIT_MS = 5_000;
/** Reconnect backoff: 100 ms doubling to 5 s, forever. */
const retryStrategy = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000);

export async function createEngines(config: Config, opts: EngineOptions): Promise<Engines> {
  if (config.redisUrl) return redisEngines(config.redisUrl, config, opts);
  const bus = new MemoryBus();
  return {
    bus,
    spentTickets: new MemorySingleUseStore(opts.now),
    authFailures: AuthFailureLimiter.inMemory(config.limits.authFailLimit, config.limits.authFailWindowSeconds),
    presence: new MemoryPresenceStore(opts.processId),
    rateLimiter: ({ name, points, durationSeconds }) => new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds }),
    connectionCaps: new MemoryCapStore(),
    checks: [{ name: 'bus', check: async () => bus.healthy }],
    close: () => bus.close(),
  };
}

async function redisEngines(url: string, config: Config, opts: EngineOptions): Promise<Engines> {
  const prefix = config.redisPrefix;
  const bus = new RedisBus({ url, channel: `${prefix}events`, onError: opts.onError });
  // Commands fail at once while Redis is down (no offline queue): a ticket is refused rather than
  // left waiting, presence marks itself for a resync, and the limiter falls back to memory.
  const redis = new Redis(url, { retryStrategy, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: 'scan2food-cmd' });
  redis.on('error', opts.onError);
  await waitReady(Promise.all([bus.ready(), redis.status === 'ready' ? Promise.resolve() : once(redis, 'ready')]));
  // Shared by every process, so N processes together stay within one cap, not N caps.
  const caps = new RedisCapStore({ redis, prefix, processId: opts.processId, ttlMs: config.limits.presenceTtlMs, onError: (err) => opts.onError(err as Error) });
  return {
    bus,
    spentTickets: new RedisSingleUseStore(redis, prefix),
    authFailures: AuthFailureLimiter.inRedis(redis, `${prefix}authfail`, config.limits.authFailLimit, config.limits.authFailWindowSeconds),
    presence: new RedisPresenceStore({ redis, prefix, processId: opts.processId, ttlMs: config.limits.presenceTtlMs }),
    // While Redis is down each process counts on its own (the insurance limiter) rather than refusing every guest.
    rateLimiter: ({ name, points, durationSeconds }) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}rl:${name}`,
        points,
        duration: durationSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds }),
      }),
    connectionCaps: caps,
    checks: [
      { name: 'bus', check: async () => bus.healthy },
      { name: 'redis', check: async () => redis.status === 'ready' },
    ],
    async close() {
      await caps.close();
      await bus.close();
      redis.disconnect();
    },
  };
}

async function waitReady(ready: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, REDIS_START_WAIT_MS)));
  await Promise.race([ready.catch(() => undefined), timeout]);
  clearTimeout(timer);
}
