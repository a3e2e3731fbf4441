/**
 * A background job that never overlaps itself: the outbox relay, the WhatsApp sender, the
 * unseen-order check, history pruning. `kick()` starts a round or joins the running one; a kick
 * that arrives during a round makes exactly one more round after it, so work committed mid-round
 * is not left waiting for the next poll. The optional interval is the safety net. A failed round
 * is reported and retried later, never thrown.
 */
export interface SerialJobOptions {
  /** Poll interval; without it the job runs only when kicked. */
  intervalMs?: number;
  /** Run one round as soon as the job starts. */
  runOnStart?: boolean;
  onError: (err: unknown) => void;
  /** Called after a round that no kick is waiting behind (e.g. to schedule an early wake-up). */
  onIdle?: () => void;
}

export class SerialJob {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly opts: SerialJobOptions,
  ) {}

  start(): void {
    this.stopped = false;
    if (this.opts.intervalMs !== undefined) {
      this.timer = setInterval(() => void this.kick(), this.opts.intervalMs);
      this.timer.unref();
    }
    if (this.opts.runOnStart) void this.kick();
  }

  /** Whether stop() was called (a long round checks it between batches). */
  get isStopped(): boolean {
    return this.stopped;
  }

  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.round()
      .catch(this.opts.onError)
      .finally(() => {
        this.running = null;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          void this.kick();
        } else this.opts.onIdle?.();
      });
    return this.running;
  }

  /** Stops the interval and waits for the round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
