import type { Redis } from 'ioredis';
import type { CountResult, PresenceStore, PresenceTransition, TheatreCount } from './presence-store.js';

/*
 * Keys under `<prefix>presence:`: `procs` (set of live process ids), `alive:<id>` (expires after
 * the ttl unless refreshed), `proc:<id>` (hash theatre → that process's count), `total` (hash
 * theatre → sum over processes). Every change runs as one Lua script, so a transition of a total
 * is seen by exactly one caller. The sweep reads keys it derives from set members: fine on one
 * Redis (or a primary with replicas); Redis Cluster would need hash tags (see docs/scaling.md).
 */

/** KEYS: proc hash, total hash, procs set, alive key. ARGV: theatre, count, process id, ttl ms. */
const SET_COUNT = `
local forgotten = 0
if redis.call('SISMEMBER', KEYS[3], ARGV[3]) == 0 then
  forgotten = 1
  redis.call('SADD', KEYS[3], ARGV[3])
  redis.call('SET', KEYS[4], '1', 'PX', ARGV[4])
end
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local new = tonumber(ARGV[2])
if new == old then return {0, 0, forgotten} end
if new == 0 then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], new) end
local before = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local after = before + new - old
if after <= 0 then
  after = 0
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('HSET', KEYS[2], ARGV[1], after)
end
if before == 0 and after > 0 then return {1, after, forgotten} end
if before > 0 and after == 0 then return {-1, 0, forgotten} end
return {0, after, forgotten}
`;

/** KEYS: procs set, alive key. ARGV: process id, ttl ms. Answers 1 when the process was not known. */
const HEARTBEAT = `
local known = redis.call('SISMEMBER', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1 - known
`;

/** KEYS: procs set, total hash. ARGV: key prefix. Answers the theatres whose total went to 0. */
const SWEEP = `
local offline = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'alive:' .. id) == 0 then
    local counts = redis.call('HGETALL', ARGV[1] .. 'proc:' .. id)
    for i = 1, #counts, 2 do
      local before = tonumber(redis.call('HGET', KEYS[2], counts[i]) or '0')
      local after = before - tonumber(counts[i + 1])
      if after <= 0 then
        redis.call('HDEL', KEYS[2], counts[i])
        if before > 0 then table.insert(offline, counts[i]) end
      else
        redis.call('HSET', KEYS[2], counts[i], after)
      end
    end
    redis.call('DEL', ARGV[1] .. 'proc:' .. id)
    redis.call('SREM', KEYS[1], id)
  end
end
return offline
`;

export interface RedisPresenceOptions {
  redis: Redis;
  /** Deployment prefix, e.g. `scan2food:`. */
  prefix: string;
  processId: string;
  ttlMs: number;
}

/** Presence shared by every process through Redis, with a heartbeat key per process that expires. */
export class RedisPresenceStore implements PresenceStore {
  private readonly redis: Redis;
  private readonly base: string;
  private readonly id: string;
  private readonly ttl: string;

  constructor(opts: RedisPresenceOptions) {
    this.redis = opts.redis;
    this.base = `${opts.prefix}presence:`;
    this.id = opts.processId;
    this.ttl = String(opts.ttlMs);
  }

  private key(name: string): string {
    return this.base + name;
  }

  async setCount(theatreId: number, count: number): Promise<CountResult> {
    const keys = [this.key(`proc:${this.id}`), this.key('total'), this.key('procs'), this.key(`alive:${this.id}`)];
    const [kind, connections, forgotten] = (await this.redis.eval(SET_COUNT, keys.length, ...keys, String(theatreId), String(count), this.id, this.ttl)) as [number, number, number];
    const transition = kind === 0 ? null : { theatreId, online: kind === 1, connections };
    return { transition, forgotten: forgotten === 1 };
  }

  async online(): Promise<TheatreCount[]> {
    const all = await this.redis.hgetall(this.key('total'));
    return Object.entries(all)
      .map(([id, n]) => ({ theatreId: Number(id), connections: Number(n) }))
      .filter((t) => t.connections > 0)
      .sort((a, b) => a.theatreId - b.theatreId);
  }

  async heartbeat(): Promise<boolean> {
    const unknown = await this.redis.eval(HEARTBEAT, 2, this.key('procs'), this.key(`alive:${this.id}`), this.id, this.ttl);
    return unknown === 1;
  }

  async sweep(): Promise<PresenceTransition[]> {
    const offline = (await this.redis.eval(SWEEP, 2, this.key('procs'), this.key('total'), this.base)) as string[];
    return offline.map((id) => ({ theatreId: Number(id), online: false, connections: 0 }));
  }

  async leave(): Promise<void> {
    await this.redis.del(this.key(`alive:${this.id}`));
  }
}
