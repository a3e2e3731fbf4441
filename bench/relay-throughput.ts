// Outbox relay throughput on PostgreSQL with several processes: commit → bus.
//
// A backlog of committed, unpublished events (one INSERT … SELECT generate_series, 100
// streams) is drained by N relay processes at once, each the real OutboxRelay of the app
// (FOR UPDATE SKIP LOCKED batches, one Redis pipeline per batch) publishing to one Redis bus;
// this process subscribes and counts every (stream, seq): none may be missing, none may arrive
// twice. Then a second round measures commit → publish latency while writers in every relay
// process commit events and kick their own relay (as uow.write does), at a fixed total rate.
//   node --import tsx bench/relay-throughput.ts '{"events":60000,"processes":3}'
// prints one JSON line (RelayResult) as its last stdout line.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import pg from 'pg';
import { RedisBus } from '../src/bus/redis-bus.js';
import { createDatabase } from '../src/db/database.js';
import { REPO_ROOT } from './lib/child-process.js';
import { percentileSorted, sortedCopy } from './lib/stats.js';

export interface RelayPlan {
  events: number;
  processes: number;
  /** Second round: events per second committed by the writers (all processes together), and for how long. */
  writeRate?: number;
  writeSeconds?: number;
}

export interface RelayResult {
  processes: number;
  events: number;
  /** Backlog drain: first relay started → last event received from the bus. */
  drainS: number;
  eventsPerS: number;
  lost: number;
  duplicated: number;
  /** Events received behind a later seq of their stream (two relays' batches interleaving; followers reorder). */
  reordered: number;
  /** Share of the backlog each relay process published. */
  perProcess: number[];
  /** Second round: writers commit at writeRate in all; each commit (its time taken when it resolved) → received from the bus. */
  live?: { rate: number; events: number; p50Ms: number; p99Ms: number; maxMs: number; lost: number; duplicated: number };
}

const STREAMS = 100;
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

interface Worker {
  child: ChildProcess;
  lines: AsyncIterator<string>;
}

async function nextLine(w: Worker, expect: string): Promise<string> {
  const r = await w.lines.next();
  if (r.done) throw new Error(`relay worker ended before "${expect}"`);
  if (!r.value.startsWith(expect)) throw new Error(`relay worker said "${r.value}", expected "${expect}"`);
  return r.value;
}

export async function relayThroughput(plan: RelayPlan): Promise<RelayResult> {
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = process.env.BENCH_REDIS_URL ?? DEFAULT_REDIS_URL;
  const schema = `bench_relay_${randomBytes(5).toString('hex')}`;
  const channel = `bench:relay:${randomBytes(5).toString('hex')}`;
  const db = await createDatabase({ databaseUrl, schema, sqliteFile: '', poolSize: 4 });
  const bus = new RedisBus({ url: redisUrl, channel });
  const workers: Worker[] = [];
  try {
    await bus.ready();
    const seen = new Map<string, number>();
    const lastSeq = new Map<string, number>();
    let received = 0;
    let duplicated = 0;
    let reordered = 0;
    let lastAt = 0;
    /** Receipt time (epoch ms) of each live event, by `stream#seq`. */
    const liveReceived = new Map<string, number>();
    bus.subscribe((m) => {
      const k = `${m.stream}#${m.seq}`;
      const n = (seen.get(k) ?? 0) + 1;
      seen.set(k, n);
      if (n > 1) duplicated++;
      else received++;
      if (m.seq < (lastSeq.get(m.stream) ?? 0)) reordered++;
      else lastSeq.set(m.stream, m.seq);
      lastAt = performance.now();
      // Epoch ms from performance.timeOrigin on both sides (the writers report their commit times).
      if (m.stream.startsWith('live:') && n === 1) liveReceived.set(k, performance.timeOrigin + performance.now());
    });

    // The backlog: committed and unpublished, in id order = seq order per stream.
    await sql`insert into stream_events (stream, seq, type, at, data)
      select 'bench:' || (g % ${STREAMS}), g / ${STREAMS} + 1, 'bench', '2026-12-02T06:00:00.000Z', '{"n":' || g || ',"pad":"' || repeat('x', 200) || '"}'
      from generate_series(0, ${plan.events - 1}) g`.execute(db.db);

    for (let p = 0; p < plan.processes; p++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench/relay-worker.ts')], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, REDIS_URL: redisUrl, CHANNEL: channel, WORKER: String(p) },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      workers.push({ child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() });
    }
    for (const w of workers) await nextLine(w, 'ready');
    const t0 = performance.now();
    for (const w of workers) w.child.stdin!.write('drain\n');
    const perProcess = (await Promise.all(workers.map((w) => nextLine(w, 'drained')))).map((l) => Number(l.split(' ')[1]));
    const deadline = Date.now() + 30_000;
    while (received < plan.events && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));
    const drainS = (lastAt - t0) / 1000;
    let lost = 0;
    for (let g = 0; g < plan.events; g++) if (!seen.has(`bench:${g % STREAMS}#${Math.floor(g / STREAMS) + 1}`)) lost++;
    const result: RelayResult = { processes: plan.processes, events: plan.events, drainS, eventsPerS: plan.events / drainS, lost, duplicated, reordered, perProcess };

    if (plan.writeRate && plan.writeSeconds) {
      const perWorker = Math.round((plan.writeRate * plan.writeSeconds) / plan.processes);
      const dupBefore = duplicated;
      for (const w of workers) w.child.stdin!.write(`write ${plan.writeRate / plan.processes} ${perWorker}\n`);
      const committed = (await Promise.all(workers.map((w) => nextLine(w, 'written')))).flatMap((l) => JSON.parse(l.slice('written '.length)) as [string, number, number][]);
      const expected = committed.length;
      const until = Date.now() + 30_000;
      while (liveReceived.size < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 300));
      const latencies: number[] = [];
      for (const [stream, seq, at] of committed) {
        const got = liveReceived.get(`${stream}#${seq}`);
        if (got !== undefined) latencies.push(got - at);
      }
      const s = sortedCopy(latencies);
      result.live = { rate: plan.writeRate, events: expected, p50Ms: percentileSorted(s, 50), p99Ms: percentileSorted(s, 99), maxMs: s[s.length - 1] ?? NaN, lost: expected - latencies.length, duplicated: duplicated - dupBefore };
    }
    return result;
  } finally {
    for (const w of workers) w.child.stdin!.end();
    await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once('exit', r)))));
    await bus.close();
    await db.close();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`).finally(() => client.end());
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const plan = JSON.parse(process.argv[2] ?? '{"events":20000,"processes":3}') as RelayPlan;
  relayThroughput(plan).then(
    (r) => {
      process.stderr.write(
        `[relay] ${r.processes} processes drained ${r.events} events in ${r.drainS.toFixed(2)} s = ${Math.round(r.eventsPerS)} events/s; ` +
          `lost ${r.lost}, duplicated ${r.duplicated}, reordered ${r.reordered}; per process ${r.perProcess.join('/')}` +
          (r.live ? `; live ${r.live.rate}/s: commit→bus p50 ${r.live.p50Ms.toFixed(1)} p99 ${r.live.p99Ms.toFixed(1)} ms, lost ${r.live.lost}, duplicated ${r.live.duplicated}` : '') +
          '\n',
      );
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`[relay] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
