import type { BusMessage, EventBus } from '../bus/event-bus.js';
import type { Logger } from '../observability/logger.js';
import { encodeEvent } from '../realtime/stream-source.js';
import type { EventRepository, StreamEvent } from './event.repository.js';
import { isTerminalEvent } from './terminal.js';

/** The event serialised once for every follower on every process. */
function toBusMessage(e: StreamEvent): BusMessage {
  const message: BusMessage = { stream: e.stream, seq: e.seq, payload: encodeEvent(e) };
  if (isTerminalEvent(e)) message.terminal = true;
  return message;
}

export interface RelayOptions {
  /** Safety-net poll: events of a crashed writer, or written while the bus was down. */
  pollMs: number;
  batch: number;
}

/**
 * Moves committed events from the outbox (stream_events) to the bus, then marks them published.
 * Writers `kick()` it right after they commit; a slow poll catches everything else, so an event
 * committed before a crash or while Redis was down is published once things work again. One
 * drain runs at a time per process, in outbox id order (which is seq order within a stream).
 * A crash between publish and mark publishes an event twice; followers drop the repeat by seq.
 */
export class OutboxRelay {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly events: EventRepository,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly opts: RelayOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.opts.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Publishes everything unpublished now; resolves when this drain (or the one it joined) ends. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.logger.warn({ err }, 'outbox relay: publishing failed; will retry'))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.kick();
        }
      });
    return this.running;
  }

  private async drain(): Promise<void> {
    // Stops between batches once stop() is called, even while writers keep the outbox full.
    while (!this.stopped) {
      const batch = await this.events.unpublishedAfter(0, this.opts.batch);
      if (batch.length === 0) return;
      // Published without awaiting each: one connection keeps them in order.
      await Promise.all(batch.map((e) => this.bus.publish(toBusMessage(e))));
      await this.events.markPublished(batch.map((e) => e.id));
      if (batch.length < this.opts.batch) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
