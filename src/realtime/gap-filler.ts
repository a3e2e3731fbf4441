import type { Client } from './client.js';
import { DISCONNECTS } from './close-codes.js';
import { SharedFrame } from './connection.js';
import type { Hub } from './hub.js';
import { encodeEvent, type StreamSource } from './stream-source.js';

/** Events read from history per stream per fill; a client further behind resumes instead. */
const FILL_BATCH = 1_000;

/**
 * Fills gaps in live delivery from the stream history. Clients report a gap; after a short delay
 * (the missing event usually arrives by itself) one shared timer reads each affected stream's
 * history once, from the lowest point any of its clients lacks, and delivers it to them. Each
 * event read is serialised once for all of them.
 */
export class GapFiller {
  private readonly streams = new Set<string>();
  /** Streams to bring fully up to date, not only where a client saw a gap (after a bus interruption). */
  private readonly everyone = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly hub: Hub,
    private readonly source: StreamSource,
    private readonly delayMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  request(client: Client): void {
    this.streams.add(client.stream);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.fill().catch(this.onError);
    }, this.delayMs);
    this.timer.unref();
  }

  /**
   * After the bus was interrupted, a client may miss the last events of its stream without ever
   * seeing a later one that reveals the gap: every live client of every stream is brought up to
   * the stream's head from history.
   */
  catchUp(): void {
    for (const stream of this.hub.streamNames()) {
      this.everyone.add(stream);
      this.streams.add(stream);
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.fill().catch(this.onError);
    }, 0);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.streams.clear();
    this.everyone.clear();
  }

  private async fill(): Promise<void> {
    const streams = [...this.streams];
    this.streams.clear();
    await Promise.all(streams.map((stream) => this.fillStream(stream)));
  }

  private async fillStream(stream: string): Promise<void> {
    const all = this.everyone.delete(stream);
    const position = (c: Client) => (all ? c.sentUpTo : c.missingAfter);
    const waiting = [...this.hub.clientsOf(stream)].filter((c) => position(c) !== null);
    if (waiting.length === 0) return;
    const from = Math.min(...waiting.map((c) => position(c) as number));
    const events = await this.source.eventsAfter(stream, from, FILL_BATCH);
    if (all && events.length === 0) return; // nothing was missed
    if (events[0]?.seq !== from + 1) {
      // History no longer holds what they miss: they resume, and get a snapshot with reset.
      for (const client of waiting) client.disconnect(DISCONNECTS.tooSlow);
      return;
    }
    for (const event of events) {
      const payload = new SharedFrame(Buffer.from(encodeEvent(event)));
      for (const client of waiting) client.deliver(event.seq, payload, event.terminal === true);
    }
    // Clients still missing something (a batch was not enough) ask again.
    for (const client of waiting) if (client.missingAfter !== null) this.request(client);
    if (all && events.length === FILL_BATCH) {
      this.everyone.add(stream);
      this.request(waiting[0]!);
    }
  }
}
