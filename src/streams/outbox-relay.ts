import type { BusMessage, EventBus } from '../bus/event-bus.js';
import type { Logger } from '../observability/logger.js';
import type { EventRepository, OutboxRow } from './event.repository.js';
import { isTerminalEvent } from './terminal.js';
import { SerialJob } from '../jobs/serial-job.js';

/**
 * The event serialised once for every follower on every process. The same text as
 * `encodeEvent` (realtime/stream-source.ts), built around the stored JSON of `data` instead of
 * parsing and re-serialising it (the writer stored it with JSON.stringify, so it is already the
 * canonical text); only a payment status is parsed, to tell whether it is terminal.
 */
export function toBusMessage(e: OutboxRow): BusMessage {
  const payload = `{"type":${JSON.stringify(e.type)},"stream":${JSON.stringify(e.stream)},"seq":${e.seq},"at":${JSON.stringify(e.at)},"data":${e.data}}`;
  const message: BusMessage = { stream: e.stream, seq: e.seq, payload };
  if (e.type === 'payment.status' && isTerminalEvent({ type: e.type, data: JSON.parse(e.data) as unknown })) message.terminal = true;
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
 * Each batch is published in one bus round trip (publishAll). On PostgreSQL the relays of
 * several processes take turns batch by batch (an advisory lock, see
 * EventRepository.publishUnpublished): a row is published by one of them, never by two, every
 * stream in seq order; a process's own commit wakes its own relay, which at worst waits for the
 * batch another relay is publishing, never for the poll. A crash between publish and mark
 * publishes an event again; followers drop the repeat by seq.
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
      const claimed = await this.events.publishUnpublished(this.opts.batch, (rows) => this.bus.publishAll(rows.map(toBusMessage)));
      if (claimed < this.opts.batch) return;
    }
  }

  stop(): Promise<void> {
    return this.job.stop();
  }
}
