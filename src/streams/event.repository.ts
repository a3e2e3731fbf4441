import { PostgresAdapter, sql } from 'kysely';
import { toNumber } from '../db/dialect.js';
import type { Executor, Transaction } from '../db/executor.js';
import { beforeCommit } from '../db/unit-of-work.js';
import { compareLockOrder } from './stream-names.js';

export interface StreamEvent {
  /** Global outbox id. */
  id: number;
  stream: string;
  /** Position within the stream: 1, 2, 3... with no gaps. */
  seq: number;
  type: string;
  /** ISO-8601 UTC. */
  at: string;
  data: unknown;
}

type EventRow = { id: number; stream: string; seq: number; type: string; at: string; data: string };

const toEvent = (r: EventRow): StreamEvent => ({
  id: r.id,
  stream: r.stream,
  seq: r.seq,
  type: r.type,
  at: r.at,
  data: JSON.parse(r.data) as unknown,
});

/** An unpublished event as the relay claims it: `data` still the stored JSON text, never parsed. */
export interface OutboxRow {
  id: number;
  stream: string;
  seq: number;
  type: string;
  at: string;
  data: string;
}

/** An event waiting for its transaction's commit: `data` already JSON. */
interface PendingEvent {
  stream: string;
  type: string;
  at: string;
  data: string;
}

/** Events each open UnitOfWork transaction has queued for its commit. */
const pendingOf = new WeakMap<Transaction, PendingEvent[]>();

/** Rows per multi-row append: 5 parameters each, far below PostgreSQL's 65,535. */
const APPEND_CHUNK = 1_000;

/**
 * Appends an event to `stream` when `trx` commits: all of a transaction's events are written
 * together, just before the commit, in one statement on PostgreSQL, sorted in the lock order
 * (stream-names.ts). So a stream's head row is locked only for that statement and the commit,
 * not from the middle of the transaction on, and a writer pays one round trip for all its
 * events. Within a stream, events keep the order they were queued in. A transaction not opened
 * by a UnitOfWork gets the event appended at once.
 */
export async function appendAtCommit(trx: Transaction, stream: string, type: string, data: unknown, at: Date): Promise<void> {
  const event = { stream, type, at: at.toISOString(), data: JSON.stringify(data) };
  const pending = pendingOf.get(trx);
  if (pending) {
    pending.push(event);
    return;
  }
  const list = [event];
  const flush = () => {
    pendingOf.delete(trx); // an event queued after this point gets a flush of its own
    return new EventRepository(trx).appendAll(trx, list);
  };
  if (beforeCommit(trx, flush)) {
    pendingOf.set(trx, list);
    return;
  }
  await new EventRepository(trx).appendAll(trx, list);
}

/** First key of the relays' advisory lock (the second is the schema's hash): "s2fr". */
const RELAY_LOCK_CLASS = 0x73326672;

export interface PruneOptions {
  /** Keep at least the newest N events of each stream... */
  keepPerStream: number;
  /** ...and drop anything older than this, whichever removes more. */
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: PruneOptions = { keepPerStream: 1_000, maxAgeMs: 24 * 60 * 60 * 1_000 };

/** The outbox: events appended in their writer's transaction, history for resume, and the relay's queue. */
export class EventRepository {
  constructor(
    private readonly db: Executor,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Appends an event to `stream` inside the caller's transaction `trx`.
   *
   * The head is bumped with one upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, the same
   * statement on PostgreSQL and SQLite >= 3.35). On PostgreSQL the upsert row-locks the head until
   * the transaction ends, so concurrent writers of one stream queue up, and a rolled-back writer
   * gives its seq back: seqs have no gaps and, within a stream, commit in seq order (so outbox ids
   * within a stream are also in seq order). On SQLite the single writer gives the same.
   */
  async append(trx: Transaction, stream: string, type: string, data: unknown, at: Date): Promise<StreamEvent> {
    return toEvent(await this.appendJson(trx, { stream, type, at: at.toISOString(), data: JSON.stringify(data) }));
  }

  private async appendJson(trx: Transaction, e: PendingEvent): Promise<EventRow> {
    const { stream, type, at, data } = e;
    if (trx.getExecutor().adapter instanceof PostgresAdapter) {
      // One round trip instead of two: the head upsert and the insert in one statement (a
      // data-modifying CTE; SQLite has none, and its statements cost no round trip anyway).
      const { rows } = await sql<EventRow>`
        with head as (
          insert into stream_heads (stream, seq) values (${stream}, 1)
          on conflict (stream) do update set seq = stream_heads.seq + 1
          returning seq
        )
        insert into stream_events (stream, seq, type, at, data)
        select ${stream}, head.seq, ${type}, ${at}, ${data} from head
        returning id, stream, seq, type, at, data`.execute(trx);
      return rows[0]!;
    }
    const head = await trx
      .insertInto('stream_heads')
      .values({ stream, seq: 1 })
      .onConflict((oc) => oc.column('stream').doUpdateSet({ seq: sql<number>`stream_heads.seq + 1` }))
      .returning('seq')
      .executeTakeFirstOrThrow();
    return trx
      .insertInto('stream_events')
      .values({ stream, seq: head.seq, type, at, data })
      .returning(['id', 'stream', 'seq', 'type', 'at', 'data'])
      .executeTakeFirstOrThrow();
  }

  /**
   * Appends events in the caller's transaction, sorted in the lock order (stable: a stream's
   * events keep their order). On PostgreSQL one statement per chunk: the heads of all the
   * streams are bumped by their counts in one upsert (a data-modifying CTE, rows in lock order)
   * and the events inserted with the seqs that frees, in order, so ids within a stream follow
   * seqs. On SQLite (one writer, statements without round trips) one `append` each.
   */
  async appendAll(trx: Transaction, events: readonly PendingEvent[]): Promise<void> {
    const sorted = [...events].sort((a, b) => compareLockOrder(a.stream, b.stream));
    if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) {
      for (const e of sorted) await this.appendJson(trx, e);
      return;
    }
    for (let from = 0; from < sorted.length; from += APPEND_CHUNK) {
      const chunk = sorted.slice(from, from + APPEND_CHUNK);
      const values = sql.join(chunk.map((e, i) => sql`(${i}::int, ${e.stream}::text, ${e.type}::text, ${e.at}::text, ${e.data}::text)`));
      await sql`
        with input (ord, stream, type, at, data) as (values ${values}),
        counts as (select stream, count(*)::int as n, min(ord) as first from input group by stream),
        head as (
          insert into stream_heads (stream, seq)
          select stream, n from counts order by first
          on conflict (stream) do update set seq = stream_heads.seq + excluded.seq
          returning stream, seq
        )
        insert into stream_events (stream, seq, type, at, data)
        select i.stream, h.seq - c.n + row_number() over (partition by i.stream order by i.ord), i.type, i.at, i.data
        from input i join head h on h.stream = i.stream join counts c on c.stream = i.stream
        order by i.ord`.execute(trx);
    }
  }

  /** Events of `stream` with seq > sinceSeq, oldest first, at most `limit`. */
  async eventsSince(stream: string, sinceSeq: number, limit: number): Promise<StreamEvent[]> {
    const rows = await this.db
      .selectFrom('stream_events')
      .select(['id', 'stream', 'seq', 'type', 'at', 'data'])
      .where('stream', '=', stream)
      .where('seq', '>', sinceSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  /** The stream's last seq; 0 for a stream that never had an event. Survives pruning. */
  async head(stream: string, trx: Executor = this.db): Promise<number> {
    const row = await trx.selectFrom('stream_heads').select('seq').where('stream', '=', stream).executeTakeFirst();
    return row?.seq ?? 0;
  }

  /**
   * The oldest seq still stored for `stream`, or null when none is. A resume from `since` is
   * complete only if since >= oldest - 1 (and since <= head); otherwise the client needs a reset.
   */
  async oldestRetained(stream: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('stream_events')
      .select((eb) => eb.fn.min<number>('seq').as('min'))
      .where('stream', '=', stream)
      .executeTakeFirst();
    return row?.min === null || row?.min === undefined ? null : toNumber(row.min);
  }

  /**
   * Unpublished events with id > afterId, in id order. On PostgreSQL ids are drawn at insert
   * but become visible at commit, so a transaction can commit an id lower than one already seen.
   * A relay must therefore rely on the published flag (poll with afterId 0, or go back to 0
   * periodically) rather than only on "id > last id". Per-stream order is always id order.
   */
  async unpublishedAfter(afterId: number, limit: number): Promise<StreamEvent[]> {
    const rows = await this.db
      .selectFrom('stream_events')
      .select(['id', 'stream', 'seq', 'type', 'at', 'data'])
      .where('published', '=', 0)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  /**
   * Claims up to `limit` unpublished events in id order, hands them to `publish`, and marks them
   * published once it resolves; returns how many were claimed. When `publish` throws, nothing is
   * marked and the events stay for the next attempt.
   *
   * On PostgreSQL the relays of all processes take turns: each batch is one transaction that
   * first takes a transaction-level advisory lock (one per schema), then claims and marks the
   * batch in one statement (`UPDATE … RETURNING`), publishes it and commits. A relay woken while
   * another holds the lock waits for it (no poll), then sees what that one marked and claims
   * only the rest: no row is published by two relays, and the bus receives every stream in seq
   * order (batches one after another, each in id order, each fully answered by the bus before
   * its commit lets the next relay in). Row locks alone (SKIP LOCKED) would let two relays
   * publish interleaved batches of one stream, and a burst would reach followers out of order.
   * On SQLite there is one process and one relay: select, publish, mark.
   */
  async publishUnpublished(limit: number, publish: (rows: OutboxRow[]) => Promise<void>): Promise<number> {
    if (!this.isPostgres) {
      const rows = await this.db
        .selectFrom('stream_events')
        .select(['id', 'stream', 'seq', 'type', 'at', 'data'])
        .where('published', '=', 0)
        .orderBy('id')
        .limit(limit)
        .execute();
      if (rows.length === 0) return 0;
      await publish(rows);
      await this.markPublished(rows.map((r) => r.id));
      return rows.length;
    }
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${RELAY_LOCK_CLASS}, hashtext(current_schema()))`.execute(trx);
      const rows = await trx
        .updateTable('stream_events')
        .set({ published: 1 })
        .where('id', 'in', (eb) => eb.selectFrom('stream_events as claimable').select('claimable.id').where('claimable.published', '=', 0).orderBy('claimable.id').limit(limit))
        .returning(['id', 'stream', 'seq', 'type', 'at', 'data'])
        .execute();
      if (rows.length === 0) return 0;
      // RETURNING follows no order: the bus gets the batch in id (= seq, per stream) order.
      rows.sort((a, b) => a.id - b.id);
      await publish(rows);
      return rows.length;
    });
  }

  private get isPostgres(): boolean {
    return this.db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async markPublished(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('stream_events').set({ published: 1 }).where('id', 'in', [...ids]).execute();
  }

  /**
   * Deletes published events beyond the newest `keepPerStream` of their stream or older than
   * `maxAgeMs`. Unpublished events are never deleted. Heads are kept, so seqs never restart.
   * Returns how many events were deleted.
   */
  async prune(opts: PruneOptions = DEFAULT_RETENTION): Promise<number> {
    const cutoff = new Date(this.clock().getTime() - opts.maxAgeMs).toISOString();
    const result = await this.db
      .deleteFrom('stream_events')
      .where('published', '=', 1)
      .where((eb) =>
        eb.or([
          eb('at', '<', cutoff),
          eb(
            'seq',
            '<=',
            eb
              .selectFrom('stream_heads')
              .select(sql<number>`stream_heads.seq - ${opts.keepPerStream}`.as('floor'))
              .whereRef('stream_heads.stream', '=', 'stream_events.stream'),
          ),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
