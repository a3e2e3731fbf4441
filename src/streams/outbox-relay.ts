import type { BusMessage, EventBus } from '../bus/event-bus.js';
import type { Logger } from '../observability/logger.js';
import { encodeEvent } from '../realtime/stream-source.js';
import type { EventRepository, StreamEvent } from './event.repository.js';
import { isTerminalEvent } from './terminal.js';
import { SerialJob } from '../jobs/serial-job.js';

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
  private readonly job: SerialJob;

  constructor(
    private readonly events: EventRepository,
    private readonly bus: EventBus,
    logger: Logger,
    private readonly opts: RelayOptions,
  ) {
    this.job = new SerialJob(() => this.drain(), {
      intervalMs: opts.pollMs,
      runOnStart: true,
      onError: (err) => logger.warn({ err }, 'outbox relay: publishing failed; will retry'),
    });
  }

  start(): void {
    this.job.start();
  }

  /** Publishes everything unpublished now; resolves when this drain (or the one it joined) ends. */
  kick(): Promise<void> {
    return this.job.kick();
  }

  private async drain(): Promise<void> {
    // Stops between batches once stop() is called, even while writers keep the outbox full.
    while (!this.job.isStopped) {
      const batch = await this.events.unpublishedAfter(0, this.opts.batch);
      if (batch.length === 0) return;
      // Published without awaiting each: one connection keeps them in order.
      await Promise.all(batch.map((e) => this.bus.publish(toBusMessage(e))));
      await this.events.markPublished(batch.map((e) => e.id));
      if (batch.length < this.opts.batch) return;
    }
  }

  stop(): Promise<void> {
    return this.job.stop();
  }
}
