import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which `scan2food serve` processes have a data folder open: each writes `serve-<pid>.pid` there
 * while it runs and removes it when it stops. A file whose process is gone (killed with -9) is
 * stale and ignored, so a crash never blocks a restore for ever.
 */
const PID_FILE = /^serve-(\d+)\.pid$/;

export function markRunning(dataDir: string, pid = process.pid): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, `serve-${pid}.pid`);
  writeFileSync(file, `${pid}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

export function runningServers(dataDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const m = PID_FILE.exec(name);
    if (!m) return [];
    const pid = Number(readFileSync(join(dataDir, name), 'utf8').trim() || m[1]);
    return isAlive(pid) ? [pid] : [];
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else — still running.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
