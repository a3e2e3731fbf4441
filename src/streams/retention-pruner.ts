import { SerialJob } from '../jobs/serial-job.js';
import type { EventRepository, PruneOptions } from './event.repository.js';

/**
 * Deletes stream history beyond retention on a timer, so a resume from further back gets a
 * snapshot with `reset`. One per process: several processes pruning one database is harmless
 * (the delete is idempotent and never touches unpublished events or stream heads).
 */
export class RetentionPruner {
  private readonly job: SerialJob;

  constructor(
    private readonly events: EventRepository,
    private readonly retention: PruneOptions,
    intervalMs: number,
    onError: (err: unknown) => void,
  ) {
    this.job = new SerialJob(async () => void (await this.events.prune(this.retention)), { intervalMs, onError });
  }

  start(): void {
    this.job.start();
  }

  /** Prunes now (or joins the prune in progress); errors are reported, not thrown. */
  prune(): Promise<void> {
    return this.job.kick();
  }

  stop(): Promise<void> {
    return this.job.stop();
  }
}
