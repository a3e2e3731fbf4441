// The generator's view of the server process: CPU time, RSS, and waiting for it to go idle.
import { setTimeout as sleep } from 'node:timers/promises';
import { clockTicksPerSecond, processCpuMicros, processRssBytes } from './proc-stats.js';

const QUIET_SAMPLE_MS = 100;
const QUIET_SAMPLES = 3;
const QUIET_MAX_WAIT_MS = 10_000;

export class ServerProbe {
  constructor(readonly pid: number) {}

  cpuUs(): number {
    return processCpuMicros(this.pid);
  }

  rssBytes(): number {
    return processRssBytes(this.pid);
  }

  /**
   * Resolves when the server used at most one clock tick over QUIET_SAMPLES samples
   * (it finished the work of the last phase), or after QUIET_MAX_WAIT_MS.
   */
  async waitQuiet(): Promise<boolean> {
    const tickUs = 1e6 / clockTicksPerSecond();
    const until = performance.now() + QUIET_MAX_WAIT_MS;
    const window: number[] = [this.cpuUs()];
    while (performance.now() < until) {
      await sleep(QUIET_SAMPLE_MS);
      window.push(this.cpuUs());
      if (window.length > QUIET_SAMPLES + 1) window.shift();
      if (window.length === QUIET_SAMPLES + 1 && window[QUIET_SAMPLES]! - window[0]! <= tickUs) return true;
    }
    return false;
  }
}

/** user + system CPU of this process, in microseconds. */
export function ownCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
