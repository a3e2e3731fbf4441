// `npm run bench`: for each target and repetition, start a fresh server pinned to CPU 0, drive
// it from a load-generator process pinned to CPU 1, stop both; print medians as markdown and
// write everything as JSON under bench/results/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import {
  GENERATOR_CPU,
  SERVER_CPU,
  canPin,
  fdLimits,
  launch,
  startTarget,
} from './lib/child-process.js';
import { parseOptions, type BenchOptions } from './lib/options.js';
import type { LoadPlan, LoadResult } from './lib/plan.js';
import { markdownTable } from './lib/report.js';
import { extraTables, faults, runExtraPhases } from './lib/extra-phases.js';
import { targetByName, tsTarget } from './targets/index.js';

const RESULTS_DIR = 'bench/results';
/** Sockets and files a process needs beyond the benchmark's connections. */
const FD_HEADROOM = 256;
/** One repetition of one target never runs longer than this. */
const REP_TIMEOUT_MS = 15 * 60_000;

interface FdPlan {
  subscribers: number[];
  fdLimit: number | undefined;
  notes: string[];
}

/** Raises the children's open-files limit when the sizes need it, or drops the sizes it cannot hold. */
function planFds(opts: BenchOptions): FdPlan {
  const { soft, hard } = fdLimits();
  const notes: string[] = [];
  const fits = (n: number) => n + FD_HEADROOM <= hard;
  const subscribers = opts.subscribers.filter((s) => {
    if (fits(s)) return true;
    notes.push(`skipped ${s} subscribers: open-files hard limit is ${hard} (ulimit -Hn); raise it to run this size`);
    return false;
  });
  const needed = Math.max(opts.conns, ...subscribers) + FD_HEADROOM;
  if (!fits(opts.conns)) throw new Error(`--conns ${opts.conns} needs more open files than the hard limit ${hard}`);
  return { subscribers, fdLimit: needed > soft ? Math.min(needed, hard) : undefined, notes };
}

function runLoadgen(plan: LoadPlan, pin: boolean, fdLimit: number | undefined): Promise<LoadResult> {
  const child = launch(tsTarget('bench/loadgen.ts').concat(JSON.stringify(plan)), {
    cpu: pin ? GENERATOR_CPU : undefined,
    fdLimit,
  });
  child.stdin?.end();
  let last = '';
  createInterface({ input: child.stdout! }).on('line', (line) => (last = line));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), REP_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`load generator exited with code ${code}, signal ${signal}`));
      try {
        resolve(JSON.parse(last) as LoadResult);
      } catch {
        reject(new Error('load generator printed no result'));
      }
    });
  });
}

async function runOnce(name: string, opts: BenchOptions, fds: FdPlan, pin: boolean): Promise<LoadResult> {
  const spec = targetByName(name);
  const key = randomBytes(24).toString('base64url');
  const server = await startTarget(spec.command, {
    cpu: pin ? SERVER_CPU : undefined,
    fdLimit: fds.fdLimit,
    env: { ...spec.env, BENCH_KEY: key },
  });
  try {
    return await runLoadgen(
      {
        target: name,
        client: spec.client,
        port: server.port,
        serverPid: server.pid,
        key,
        wrongKey: `${key}x`,
        conns: opts.conns,
        inflight: opts.inflight,
        subscribers: fds.subscribers,
        broadcasts: opts.broadcasts,
        rate: opts.rate,
        size: opts.size,
      },
      pin,
      fds.fdLimit,
    );
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const t0 = performance.now();
  const opts = parseOptions(process.argv.slice(2));
  const fds = planFds(opts);
  const pin = canPin();
  const notes = [...fds.notes];
  if (!pin) notes.push('not pinned: taskset missing or fewer than 2 CPUs; server and generator share cores');
  const results = new Map<string, LoadResult[]>();
  for (const name of opts.targets) {
    const runs: LoadResult[] = [];
    for (let rep = 1; rep <= opts.reps; rep++) {
      process.stderr.write(`[bench] ${name} repetition ${rep}/${opts.reps}\n`);
      try {
        const r = await runOnce(name, opts, fds, pin);
        runs.push(r);
        notes.push(...r.notes.map((n) => `${name} rep ${rep}: ${n}`));
      } catch (err) {
        notes.push(`${name} rep ${rep} failed: ${(err as Error).message}`);
      }
    }
    results.set(name, runs);
  }
  const matrixS = (performance.now() - t0) / 1000;
  const table = markdownTable(results, fds.subscribers);
  const header =
    `${opts.targets.join(', ')} — ${opts.reps} reps, ${opts.conns} conns (${opts.inflight} in flight), ` +
    `${opts.broadcasts} broadcasts at ${opts.rate}/s of ${opts.size} B; median (min–max); ` +
    `${pin ? `server on CPU ${SERVER_CPU}, generator on CPU ${GENERATOR_CPU}` : 'unpinned'}; ${matrixS.toFixed(0)} s`;
  process.stdout.write(`\n${header}\n\n${table}\n${notes.length ? `\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`);

  // End to end, many idle connections, and the relay: each its own process (lib/extra-phases.ts).
  const extra = await runExtraPhases(opts);
  process.stdout.write(`\n${extraTables(results, extra)}\n${extra.notes.length ? `\nNotes:\n${extra.notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`);
  const failures = faults(results, extra);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}/${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
  const elapsedS = (performance.now() - t0) / 1000;
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, pinned: pin, fdLimit: fds.fdLimit };
  writeFileSync(file, `${JSON.stringify({ startedAt, elapsedS, options: opts, machine, notes, results: Object.fromEntries(results), extra, failures }, null, 2)}\n`);
  process.stdout.write(`\nWhole run ${elapsedS.toFixed(0)} s. Results written to ${file}\n`);
  if (failures.length) {
    // Every delivery exactly once and in order: any loss or duplicate fails the run.
    process.stderr.write(`bench FAILED: messages lost or duplicated:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
