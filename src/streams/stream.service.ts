import type { Kysely } from 'kysely';
import { consistentRead } from '../db/consistent-read.js';
import type { DialectName } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import type { StreamEventRecord, StreamOpening, StreamSource } from '../realtime/stream-source.js';
import { EventRepository } from './event.repository.js';
import { readSnapshot, type SnapshotReaders } from './snapshot.js';
import { isTerminalEvent, isTerminalPayment } from './terminal.js';

const withTerminal = (events: StreamEventRecord[]): StreamEventRecord[] =>
  events.map((e) => (isTerminalEvent(e) ? { ...e, terminal: true } : e));

/**
 * Starts a client on its stream (SPEC §3): the head, then either the retained events after
 * `since` or a snapshot taken at that head (with `reset` when `since` was given but is older than
 * what is retained, or newer than the head).
 */
export class StreamService implements StreamSource {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly readers: SnapshotReaders,
  ) {}

  open(stream: string, since: number | undefined): Promise<StreamOpening> {
    return consistentRead(this.db, this.dialect, async (trx) => {
      const events = new EventRepository(trx);
      const head = await events.head(stream);
      if (since !== undefined && since <= head) {
        if (since === head) return { head, kind: 'replay', events: [] };
        const oldest = await events.oldestRetained(stream);
        if (oldest !== null && since >= oldest - 1) {
          return { head, kind: 'replay', events: withTerminal(await events.eventsSince(stream, since, head - since)) };
        }
      }
      const snapshot = await readSnapshot(trx, stream, this.readers);
      const terminal = isTerminalPayment((snapshot as { payment?: unknown }).payment);
      return { head, kind: 'snapshot', snapshot, reset: since !== undefined, terminal };
    });
  }

  async eventsAfter(stream: string, seq: number, limit: number): Promise<StreamEventRecord[]> {
    return withTerminal(await new EventRepository(this.db).eventsSince(stream, seq, limit));
  }
}
