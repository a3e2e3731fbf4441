// The target registry: every server the harness can benchmark.
//
// A target is a program, started as its own process, that honours the contract in
// `target-kit.ts` (port announced on stdout, key from env BENCH_KEY in `?key=`, one broadcast
// group, `POST /broadcast` → 204). The harness never imports it: it only spawns `command`.

export type ClientKind = 'raw-ws' | 'socketio';

export interface TargetSpec {
  description: string;
  /** Which generator client speaks its protocol. */
  client: ClientKind;
  /** argv; run from the repository root. */
  command: readonly string[];
  /** Added to the environment (BENCH_KEY is always set by the harness). */
  env?: Readonly<Record<string, string>>;
}

/**
 * A TypeScript program run by Node through tsx (transformed once at start-up, not per call).
 * `--expose-gc` only makes `gc()` callable (targets run it on SIGUSR2); nothing calls it unasked.
 */
export function tsTarget(path: string): readonly string[] {
  return [process.execPath, '--expose-gc', '--import', 'tsx', path];
}

export const TARGETS: Readonly<Record<string, TargetSpec>> = {
  'bare-ws': {
    description: 'ws@8, noServer, 401 before upgrade, for-of send',
    client: 'raw-ws',
    command: tsTarget('bench/targets/bare-ws.ts'),
  },
  socketio: {
    description: 'Socket.IO 4, websocket transport, io.use auth, one room',
    client: 'socketio',
    command: tsTarget('bench/targets/socketio.ts'),
  },
  scan2food: {
    description: 'scan2food: real upgrade auth, outbox → relay → in-process bus → hub',
    client: 'raw-ws',
    command: tsTarget('bench/targets/scan2food.ts'),
  },
  'scan2food-redis': {
    description: 'scan2food with the Redis engines (bus, tickets, limits, presence) on 127.0.0.1:6379',
    client: 'raw-ws',
    command: tsTarget('bench/targets/scan2food.ts'),
    env: { SCAN2FOOD_REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
};

export function targetByName(name: string): TargetSpec {
  const spec = TARGETS[name];
  if (!spec) throw new Error(`unknown target "${name}"; known: ${Object.keys(TARGETS).join(', ')}`);
  return spec;
}
