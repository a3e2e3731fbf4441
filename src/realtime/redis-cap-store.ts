import type { Redis } from 'ioredis';
import { MemoryCapStore, type Admission, type CapCheck, type CapStore } from './connection-caps.js';

/*
 * Keys under `<prefix>caps:`: `alive` (sorted set: process id → last heartbeat, Redis time in ms)
 * and one hash per counted thing (`order:42`, `theatre:7`, `address:…`): process id → that
 * process's open sockets. A total is the sum over processes seen alive within the ttl, so a
 * process that died (kill -9) stops counting once its heartbeat is older than the ttl.
 *
 * Each process keeps its own counts in memory (the truth for its field) and writes them as
 * absolute values, in the order they change, on its one command connection; while Redis is down
 * it admits against its own counts only (the caps of one process) and writes what changed once
 * Redis is back.
 */

/** KEYS: alive, then one hash per check. ARGV: me, ttl ms, key ttl ms, then per check: cap, my count with this socket. */
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cutoff = now - tonumber(ARGV[2])
for i = 2, #KEYS do
  local total = tonumber(ARGV[2 + (i - 1) * 2 + 1])
  local fields = redis.call('HGETALL', KEYS[i])
  for j = 1, #fields, 2 do
    if fields[j] ~= ARGV[1] then
      local seen = tonumber(redis.call('ZSCORE', KEYS[1], fields[j]) or '-1')
      if seen >= cutoff then total = total + tonumber(fields[j + 1]) end
    end
  end
  if total > tonumber(ARGV[2 + (i - 1) * 2]) then return i - 1 end
end
for i = 2, #KEYS do
  redis.call('HSET', KEYS[i], ARGV[1], ARGV[2 + (i - 1) * 2 + 1])
  redis.call('PEXPIRE', KEYS[i], ARGV[3])
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
return 0
`;

/** KEYS: alive. ARGV: me, how long a silent process is kept in the set (ms). */
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return now
`;

/** A counted thing's hash lives this long after its last admission (counts of dead processes go with it). */
const KEY_TTL_MS = 24 * 60 * 60 * 1000;

export interface RedisCapStoreOptions {
  redis: Redis;
  prefix: string;
  processId: string;
  /** A process whose heartbeat is older than this no longer counts. */
  ttlMs: number;
  onError: (err: unknown) => void;
}

export class RedisCapStore implements CapStore {
  private readonly local = new MemoryCapStore();
  /** Keys whose count this process could not write to Redis yet. */
  private readonly dirty = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly alive: string;

  constructor(private readonly opts: RedisCapStoreOptions) {
    this.alive = `${opts.prefix}caps:alive`;
    this.timer = setInterval(() => void this.heartbeat(), Math.max(100, Math.floor(opts.ttlMs / 3)));
    this.timer.unref();
    void this.heartbeat();
    opts.redis.on('ready', this.onReady);
  }

  /** A Redis that comes back may have lost everything: write every count again. */
  private readonly onReady = () => {
    for (const k of this.local.keys()) this.dirty.add(k);
    void this.heartbeat();
  };

  async admit(checks: CapCheck[]): Promise<Admission> {
    // Reserved here first, synchronously: this process never exceeds a cap on its own, and its
    // writes reach Redis in the order its counts changed.
    const local = this.local.admitNow(checks, (keys) => this.released(keys));
    if (!local.ok || checks.length === 0) return local;
    const keys = checks.map((c) => this.key(c.key));
    const args = checks.flatMap((c) => [c.cap, this.local.count(c.key)]);
    try {
      const refused = Number(await this.opts.redis.eval(ADMIT, keys.length + 1, this.alive, ...keys, this.opts.processId, this.opts.ttlMs, KEY_TTL_MS, ...args));
      if (refused === 0) return local;
      local.release();
      return { ok: false, reason: checks[refused - 1]!.reason };
    } catch (err) {
      // Redis is down: this process's own counts decide (see above), written once it is back.
      this.opts.onError(err);
      for (const c of checks) this.dirty.add(c.key);
      return local;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.opts.redis.off('ready', this.onReady);
    await this.opts.redis.zrem(this.alive, this.opts.processId).catch(() => undefined);
  }

  private key(name: string): string {
    return `${this.opts.prefix}caps:${name}`;
  }

  /** A release is written at once (an admission is written by its script). */
  private released(keys: string[]): void {
    for (const k of keys) this.dirty.add(k);
    this.flush().catch((err: unknown) => this.opts.onError(err));
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.opts.redis.eval(HEARTBEAT, 1, this.alive, this.opts.processId, this.opts.ttlMs * 10);
      await this.flush();
    } catch (err) {
      this.opts.onError(err);
    }
  }

  /** Writes this process's current count of every key that changed since it was last written. */
  async flush(): Promise<void> {
    if (this.dirty.size === 0) return;
    const keys = [...this.dirty];
    const pipeline = this.opts.redis.pipeline();
    for (const k of keys) {
      const n = this.local.count(k);
      if (n > 0) pipeline.hset(this.key(k), this.opts.processId, n).pexpire(this.key(k), KEY_TTL_MS);
      else pipeline.hdel(this.key(k), this.opts.processId);
    }
    const results = await pipeline.exec();
    if (results?.some(([err]) => err)) throw results.find(([err]) => err)![0];
    for (const k of keys) this.dirty.delete(k);
  }
}
