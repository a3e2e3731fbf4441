import { sql, type ExpressionBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { Database, DialectName } from '../db/database.js';
import { toNumber } from '../db/dialect.js';
import type { SalesFigures } from '../protocol/index.js';
import type { OffsetSegment } from './time-zones.js';

export type { SalesFigures };

export type SalesGroupBy = 'day' | 'month' | 'hour' | 'paymentMethod' | 'theatre';

/** Theatres sharing one time zone, and the UTC instants their local range starts and ends. */
export interface ZoneScope {
  /** IANA name: PostgreSQL converts with it. */
  zone: string;
  theatreIds: number[];
  /** ISO-8601 UTC, inclusive. */
  start: string;
  /** ISO-8601 UTC, exclusive. */
  end: string;
  /** The zone's offsets over [start, end): SQLite buckets by them (it has no time zones). */
  offsets: OffsetSegment[];
}

export interface ItemFigures {
  itemId: number;
  name: string;
  quantity: number;
  gross: number;
}

/**
 * Local-time keys. PostgreSQL groups by a cheap truncation per order and formats once per group
 * (`to_char` on every order cost ~5× the rest of the query on a year of orders).
 */
const LOCAL_KEYS = {
  day: { pgBucket: (t: RawBuilder<unknown>) => sql`date_trunc('day', ${t})`, pgKey: sql<string>`to_char(g.bucket, 'YYYY-MM-DD')`, sqlite: '%Y-%m-%d' },
  month: { pgBucket: (t: RawBuilder<unknown>) => sql`date_trunc('month', ${t})`, pgKey: sql<string>`to_char(g.bucket, 'YYYY-MM')`, sqlite: '%Y-%m' },
  hour: { pgBucket: (t: RawBuilder<unknown>) => sql`extract(hour from ${t})`, pgKey: sql<string>`to_char(g.bucket, 'FM00')`, sqlite: '%H' },
} as const;

/**
 * Sales figures summed by the database (SQL GROUP BY), on SQLite and PostgreSQL alike.
 *
 * Which orders count (SPEC §6): confirmed inside the range, in each theatre's own time zone, and
 * not cancelled. An order can only be cancelled before delivery (order-state.ts), so `status <>
 * 'cancelled'` is "not cancelled before delivery"; a refunded order counts, its refunds with it,
 * dated by its confirmation.
 *
 * Local time: PostgreSQL converts with the theatre's zone itself
 * (`confirmed_at::timestamptz AT TIME ZONE <zone>`). SQLite has no zones, so the caller passes
 * each zone's UTC offsets over the range (time-zones.ts offsetSegments, from Node's ICU data) and
 * SQLite shifts `confirmed_at` by the offset in force at that instant. That keeps the stored order
 * exactly what it was (no derived "local date" column to backfill, or to go stale when a theatre
 * corrects its zone) and costs a CASE per row: see docs/performance.md "Sales reports".
 */
export class ReportRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  private counted(eb: ExpressionBuilder<{ o: Database['orders'] }, 'o'>, scopes: ZoneScope[]) {
    return eb.and([
      eb('o.status', '<>', 'cancelled'),
      eb.or(scopes.map((s) => eb.and([eb('o.theatre_id', 'in', s.theatreIds), eb('o.confirmed_at', '>=', s.start), eb('o.confirmed_at', '<', s.end)]))),
    ]);
  }

  /** The key an order is grouped under. */
  /** What orders are grouped by (per order), and the key a group is named by (per group). */
  private keyOf(groupBy: SalesGroupBy, scopes: ZoneScope[]): { bucket: RawBuilder<unknown>; key: RawBuilder<string> } {
    const asIs = sql<string>`g.bucket`;
    if (groupBy === 'paymentMethod') return { bucket: sql`o.payment_method`, key: asIs };
    if (groupBy === 'theatre') return { bucket: sql`cast(o.theatre_id as text)`, key: asIs };
    const local = LOCAL_KEYS[groupBy];
    if (this.dialect === 'postgres') {
      return { bucket: local.pgBucket(sql`(cast(o.confirmed_at as timestamptz) at time zone ${pgZone(scopes)})`), key: local.pgKey };
    }
    return { bucket: sql`strftime(${sql.lit(local.sqlite)}, o.confirmed_at, ${sqliteShift(scopes)})`, key: asIs };
  }

  /**
   * Figures per key (unordered), in one pass over the counted orders. Each row also carries its
   * delivered orders' count and summed confirmation-to-delivery minutes, so the totals (sums of
   * the rows' integer sums, exact) and the mean delivery time need no second scan.
   */
  async sales(groupBy: SalesGroupBy, scopes: ZoneScope[]): Promise<Array<SalesFigures & { key: string; delivered: number; deliveryMinutes: number }>> {
    const minutes =
      this.dialect === 'postgres'
        ? sql<number>`extract(epoch from cast(o.delivered_at as timestamptz) - cast(o.confirmed_at as timestamptz)) / 60.0`
        : sql<number>`(julianday(o.delivered_at) - julianday(o.confirmed_at)) * 1440.0`;
    const { bucket, key } = this.keyOf(groupBy, scopes);
    const groups = this.db
      .selectFrom('orders as o')
      .where((eb) => this.counted(eb, scopes))
      .select(bucket.as('bucket'))
      .select((eb) => [
        eb.fn.countAll().as('orders'),
        eb.fn.sum<number>('o.amount').as('gross'),
        eb.fn.sum<number>('o.discount').as('discount'),
        eb.fn.sum<number>('o.tax_total').as('tax'),
        eb.fn.sum<number>('o.refunded_amount').as('refunds'),
        eb.fn.count('o.delivered_at').as('delivered'),
        // sum ignores NULLs: orders not delivered have no delivery time.
        sql<number | null>`sum(case when o.delivered_at is not null then ${minutes} end)`.as('delivery_minutes'),
      ])
      .groupBy(sql.ref('bucket'));
    const rows = await this.db
      .selectFrom(groups.as('g'))
      .select([key.as('key'), 'g.orders', 'g.gross', 'g.discount', 'g.tax', 'g.refunds', 'g.delivered', 'g.delivery_minutes'])
      .execute();
    return rows.map((r) => ({ key: String(r.key), ...figures(r), delivered: toNumber(r.delivered), deliveryMinutes: toNumber(r.delivery_minutes) }));
  }

  /** Quantity and Σ price × quantity per menu item over the counted orders. */
  async items(scopes: ZoneScope[]): Promise<ItemFigures[]> {
    const rows = await this.db
      .selectFrom('orders as o')
      .innerJoin('order_items as i', 'i.order_id', 'o.id')
      .where((eb) => this.counted(eb, scopes))
      .select((eb) => [
        'i.item_id',
        // The name as ordered; an item renamed within the range shows its latest-sorting name.
        eb.fn.max('i.name').as('name'),
        eb.fn.sum<number>('i.quantity').as('quantity'),
        eb.fn.sum<number>(sql`i.price * i.quantity`).as('gross'),
      ])
      .groupBy('i.item_id')
      .execute();
    return rows.map((r) => ({ itemId: r.item_id, name: r.name, quantity: toNumber(r.quantity), gross: toNumber(r.gross) }));
  }
}

function figures(r: { orders: unknown; gross: unknown; discount: unknown; tax: unknown; refunds: unknown }): SalesFigures {
  return { orders: toNumber(r.orders), gross: toNumber(r.gross), discount: toNumber(r.discount), tax: toNumber(r.tax), refunds: toNumber(r.refunds) };
}

/** The zone to convert with: the one of the scope, or per theatre when theatres differ (parameters). */
function pgZone(scopes: ZoneScope[]): RawBuilder<string> {
  if (scopes.length === 1) return sql<string>`${scopes[0]!.zone}`;
  const arms = scopes.map((s) => sql`when o.theatre_id in (${sql.join(s.theatreIds)}) then ${s.zone}`);
  return sql<string>`(case ${sql.join(arms, sql` `)} end)`;
}

const modifier = (minutes: number) => `${minutes >= 0 ? '+' : '-'}${Math.abs(minutes)} minutes`;

/**
 * The SQLite date modifier ('+330 minutes') in force for each order: per zone, the offset segment
 * its confirmation falls in. Every value is produced here from integers and ISO instants.
 */
function sqliteShift(scopes: ZoneScope[]): RawBuilder<string> {
  const perZone = (s: ZoneScope): RawBuilder<string> => {
    const last = s.offsets[s.offsets.length - 1]!;
    if (s.offsets.length === 1) return sql<string>`${sql.lit(modifier(last.minutes))}`;
    const whens = s.offsets.slice(0, -1).map((seg) => sql`when o.confirmed_at < ${sql.lit(seg.until!)} then ${sql.lit(modifier(seg.minutes))}`);
    return sql<string>`case ${sql.join(whens, sql` `)} else ${sql.lit(modifier(last.minutes))} end`;
  };
  if (scopes.length === 1) return perZone(scopes[0]!);
  const arms = scopes.map((s) => sql`when o.theatre_id in (${sql.join(s.theatreIds.map((id) => sql.lit(id)))}) then ${perZone(s)}`);
  return sql<string>`case ${sql.join(arms, sql` `)} end`;
}
