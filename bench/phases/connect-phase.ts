// Figures (c) and (a). The idle-memory batch runs first, on the fresh server, so freed memory
// of earlier connections cannot hide the cost of new ones; it also warms the JIT for (a).
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeBenchMessage } from '../lib/bench-message.js';
import { BroadcastPoster } from '../lib/broadcast-poster.js';
import type { Connector, GenConnection } from '../lib/gen-clients.js';
import { openMany } from '../lib/open-many.js';
import type { ConnectFigures, LoadPlan } from '../lib/plan.js';
import { ownCpuUs, type ServerProbe } from '../lib/server-probe.js';
import { percentileSorted, sortedCopy } from '../lib/stats.js';
import { HANDSHAKE_TIMEOUT_MS, IDLE_SETTLE_MS, OPEN_DEADLINE_MS, WARMUP_BROADCASTS, WARMUP_CONNS } from './limits.js';

const ignore = () => {};

export async function openConnections(connect: Connector, key: string, n: number, inflight: number) {
  const result = await openMany(n, inflight, () => connect(key, ignore, HANDSHAKE_TIMEOUT_MS), OPEN_DEADLINE_MS);
  const open: GenConnection[] = [];
  for (const o of result.outcomes) if (o.kind === 'open') open.push(o.conn);
  return { ...result, open };
}

export interface IdleMemory {
  opened: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  memPerIdleConnBytes: number;
}

/** (c): RSS growth for N idle authenticated connections, after a settle; no GC is forced. */
export async function idleMemoryPhase(connect: Connector, plan: LoadPlan, server: ServerProbe): Promise<IdleMemory> {
  await server.waitQuiet();
  const rssBeforeBytes = server.rssBytes();
  const { open } = await openConnections(connect, plan.key, plan.conns, plan.inflight);
  await server.waitQuiet();
  await sleep(IDLE_SETTLE_MS);
  const rssAfterBytes = server.rssBytes();
  for (const c of open) c.destroy();
  await server.waitQuiet();
  const n = open.length;
  return { opened: n, rssBeforeBytes, rssAfterBytes, memPerIdleConnBytes: n > 0 ? (rssAfterBytes - rssBeforeBytes) / n : NaN };
}

/** Unmeasured: the refusal and broadcast paths run a while before they are measured. */
export async function warmUp(connect: Connector, plan: LoadPlan, server: ServerProbe): Promise<void> {
  const n = Math.min(WARMUP_CONNS, plan.conns);
  const { open } = await openConnections(connect, plan.key, n, plan.inflight);
  const poster = new BroadcastPoster(plan.port);
  for (let i = 0; i < WARMUP_BROADCASTS; i++) poster.post(encodeBenchMessage(i, performance.now(), plan.size));
  await poster.close();
  for (const c of open) c.destroy();
  const refused = await openConnections(connect, plan.wrongKey, n, plan.inflight);
  for (const c of refused.open) c.destroy();
  await server.waitQuiet();
}

/** (a): server CPU, handshake time and rate for N accepted connections with K in flight. */
export async function acceptPhase(
  connect: Connector,
  plan: LoadPlan,
  server: ServerProbe,
  memory: IdleMemory,
): Promise<ConnectFigures> {
  await server.waitQuiet();
  const cpu0 = server.cpuUs();
  const gen0 = ownCpuUs();
  const opened = await openConnections(connect, plan.key, plan.conns, plan.inflight);
  await server.waitQuiet();
  const serverCpuUs = server.cpuUs() - cpu0;
  const genCpuUs = ownCpuUs() - gen0;
  for (const c of opened.open) c.destroy();
  await server.waitQuiet();

  const n = opened.open.length;
  const sorted = sortedCopy(opened.handshakeMs);
  return {
    attempted: opened.outcomes.length,
    opened: n,
    failed: opened.outcomes.length - n,
    serverCpuUs,
    serverCpuPerConnUs: n > 0 ? serverCpuUs / n : NaN,
    genCpuUs,
    handshakeP50Ms: percentileSorted(sorted, 50),
    handshakeP99Ms: percentileSorted(sorted, 99),
    connsPerSec: n / (opened.wallMs / 1000),
    rssBeforeBytes: memory.rssBeforeBytes,
    rssAfterBytes: memory.rssAfterBytes,
    memPerIdleConnBytes: memory.memPerIdleConnBytes,
  };
}
