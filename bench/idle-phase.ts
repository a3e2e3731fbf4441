// Many idle authenticated connections on ONE server process (100,000 by default): memory per
// connection, and one broadcast that must reach every one of them exactly once, for scan2food
// and for bare `ws` in the same run. This program is the generator (the harness pins it to the
// generator CPU); it starts the target itself, pinned to the server CPU, with an open-files
// limit raised to what the count needs (`ulimit -n`, which root may raise past the hard limit).
// Client source addresses are spread over 127.0.0.0/8 (localAddress), 400 connections per
// address at 100,000, so no source address runs out of ephemeral ports.
//   node --import tsx bench/idle-phase.ts '{"target":"scan2food","conns":100000,"inflight":500}'
// prints one JSON line (IdleResult) as its last stdout line.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeBenchFrame, encodeBenchMessage } from './lib/bench-message.js';
import { BroadcastPoster } from './lib/broadcast-poster.js';
import { canPin, SERVER_CPU, startTarget } from './lib/child-process.js';
import { connectRawWs, type RawWs } from './lib/raw-ws-client.js';
import { ServerProbe } from './lib/server-probe.js';
import { spread } from './lib/stats.js';
import { targetByName } from './targets/index.js';
import { BIND_HOST, WS_PATH } from './targets/target-kit.js';

export interface IdlePlan {
  target: string;
  conns: number;
  inflight: number;
}

export interface IdleResult {
  target: string;
  conns: number;
  opened: number;
  failed: number;
  /** Why connections failed, by reason (first few kinds). */
  failures: Record<string, number>;
  openWallS: number;
  serverCpuPerConnUs: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  memPerConnBytes: number;
  /** The same after a full garbage collection before and after (what each connection keeps). */
  memPerConnAfterGcBytes: number;
  /** Each broadcast: POST sent → the last of the open connections received it (ms). */
  broadcastMs: number[];
  broadcastMedianMs: number;
  lost: number;
  duplicated: number;
  /** Connections the server closed while they should have stayed idle. */
  droppedWhileIdle: number;
}

const BROADCASTS = 3;
const HANDSHAKE_TIMEOUT_MS = 30_000;
const REACH_TIMEOUT_MS = 60_000;
const SETTLE_MS = 2_000;
/** Source addresses used: 127.0.1.2 – 127.0.1.251. */
const SOURCE_ADDRESSES = 250;
const FD_HEADROOM = 1_000;

/** RSS after the target ran two full collections (SIGUSR2, see target-kit.ts) and went quiet. */
async function rssAfterGc(pid: number, probe: ServerProbe): Promise<number> {
  for (let i = 0; i < 2; i++) {
    process.kill(pid, 'SIGUSR2');
    await sleep(300);
    await probe.waitQuiet();
  }
  return probe.rssBytes();
}

export async function idlePhase(plan: IdlePlan): Promise<IdleResult> {
  const spec = targetByName(plan.target);
  const key = randomBytes(24).toString('base64url');
  const server = await startTarget(spec.command, {
    cpu: canPin() ? SERVER_CPU : undefined,
    fdLimit: plan.conns + FD_HEADROOM,
    env: { ...spec.env, BENCH_KEY: key },
  });
  const probe = new ServerProbe(server.pid);
  const sockets: RawWs[] = [];
  try {
    await probe.waitQuiet();
    const rssBefore = probe.rssBytes();
    const rssBeforeGc = await rssAfterGc(server.pid, probe);
    const cpuBefore = probe.cpuUs();
    // Per connection, per broadcast seq: arrivals.
    const counts = new Uint8Array(plan.conns * BROADCASTS);
    const lastArrival = new Float64Array(BROADCASTS);
    const arrivals = new Uint32Array(BROADCASTS);
    let droppedWhileIdle = 0;
    let measuring = false;
    const failures: Record<string, number> = {};
    let opened = 0;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(plan.inflight, plan.conns) }, async () => {
        while (next < plan.conns) {
          const i = next++;
          const outcome = await connectRawWs(
            { host: BIND_HOST, port: server.port, path: `${WS_PATH}?key=${encodeURIComponent(key)}`, localAddress: `127.0.1.${2 + (i % SOURCE_ADDRESSES)}` },
            {
              message: (data) => {
                const m = decodeBenchFrame(data);
                if (!m || m.seq >= BROADCASTS) return;
                const at = i * BROADCASTS + m.seq;
                counts[at] = Math.min(255, counts[at]! + 1);
                arrivals[m.seq]!++;
                lastArrival[m.seq] = performance.now();
              },
              closed: () => {
                if (measuring) droppedWhileIdle++;
              },
            },
            HANDSHAKE_TIMEOUT_MS,
          );
          if (outcome.kind === 'open') {
            sockets[i] = outcome.ws;
            opened++;
          } else {
            const why = outcome.kind === 'refused' ? `HTTP ${outcome.status}` : outcome.reason;
            failures[why] = (failures[why] ?? 0) + 1;
          }
        }
      }),
    );
    const openWallS = (performance.now() - t0) / 1000;
    measuring = true;
    await probe.waitQuiet();
    await sleep(SETTLE_MS);
    const rssAfter = probe.rssBytes();
    const cpuAfter = probe.cpuUs();
    const rssAfterGcBytes = await rssAfterGc(server.pid, probe);

    const poster = new BroadcastPoster(server.port);
    const broadcastMs: number[] = [];
    for (let seq = 0; seq < BROADCASTS; seq++) {
      const sentAt = performance.now();
      poster.post(encodeBenchMessage(seq, sentAt, 64));
      const until = sentAt + REACH_TIMEOUT_MS;
      while (arrivals[seq]! < opened - droppedWhileIdle && performance.now() < until) await sleep(5);
      broadcastMs.push(lastArrival[seq]! - sentAt);
      await probe.waitQuiet();
    }
    await poster.close();
    await sleep(500);
    let lost = 0;
    let duplicated = 0;
    for (let i = 0; i < plan.conns; i++) {
      if (!sockets[i]) continue;
      for (let s = 0; s < BROADCASTS; s++) {
        const c = counts[i * BROADCASTS + s]!;
        if (c === 0) lost++;
        else if (c > 1) duplicated += c - 1;
      }
    }
    return {
      target: plan.target,
      conns: plan.conns,
      opened,
      failed: plan.conns - opened,
      failures,
      openWallS,
      serverCpuPerConnUs: (cpuAfter - cpuBefore) / Math.max(1, opened),
      rssBeforeBytes: rssBefore,
      rssAfterBytes: rssAfter,
      memPerConnBytes: (rssAfter - rssBefore) / Math.max(1, opened),
      memPerConnAfterGcBytes: (rssAfterGcBytes - rssBeforeGc) / Math.max(1, opened),
      broadcastMs,
      broadcastMedianMs: spread(broadcastMs).median,
      lost,
      duplicated,
      droppedWhileIdle,
    };
  } finally {
    for (const s of sockets) s?.destroy();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const plan = JSON.parse(process.argv[2] ?? '') as IdlePlan;
  idlePhase(plan).then(
    (r) => {
      process.stderr.write(
        `[idle] ${r.target}: ${r.opened}/${r.conns} open in ${r.openWallS.toFixed(1)} s; ${(r.memPerConnBytes / 1024).toFixed(2)} KB/conn (${(r.memPerConnAfterGcBytes / 1024).toFixed(2)} after GC); ` +
          `broadcast reaches all in ${r.broadcastMs.map((m) => m.toFixed(0)).join(', ')} ms; lost ${r.lost}, duplicated ${r.duplicated}, dropped ${r.droppedWhileIdle}\n`,
      );
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`[idle] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
