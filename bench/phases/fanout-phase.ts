// Figure (d): S idle subscribers, B broadcasts at R per second, each carrying its sequence
// number and the generator's send time. Every subscriber must get every seq exactly once.
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeBenchMessage, type BenchMessage } from '../lib/bench-message.js';
import { BroadcastPoster } from '../lib/broadcast-poster.js';
import type { Connector } from '../lib/gen-clients.js';
import { openMany } from '../lib/open-many.js';
import type { FanoutFigures, LoadPlan } from '../lib/plan.js';
import { ownCpuUs, type ServerProbe } from '../lib/server-probe.js';
import { percentileSorted, sortedCopy, spread } from '../lib/stats.js';
import {
  DRAIN_TIMEOUT_MS,
  HANDSHAKE_TIMEOUT_MS,
  OPEN_DEADLINE_MS,
  POLL_MS,
  REACH_PROBES,
  REACH_PROBE_TIMEOUT_MS,
} from './limits.js';

const MAX_COUNT = 255;

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > until) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/** Per subscriber and seq: how many times it arrived; per seq: arrivals and the last one. */
class DeliveryLedger {
  readonly counts: Uint8Array;
  readonly arrivals: Uint32Array;
  readonly lastArrival: Float64Array;
  readonly latencies: Float64Array;
  latencyCount = 0;
  malformed = 0;

  constructor(
    subscribers: number,
    private readonly seqs: number,
    private readonly measuredSeqs: number,
  ) {
    this.counts = new Uint8Array(subscribers * seqs);
    this.arrivals = new Uint32Array(seqs);
    this.lastArrival = new Float64Array(seqs);
    this.latencies = new Float64Array(subscribers * measuredSeqs);
  }

  receiver(subscriber: number): (msg: BenchMessage | undefined) => void {
    const base = subscriber * this.seqs;
    return (msg) => {
      const now = performance.now();
      if (msg === undefined || msg.seq >= this.seqs) {
        this.malformed++;
        return;
      }
      const seen = this.counts[base + msg.seq]!;
      this.counts[base + msg.seq] = Math.min(MAX_COUNT, seen + 1);
      if (seen > 0) return;
      this.arrivals[msg.seq]!++;
      this.lastArrival[msg.seq] = now;
      if (msg.seq < this.measuredSeqs) this.latencies[this.latencyCount++] = now - msg.sentAtMs;
    };
  }

  allArrived(fromSeq: number, toSeq: number, expected: number): boolean {
    for (let s = fromSeq; s < toSeq; s++) if (this.arrivals[s]! < expected) return false;
    return true;
  }

  lossAndDuplicates(connected: Uint8Array): { lost: number; duplicated: number } {
    let lost = 0;
    let duplicated = 0;
    for (let i = 0; i < connected.length; i++) {
      if (!connected[i]) continue;
      for (let s = 0; s < this.seqs; s++) {
        const c = this.counts[i * this.seqs + s]!;
        if (c === 0) lost++;
        else duplicated += c - 1;
      }
    }
    return { lost, duplicated };
  }
}

export async function fanoutPhase(
  connect: Connector,
  plan: LoadPlan,
  server: ServerProbe,
  subscribers: number,
): Promise<FanoutFigures> {
  const B = plan.broadcasts;
  const seqs = B + REACH_PROBES;
  const ledger = new DeliveryLedger(subscribers, seqs, B);
  const opened = await openMany(
    subscribers,
    plan.inflight,
    (i) => connect(plan.key, ledger.receiver(i), HANDSHAKE_TIMEOUT_MS),
    OPEN_DEADLINE_MS,
  );
  const connectedFlags = new Uint8Array(subscribers);
  opened.outcomes.forEach((o, i) => (connectedFlags[i] = o.kind === 'open' ? 1 : 0));
  const connected = connectedFlags.reduce((a, b) => a + b, 0);
  const poster = new BroadcastPoster(plan.port);
  await server.waitQuiet();

  const cpu0 = server.cpuUs();
  const gen0 = ownCpuUs();
  const start = performance.now();
  const intervalMs = 1000 / plan.rate;
  for (let seq = 0; seq < B; seq++) {
    const wait = start + seq * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    poster.post(encodeBenchMessage(seq, performance.now(), plan.size));
  }
  const drained = await waitUntil(() => ledger.allArrived(0, B, connected), DRAIN_TIMEOUT_MS);
  await server.waitQuiet();
  const serverCpuUs = server.cpuUs() - cpu0;
  const genCpuUs = ownCpuUs() - gen0;
  const delivered = ledger.latencyCount;

  const reach: number[] = [];
  for (let p = 0; p < REACH_PROBES; p++) {
    const seq = B + p;
    await server.waitQuiet();
    const sentAt = performance.now();
    poster.post(encodeBenchMessage(seq, sentAt, plan.size));
    const complete = await waitUntil(() => ledger.allArrived(seq, seq + 1, connected), REACH_PROBE_TIMEOUT_MS);
    reach.push(complete ? ledger.lastArrival[seq]! - sentAt : NaN);
  }
  await poster.close();
  for (const o of opened.outcomes) if (o.kind === 'open') o.conn.destroy();
  await server.waitQuiet();

  const { lost, duplicated } = ledger.lossAndDuplicates(connectedFlags);
  const latencies = sortedCopy(ledger.latencies.subarray(0, delivered));
  return {
    subscribers,
    connected,
    broadcasts: B,
    expectedDeliveries: connected * B,
    delivered,
    lost,
    duplicated,
    malformed: ledger.malformed,
    latencyP50Ms: percentileSorted(latencies, 50),
    latencyP99Ms: percentileSorted(latencies, 99),
    latencyMaxMs: latencies.length ? latencies[latencies.length - 1]! : NaN,
    serverCpuUs,
    serverCpuPerDeliveryUs: delivered > 0 ? serverCpuUs / delivered : NaN,
    genCpuUs,
    genCpuPerDeliveryUs: delivered > 0 ? genCpuUs / delivered : NaN,
    reachAllMs: spread(reach).median,
    failedBroadcastPosts: poster.failed,
    drained,
  };
}
