import type { EventBus } from './bus/event-bus.js';
import { MemoryBus } from './bus/memory-bus.js';
import type { Config } from './config/config.js';
import { AuthFailureLimiter } from './realtime/upgrade/auth-failure-limiter.js';
import { MemorySingleUseStore, type SingleUseStore } from './tickets/single-use-store.js';

/**
 * The shared-state engines of one process: fan-out, spent tickets and refused-credential counts.
 * In memory for a single process; the one place that will choose Redis when REDIS_URL is set.
 */
export interface Engines {
  bus: EventBus;
  spentTickets: SingleUseStore;
  authFailures: AuthFailureLimiter;
  close(): Promise<void>;
}

export async function createEngines(config: Config, now: () => number): Promise<Engines> {
  const bus = new MemoryBus();
  return {
    bus,
    spentTickets: new MemorySingleUseStore(now),
    authFailures: AuthFailureLimiter.inMemory(config.limits.authFailLimit, config.limits.authFailWindowSeconds),
    close: () => bus.close(),
  };
}
