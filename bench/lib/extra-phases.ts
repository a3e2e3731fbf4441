// The phases `npm run bench` runs after the target matrix, each as its own process: end to end
// through `scan2food serve` (e2e-webhook.ts), many idle connections on one process
// (idle-phase.ts), and the outbox relay on PostgreSQL (relay-throughput.ts). Also the table of
// the goals, each figure beside the bare `ws` figure of the same run.
import { createInterface } from 'node:readline';
import type { E2eResult } from '../e2e-webhook.js';
import type { IdleResult } from '../idle-phase.js';
import type { RelayResult } from '../relay-throughput.js';
import { tsTarget } from '../targets/index.js';
import { canPin, fdLimits, GENERATOR_CPU, launch } from './child-process.js';
import type { BenchOptions } from './options.js';
import type { FanoutFigures, LoadResult } from './plan.js';
import { spread } from './stats.js';

/** Runs a bench program and parses the JSON of its last stdout line. */
export function runJsonChild<T>(script: string, args: string[], opts: { cpu?: number; fdLimit?: number; timeoutMs: number }): Promise<T> {
  const child = launch(tsTarget(script).concat(args), { cpu: opts.cpu, fdLimit: opts.fdLimit });
  child.stdin?.end();
  let last = '';
  createInterface({ input: child.stdout! }).on('line', (line) => (last = line));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${script} exited with code ${code}, signal ${signal}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no result`));
      }
    });
  });
}

export interface ExtraResults {
  e2e: Record<string, E2eResult[]>;
  idle: { conns: number; runs: Record<string, IdleResult[]>; wallS: number };
  relay: RelayResult[];
  notes: string[];
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

export async function runExtraPhases(opts: BenchOptions): Promise<ExtraResults> {
  const notes: string[] = [];
  const pin = canPin();
  const out: ExtraResults = { e2e: {}, idle: { conns: 0, runs: {}, wallS: 0 }, relay: [], notes };

  for (const mode of opts.e2eModes) {
    out.e2e[mode] = [];
    for (let rep = 1; rep <= opts.reps; rep++) {
      log(`end to end ${mode} repetition ${rep}/${opts.reps}: webhook → ${opts.e2eStaff} staff, phases ${opts.e2ePhases}`);
      const args = ['--mode', mode, '--staff', String(opts.e2eStaff), '--phases', opts.e2ePhases];
      if (opts.cpuProf) args.push('--cpu-prof', `${opts.cpuProf}/${mode}-${rep}`);
      try {
        // The generator is never pinned here (one server process is, to CPU 0: e2e-webhook.ts). Pinned
        // to CPU 1 it shared that CPU with PostgreSQL and read its 1,000 sockets after PostgreSQL's
        // turn: 8–10 ms more on every screen figure (docs/performance.md, session 6), time no staff
        // screen spends, as screens are other machines. Unpinned it may as well take the server's CPU.
        out.e2e[mode].push(await runJsonChild<E2eResult>('bench/e2e-webhook.ts', args, { fdLimit: opts.e2eStaff + 1024, timeoutMs: 20 * 60_000 }));
      } catch (err) {
        notes.push(`end to end ${mode} rep ${rep} failed: ${(err as Error).message}`);
      }
    }
  }

  if (opts.idleConns > 0) {
    const { hard } = fdLimits();
    const conns = Math.min(opts.idleConns, hard - 1_000);
    if (conns < opts.idleConns)
      notes.push(
        `idle phase: ${opts.idleConns.toLocaleString('en-US')} connections asked, ${conns.toLocaleString('en-US')} run: the open-files hard limit is ${hard} (ulimit -Hn) and this process may not raise it (no CAP_SYS_RESOURCE); run where \`ulimit -Hn\` ≥ ${opts.idleConns + 1_000} for the full count`,
      );
    out.idle.conns = conns;
    const t0 = performance.now();
    for (const target of ['bare-ws', 'scan2food']) {
      out.idle.runs[target] = [];
      for (let rep = 1; rep <= opts.reps; rep++) {
        log(`idle ${conns} connections, ${target} repetition ${rep}/${opts.reps}`);
        try {
          out.idle.runs[target].push(
            await runJsonChild<IdleResult>('bench/idle-phase.ts', [JSON.stringify({ target, conns, inflight: 500 })], { cpu: pin ? GENERATOR_CPU : undefined, fdLimit: conns + 1_000, timeoutMs: 15 * 60_000 }),
          );
        } catch (err) {
          notes.push(`idle ${target} rep ${rep} failed: ${(err as Error).message}`);
        }
      }
    }
    out.idle.wallS = (performance.now() - t0) / 1000;
  }

  if (opts.relayEvents > 0) {
    for (let rep = 1; rep <= opts.reps; rep++) {
      log(`relay: ${opts.relayEvents} events, ${opts.relayProcesses} processes, repetition ${rep}/${opts.reps}`);
      try {
        out.relay.push(
          await runJsonChild<RelayResult>('bench/relay-throughput.ts', [JSON.stringify({ events: opts.relayEvents, processes: opts.relayProcesses, writeRate: 500, writeSeconds: opts.quick ? 2 : 10 })], { timeoutMs: 10 * 60_000 }),
        );
      } catch (err) {
        notes.push(`relay rep ${rep} failed: ${(err as Error).message}`);
      }
    }
  }
  return out;
}

// --- report -------------------------------------------------------------------------------

function fmt(v: number, digits = 1): string {
  return Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}
function med(values: number[], digits = 1): string {
  const s = spread(values);
  if (!Number.isFinite(s.median)) return 'n/a';
  return values.length < 2 ? fmt(s.median, digits) : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}
const median = (values: number[]) => spread(values).median;

function fanoutOf(results: Map<string, LoadResult[]>, target: string, subscribers: number): FanoutFigures[] {
  return (results.get(target) ?? []).map((r) => r.fanout.find((f) => f.subscribers === subscribers)).filter((f): f is FanoutFigures => !!f);
}

/** Losses and duplicates anywhere in the run: the bench fails when this is not zero. */
export function faults(results: Map<string, LoadResult[]>, extra: ExtraResults): string[] {
  const out: string[] = [];
  for (const [target, runs] of results)
    for (const r of runs) for (const f of r.fanout) if (f.lost || f.duplicated) out.push(`${target} fan-out ${f.subscribers}: lost ${f.lost}, duplicated ${f.duplicated}`);
  for (const [mode, runs] of Object.entries(extra.e2e))
    for (const r of runs) for (const p of r.phases) if (p.lost || p.duplicated || p.webhookErrors) out.push(`end to end ${mode} every ${p.intervalMs} ms: lost ${p.lost}, duplicated ${p.duplicated}, webhook errors ${p.webhookErrors}`);
  for (const [target, runs] of Object.entries(extra.idle.runs)) for (const r of runs) if (r.lost || r.duplicated) out.push(`idle ${target}: lost ${r.lost}, duplicated ${r.duplicated}`);
  for (const r of extra.relay) if (r.lost || r.duplicated || r.live?.lost || r.live?.duplicated) out.push(`relay: lost ${r.lost + (r.live?.lost ?? 0)}, duplicated ${r.duplicated + (r.live?.duplicated ?? 0)}`);
  return out;
}

export function extraTables(results: Map<string, LoadResult[]>, extra: ExtraResults): string {
  const lines: string[] = [];
  const e2eModes = Object.keys(extra.e2e);
  if (e2eModes.length) {
    lines.push('### End to end: signed payment webhook → order.confirmed on every staff socket (median (min–max) of the repetitions)', '');
    lines.push('| engine | interval | orders | deliveries | p50 / p99 / max (ms) | webhook answer p50 / p99 / first 10 max (ms) | the same timed by the server (ms) | server CPU / order (ms) | lost / dup (sum) |', '|---|---|---|---|---|---|---|---|---|');
    for (const mode of e2eModes) {
      const runs = extra.e2e[mode]!;
      const intervals = [...new Set(runs.flatMap((r) => r.phases.map((p) => p.intervalMs)))];
      for (const interval of intervals) {
        const ph = runs.map((r) => r.phases.find((p) => p.intervalMs === interval)!).filter(Boolean);
        lines.push(
          `| ${mode} (${runs[0]?.processes ?? '?'} process${runs[0]?.processes === 1 ? '' : 'es'}) | ${interval} ms | ${ph[0]?.orders ?? 'n/a'} | ${ph.reduce((n, p) => n + p.deliveries, 0)} | ` +
            `${med(ph.map((p) => p.p50))} / ${med(ph.map((p) => p.p99))} / ${med(ph.map((p) => p.max))} | ` +
            `${med(ph.map((p) => p.webhookP50))} / ${med(ph.map((p) => p.webhookP99))} / ${med(ph.map((p) => p.webhookFirst10Max))} | ` +
            `${med(ph.map((p) => p.serverAnswerP50))} / ${med(ph.map((p) => p.serverAnswerP99))} / ${med(ph.map((p) => p.serverAnswerFirst10Max))} | ` +
            `${med(ph.map((p) => p.serverCpuMsPerOrder), 2)} | ${ph.reduce((n, p) => n + p.lost, 0)} / ${ph.reduce((n, p) => n + p.duplicated, 0)} |`,
        );
      }
    }
    lines.push('');
  }
  const idleTargets = Object.keys(extra.idle.runs);
  if (idleTargets.length) {
    lines.push(`### ${extra.idle.conns.toLocaleString('en-US')} idle authenticated connections on one process (phase took ${fmt(extra.idle.wallS, 0)} s)`, '');
    lines.push('| target | opened | open time (s) | memory / conn (KB) | after a full GC (KB) | one broadcast reaches all (ms) | lost / dup |', '|---|---|---|---|---|---|---|');
    for (const t of idleTargets) {
      const runs = extra.idle.runs[t]!;
      lines.push(
        `| ${t} | ${med(runs.map((r) => r.opened), 0)} | ${med(runs.map((r) => r.openWallS))} | ${med(runs.map((r) => r.memPerConnBytes / 1024), 2)} | ${med(runs.map((r) => r.memPerConnAfterGcBytes / 1024), 2)} | ${med(runs.map((r) => r.broadcastMedianMs), 0)} | ${runs.reduce((n, r) => n + r.lost, 0)} / ${runs.reduce((n, r) => n + r.duplicated, 0)} |`,
      );
    }
    lines.push('');
  }
  if (extra.relay.length) {
    const r = extra.relay;
    lines.push(`### Outbox relay on PostgreSQL, ${r[0]!.processes} processes, one Redis bus`, '');
    lines.push('| backlog | drain (s) | events / s | lost / dup | reordered (bus) | live 500/s commit→bus p50 / p99 (ms) |', '|---|---|---|---|---|---|');
    lines.push(
      `| ${r[0]!.events.toLocaleString('en-US')} | ${med(r.map((x) => x.drainS), 2)} | ${med(r.map((x) => x.eventsPerS), 0)} | ${r.reduce((n, x) => n + x.lost, 0)} / ${r.reduce((n, x) => n + x.duplicated, 0)} | ${med(r.map((x) => x.reordered), 0)} | ` +
        `${med(r.map((x) => x.live?.p50Ms ?? NaN))} / ${med(r.map((x) => x.live?.p99Ms ?? NaN))} |`,
      '',
    );
  }

  // The goals, each beside bare ws of this run.
  const goal = (name: string, figure: number, bare: number | undefined, limit: number, unit: string, ratioGoal = false) => {
    const ratio = bare !== undefined && Number.isFinite(bare) ? figure / bare : NaN;
    const met = ratioGoal ? ratio <= limit : figure <= limit;
    return `| ${name} | ${fmt(figure)} ${unit} | ${bare !== undefined ? `${fmt(bare)} ${unit}` : '—'} | ${Number.isFinite(ratio) ? `${fmt(ratio, 2)}×` : '—'} | ${Number.isFinite(figure) ? (met ? 'met' : '**missed**') : 'not run'} |`;
  };
  const bare1k = median(fanoutOf(results, 'bare-ws', 1000).map((f) => f.latencyP99Ms));
  const rows: string[] = [];
  const p99Of = (mode: string, interval: number, f: (p: E2eResult['phases'][number]) => number) =>
    median((extra.e2e[mode] ?? []).map((r) => r.phases.find((p) => p.intervalMs === interval)).filter((p): p is E2eResult['phases'][number] => !!p).map(f));
  for (const [mode, limit] of [['sqlite', 50], ['postgres', 50], ['cluster', 100]] as const) {
    if (!extra.e2e[mode]) continue;
    rows.push(goal(`webhook → 1,000 staff p99, every 100 ms, ${mode} ≤ ${limit} ms (bare: ws fan-out p99 at 1,000, 10/s)`, p99Of(mode, 100, (p) => p.p99), bare1k, limit, 'ms'));
    rows.push(goal(`webhook answer p99, ${mode} ≤ 20 ms`, p99Of(mode, 100, (p) => p.webhookP99), undefined, 20, 'ms'));
    rows.push(goal(`slowest of the first 10 webhook answers, ${mode} ≤ 20 ms`, p99Of(mode, 100, (p) => p.webhookFirst10Max), undefined, 20, 'ms'));
    rows.push(goal(`webhook answer p99 timed by the server, ${mode} ≤ 20 ms`, p99Of(mode, 100, (p) => p.serverAnswerP99), undefined, 20, 'ms'));
  }
  const cpu = (t: string) => median(fanoutOf(results, t, 5000).map((f) => f.serverCpuPerDeliveryUs));
  if (Number.isFinite(cpu('scan2food'))) rows.push(goal('server CPU / delivered message at 5,000 ≤ 1.0× bare ws', cpu('scan2food'), cpu('bare-ws'), 1.0, 'µs', true));
  if (extra.relay.length) rows.push(`| relay ≥ 10,000 events/s commit→bus, ${extra.relay[0]!.processes} processes | ${fmt(median(extra.relay.map((r) => r.eventsPerS)), 0)} /s | — | — | ${median(extra.relay.map((r) => r.eventsPerS)) >= 10_000 ? 'met' : '**missed**'} |`);
  if (idleTargets.length) {
    const mem = (t: string) => median((extra.idle.runs[t] ?? []).map((r) => r.memPerConnBytes / 1024));
    rows.push(goal(`memory / idle conn at ${extra.idle.conns.toLocaleString('en-US')} ≤ 1.2× bare ws (RSS delta, no GC forced)`, mem('scan2food'), mem('bare-ws'), 1.2, 'KB', true));
    const kept = (t: string) => median((extra.idle.runs[t] ?? []).map((r) => r.memPerConnAfterGcBytes / 1024));
    rows.push(goal(`memory / idle conn at ${extra.idle.conns.toLocaleString('en-US')} ≤ 1.2× bare ws (after a full GC)`, kept('scan2food'), kept('bare-ws'), 1.2, 'KB', true));
    const reach = (t: string) => median((extra.idle.runs[t] ?? []).map((r) => r.broadcastMedianMs));
    rows.push(`| one broadcast reaches all ${extra.idle.conns.toLocaleString('en-US')} (reported) | ${fmt(reach('scan2food'), 0)} ms | ${fmt(reach('bare-ws'), 0)} ms | ${fmt(reach('scan2food') / reach('bare-ws'), 2)}× | reported |`);
  }
  if (rows.length) lines.push('### Goals (figure, bare ws of the same run, ratio)', '', '| goal | scan2food | bare ws | ratio | |', '|---|---|---|---|---|', ...rows, '');
  return lines.join('\n');
}
