import type { Metrics } from '../observability/metrics.js';
import { SerialJob } from './serial-job.js';

/**
 * One kind of record that piles up and is forgotten after its retention: idempotency answers,
 * expired sessions, payment webhook ids, spent ticket ids.
 *
 * Contract: `prune` deletes only what is past retention, with one idempotent statement (or an
 * in-process sweep), so any number of processes may run it at the same time on one database:
 * a row two of them delete is simply counted by one. `size` is how many are kept now.
 */
export interface HousekeepingTask {
  /** The `store` label of the gauges (`idempotency_keys`, `sessions`, ...). */
  name: string;
  prune(): Promise<number>;
  size(): Promise<number>;
}

export interface HousekeepingOptions {
  intervalMs: number;
  onError: (err: unknown) => void;
}

/**
 * Runs every task on a timer (and once at start), then reports each store's size in /metrics.
 * One per process, like the retention pruner: a round never overlaps the previous one, and a
 * failing task is reported without keeping the others from running.
 */
export class Housekeeping {
  private readonly job: SerialJob;

  constructor(
    private readonly tasks: readonly HousekeepingTask[],
    private readonly metrics: Pick<Metrics, 'storeSize' | 'pruned'>,
    private readonly opts: HousekeepingOptions,
  ) {
    this.job = new SerialJob(() => this.round(), { intervalMs: opts.intervalMs, runOnStart: true, onError: opts.onError });
  }

  start(): void {
    this.job.start();
  }

  /**
   * Resolves after a whole round that started after this call (a round already under way may
   * have passed a table before the caller's rows existed); errors are reported, not thrown.
   */
  async run(): Promise<void> {
    await this.job.kick();
    await this.job.kick();
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  private async round(): Promise<void> {
    for (const task of this.tasks) {
      if (this.job.isStopped) return;
      try {
        const pruned = await task.prune();
        this.metrics.pruned.inc({ store: task.name }, pruned);
        this.metrics.storeSize.set({ store: task.name }, await task.size());
      } catch (err) {
        this.opts.onError(Object.assign(new Error(`housekeeping of ${task.name} failed`), { cause: err }));
      }
    }
  }
}
