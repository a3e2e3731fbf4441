import type { StreamEventRecord, StreamOpening, StreamSource } from './stream-source.js';

/**
 * Keeps the last snapshot opening of each stream, so a burst of (re)connections to a quiet
 * stream — every tablet of a chain after a deploy — costs no database read each.
 *
 * Why it is exact: a (snapshot, head N) pair stays a correct start for a new client as long as
 * this process has not yet seen an event of that stream, because every event after N will
 * still reach the client live. So any event seen for a stream drops its entry, and an opening
 * is only stored if no event of its stream was seen while it was being read (generation check).
 * Resumes (`since`) always read the history.
 */
export class SnapshotCache implements StreamSource {
  private readonly cached = new Map<string, StreamOpening>();
  private readonly generation = new Map<string, number>();
  /** Bumped by clear(), so an opening read across a clear() is not stored either. */
  private epoch = 0;

  constructor(
    private readonly source: StreamSource,
    private readonly maxStreams = 10_000,
  ) {}

  /** Called for every event this process receives, before it is delivered. */
  eventSeen(stream: string): void {
    this.cached.delete(stream);
    this.generation.set(stream, (this.generation.get(stream) ?? 0) + 1);
  }

  /**
   * Forgets everything: after the bus was resubscribed, events may have gone by unseen, so no
   * cached opening can be trusted to be followed by every later event.
   */
  clear(): void {
    this.cached.clear();
    this.epoch += 1;
  }

  async open(stream: string, since: number | undefined): Promise<StreamOpening> {
    if (since !== undefined) return this.source.open(stream, since);
    const hit = this.cached.get(stream);
    if (hit) return hit;
    const gen = this.generation.get(stream) ?? 0;
    const epoch = this.epoch;
    const opening = await this.source.open(stream, undefined);
    if ((this.generation.get(stream) ?? 0) === gen && this.epoch === epoch && opening.kind === 'snapshot') {
      if (this.cached.size >= this.maxStreams) this.cached.clear();
      this.cached.set(stream, opening);
    }
    return opening;
  }

  eventsAfter(stream: string, seq: number, limit: number): Promise<StreamEventRecord[]> {
    return this.source.eventsAfter(stream, seq, limit);
  }
}
