import { SerialJob } from '../jobs/serial-job.js';
import type { Logger } from '../observability/logger.js';

interface Deps {
  /**
   * Claims and emits due unseen alerts (OrderService.emitUnseenAlerts), each in its own unit of
   * work, which wakes the relay (and the WhatsApp sender when a reaction queued a notice).
   */
  emitUnseenAlerts: () => Promise<unknown[]>;
  logger: Logger;
  intervalMs: number;
}

/**
 * One periodic check per process. The state lives in the database (orders.unseen_alerted_at,
 * claimed by a conditional update), so an alert survives a restart and fires once even with
 * several processes checking.
 */
export class UnseenEscalator {
  private readonly job: SerialJob;

  constructor(private readonly deps: Deps) {
    this.job = new SerialJob(() => this.round(), {
      intervalMs: deps.intervalMs,
      runOnStart: true,
      onError: (err) => deps.logger.warn({ err }, 'unseen order check failed; will retry'),
    });
  }

  start(): void {
    this.job.start();
  }

  /** Runs one check now (or joins the running one). */
  check(): Promise<void> {
    return this.job.kick();
  }

  private async round(): Promise<void> {
    const alerted = await this.deps.emitUnseenAlerts();
    if (alerted.length === 0) return;
    this.deps.logger.info({ count: alerted.length }, 'unseen order alerts raised');
  }

  stop(): Promise<void> {
    return this.job.stop();
  }
}
