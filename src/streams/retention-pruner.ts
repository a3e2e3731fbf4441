import type { EventRepository, PruneOptions } from './event.repository.js';

/**
 * Deletes stream history beyond retention on a timer, so a resume from further back gets a
 * snapshot with `reset`. One per process: several processes pruning one database is harmless
 * (the delete is idempotent and never touches unpublished events or stream heads).
 */
export class RetentionPruner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly events: EventRepository,
    private readonly retention: PruneOptions,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.prune(), this.intervalMs);
    this.timer.unref();
  }

  /** Prunes now (skipped if a prune is already running); resolves with nothing, errors are reported. */
  prune(): Promise<void> {
    this.running ??= this.events
      .prune(this.retention)
      .then(() => undefined, this.onError)
      .finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
