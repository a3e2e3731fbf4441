import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Client } from '../realtime/client.js';
import type { ConnectionHooks } from '../realtime/gateway.js';
import { appendEvent } from '../streams/event.repository.js';
import { ALL_THEATRES_STREAM } from '../streams/stream-names.js';

export interface TheatrePresence {
  theatreId: number;
  online: boolean;
  connections: number;
}

/** The theatre a client counts for: staff following their theatre's live orders. */
function theatreOf(client: Client): number | null {
  const p = client.principal;
  if (client.socket !== 'live-orders' || p.kind !== 'ticket' || p.scope.kind !== 'theatre') return null;
  return p.scope.theatreId;
}

/**
 * Which theatres have staff watching their live orders. A `presence` event goes to `theatres`
 * (through the outbox, so it has a seq and survives like any event) when a theatre's first staff
 * connection opens and when its last one closes.
 */
export class PresenceService implements ConnectionHooks {
  private readonly counts = new Map<number, number>();
  private readonly counted = new WeakSet<Client>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
    private readonly written: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  opened(client: Client): void {
    const theatreId = theatreOf(client);
    if (theatreId === null) return;
    this.counted.add(client);
    const n = (this.counts.get(theatreId) ?? 0) + 1;
    this.counts.set(theatreId, n);
    if (n === 1) this.record({ theatreId, online: true, connections: 1 });
  }

  closed(client: Client): void {
    const theatreId = theatreOf(client);
    if (theatreId === null || !this.counted.has(client)) return;
    this.counted.delete(client);
    const n = (this.counts.get(theatreId) ?? 1) - 1;
    if (n > 0) {
      this.counts.set(theatreId, n);
      return;
    }
    this.counts.delete(theatreId);
    this.record({ theatreId, online: false, connections: 0 });
  }

  snapshot(): TheatrePresence[] {
    return [...this.counts].map(([theatreId, connections]) => ({ theatreId, online: true, connections }));
  }

  private record(data: TheatrePresence): void {
    this.db
      .transaction()
      .execute((trx) => appendEvent(trx, ALL_THEATRES_STREAM, 'presence', data, this.now()))
      .then(this.written, this.onError);
  }
}
