// Turns the repetitions of every target into one markdown table: median (min–max).
import type { FanoutFigures, LoadResult } from './plan.js';
import { spread } from './stats.js';

type Row = { figure: string; cell: (runs: LoadResult[]) => string };

function fmt(v: number, digits: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function med(values: number[], digits: number): string {
  const s = spread(values);
  if (!Number.isFinite(s.median)) return 'n/a';
  if (values.length < 2) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

function fanoutAt(r: LoadResult, subscribers: number): FanoutFigures | undefined {
  return r.fanout.find((f) => f.subscribers === subscribers);
}

function fanoutRows(subscribers: number): Row[] {
  const pick = (runs: LoadResult[], f: (x: FanoutFigures) => number) =>
    runs.map((r) => fanoutAt(r, subscribers)).filter((x): x is FanoutFigures => !!x).map(f);
  const at = `(d) ${subscribers.toLocaleString('en-US')} subs:`;
  return [
    { figure: `${at} delivery p50 / p99 / max (ms)`, cell: (runs) =>
        [med(pick(runs, (x) => x.latencyP50Ms), 1), med(pick(runs, (x) => x.latencyP99Ms), 1), med(pick(runs, (x) => x.latencyMaxMs), 1)].join(' / ') },
    { figure: `${at} server CPU / delivered msg (µs)`, cell: (runs) => med(pick(runs, (x) => x.serverCpuPerDeliveryUs), 1) },
    { figure: `${at} generator CPU / delivered msg (µs)`, cell: (runs) => med(pick(runs, (x) => x.genCpuPerDeliveryUs), 1) },
    { figure: `${at} one broadcast reaches all (ms)`, cell: (runs) => med(pick(runs, (x) => x.reachAllMs), 1) },
    { figure: `${at} lost / duplicated (sum of reps)`, cell: (runs) => {
        const f = runs.map((r) => fanoutAt(r, subscribers)).filter((x): x is FanoutFigures => !!x);
        if (f.length === 0) return 'skipped';
        const sum = (g: (x: FanoutFigures) => number) => f.reduce((a, x) => a + g(x), 0);
        const short = sum((x) => x.subscribers - x.connected);
        return `${sum((x) => x.lost)} / ${sum((x) => x.duplicated)}${short ? ` (${short} subs failed to connect)` : ''}`;
      } },
  ];
}

function whereRefused(runs: LoadResult[]): string {
  const tally: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.refuse.where)) tally[k] = (tally[k] ?? 0) + v;
  const wrong = runs.reduce((a, r) => a + r.refuse.wronglyAccepted, 0);
  const parts = Object.entries(tally).sort((a, b) => b[1] - a[1]).map(([k]) => k);
  return (parts.join('; ') || 'n/a') + (wrong ? `; ${wrong} WRONGLY ACCEPTED` : '');
}

export function markdownTable(results: Map<string, LoadResult[]>, subscriberSizes: number[]): string {
  const rows: Row[] = [
    { figure: '(a) server CPU / accepted conn (µs)', cell: (runs) => med(runs.map((r) => r.connect.serverCpuPerConnUs), 0) },
    { figure: '(a) generator CPU / accepted conn (µs)', cell: (runs) => med(runs.map((r) => r.connect.genCpuUs / r.connect.opened), 0) },
    { figure: '(a) handshake p50 / p99 (ms)', cell: (runs) =>
        `${med(runs.map((r) => r.connect.handshakeP50Ms), 1)} / ${med(runs.map((r) => r.connect.handshakeP99Ms), 1)}` },
    { figure: '(a) connections / s', cell: (runs) => med(runs.map((r) => r.connect.connsPerSec), 0) },
    { figure: '(b) server CPU / refused conn (µs)', cell: (runs) => med(runs.map((r) => r.refuse.serverCpuPerRefusedUs), 0) },
    { figure: '(b) generator CPU / refused conn (µs)', cell: (runs) => med(runs.map((r) => r.refuse.genCpuUs / r.refuse.attempted), 0) },
    { figure: '(b) refused where', cell: whereRefused },
    { figure: '(c) memory / idle conn (KB)', cell: (runs) => med(runs.map((r) => r.connect.memPerIdleConnBytes / 1024), 1) },
    ...subscriberSizes.flatMap(fanoutRows),
  ];
  const names = [...results.keys()];
  const lines = [
    `| figure | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.figure} | ${names.map((n) => row.cell(results.get(n) ?? [])).join(' | ')} |`),
  ];
  return lines.join('\n');
}
