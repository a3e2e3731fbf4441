// Starting and stopping the processes the harness measures: pinned to a CPU with taskset
// when it exists, with the open-files limit raised to what the run needs when allowed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const SERVER_CPU = 0;
export const GENERATOR_CPU = 1;
/** Target and generator commands use paths relative to the repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ANNOUNCE_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3_000;

export interface FdLimits {
  soft: number;
  hard: number;
}

export function fdLimits(): FdLimits {
  const out = spawnSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).stdout;
  const [soft, hard] = out.trim().split('\n').map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft: soft ?? 1024, hard: hard ?? soft ?? 1024 };
}

export function canPin(): boolean {
  if (availableParallelism() < 2) return false;
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

export interface LaunchOptions {
  cpu?: number;
  /** Open-files limit to set in the child (never above the hard limit). */
  fdLimit?: number;
  env?: Readonly<Record<string, string>>;
  stdio?: 'pipe' | 'inherit-stderr';
}

/** Wraps argv with `ulimit -n` and `taskset -c` as asked; both keep the pid (exec). */
export function launch(argv: readonly string[], opts: LaunchOptions): ChildProcess {
  let cmd = [...argv];
  if (opts.cpu !== undefined) cmd = ['taskset', '-c', String(opts.cpu), ...cmd];
  if (opts.fdLimit !== undefined) {
    cmd = ['/bin/sh', '-c', `ulimit -n ${opts.fdLimit} && exec "$@"`, 'sh', ...cmd];
  }
  const [file, ...args] = cmd as [string, ...string[]];
  return spawn(file, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', opts.stdio === 'pipe' ? 'pipe' : 'inherit'],
  });
}

export interface RunningTarget {
  port: number;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a target and resolves once it has printed `{"port":…,"pid":…}`. */
export async function startTarget(argv: readonly string[], opts: LaunchOptions): Promise<RunningTarget> {
  const child = launch(argv, opts);
  const lines = createInterface({ input: child.stdout! });
  const announced = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`target did not announce its port in ${ANNOUNCE_TIMEOUT_MS} ms`)), ANNOUNCE_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`target exited before announcing (code ${code}, signal ${signal})`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      try {
        const msg = JSON.parse(line) as { port?: unknown; pid?: unknown };
        if (typeof msg.port !== 'number' || typeof msg.pid !== 'number') throw new Error(`bad announce: ${line}`);
        resolve({ port: msg.port, pid: msg.pid });
      } catch (err) {
        fail(err as Error);
      }
    });
  });
  lines.on('line', (line) => process.stderr.write(`[target] ${line}\n`));
  return { ...announced, child, stop: () => stopChild(child) };
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
