// Smoke test of the benchmark harness: each registered target starts as its own process,
// refuses a wrong key, accepts the right one, delivers one broadcast, and stops.
import { generateSecret } from '../src/keys/keys-file.js';
import { connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBenchMessage, type BenchMessage } from '../bench/lib/bench-message.js';
import { startTarget, type RunningTarget } from '../bench/lib/child-process.js';
import { connectorFor, type GenConnection } from '../bench/lib/gen-clients.js';
import { TARGETS } from '../bench/targets/index.js';
import { BIND_HOST, BROADCAST_PATH } from '../bench/targets/target-kit.js';

const KEY = generateSecret();
const TIMEOUT_MS = 5_000;
const EXPECTED_REFUSAL: Record<string, { where: string; detail: string }> = {
  'bare-ws': { where: 'before-upgrade', detail: 'HTTP 401' },
  socketio: { where: 'after-upgrade', detail: 'CONNECT_ERROR unauthorized' },
  scan2food: { where: 'before-upgrade', detail: 'HTTP 401' },
  'scan2food-redis': { where: 'before-upgrade', detail: 'HTTP 401' },
};

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: BIND_HOST, port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe.each(Object.keys(TARGETS))('bench target %s', (name) => {
  const spec = TARGETS[name]!;
  let target: RunningTarget | undefined;
  const open: GenConnection[] = [];

  afterEach(async () => {
    for (const c of open.splice(0)) c.destroy();
    await target?.stop();
    target = undefined;
  });

  it('refuses a wrong key, delivers a broadcast to an accepted socket, and stops', async () => {
    target = await startTarget(spec.command, { env: { ...spec.env, BENCH_KEY: KEY }, stdio: 'pipe' });
    const connect = connectorFor(spec.client, target.port);

    const refused = await connect(`${KEY}-wrong`, () => {}, TIMEOUT_MS);
    expect(refused).toEqual({ kind: 'refused', ...EXPECTED_REFUSAL[name] });

    let resolveMessage!: (m: BenchMessage | undefined) => void;
    const received = new Promise<BenchMessage | undefined>((r) => (resolveMessage = r));
    const accepted = await connect(KEY, resolveMessage, TIMEOUT_MS);
    expect(accepted.kind).toBe('open');
    if (accepted.kind === 'open') open.push(accepted.conn);

    const res = await fetch(`http://${BIND_HOST}:${target.port}${BROADCAST_PATH}`, {
      method: 'POST',
      body: encodeBenchMessage(42, 1234.5, 256),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    expect(res.status).toBe(204);
    await expect(received).resolves.toEqual({ seq: 42, sentAtMs: 1234.5 });

    const { port, child } = target;
    await target.stop();
    target = undefined;
    expect(child.exitCode ?? child.signalCode).not.toBeNull();
    expect(await portIsClosed(port)).toBe(true);
  });
});
