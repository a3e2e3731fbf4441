import type { Logger } from '../observability/logger.js';

interface Deps {
  /** Claims and emits due unseen alerts (OrderService.emitUnseenAlerts); the alert templates are enqueued in the same transaction. */
  emitUnseenAlerts: () => Promise<unknown[]>;
  /** Kicks the outbox relay and the WhatsApp sender after alerts were committed. */
  committed: () => void;
  logger: Logger;
  intervalMs: number;
}

/**
 * One periodic check per process. The state lives in the database (orders.unseen_alerted_at,
 * claimed by a conditional update), so an alert survives a restart and fires once even with
 * several processes checking.
 */
export class UnseenEscalator {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly deps: Deps) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.deps.intervalMs);
    this.timer.unref();
    void this.check();
  }

  /** Runs one check now (or joins the running one). */
  check(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.deps
      .emitUnseenAlerts()
      .then((alerted) => {
        if (alerted.length === 0) return;
        this.deps.logger.info({ count: alerted.length }, 'unseen order alerts raised');
        this.deps.committed();
      })
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'unseen order check failed; will retry'))
      .finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
