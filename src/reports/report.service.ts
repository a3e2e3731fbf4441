import type { Kysely } from 'kysely';
import type { Actor } from '../accounts/actor.js';
import type { Database } from '../db/database.js';
import { appError } from '../http/errors.js';
import { MAX_REPORT_DAYS, REPORT_GROUPS, type ReportGroupBy, type SalesFigures, type SalesReport } from '../protocol/index.js';
import type { ReportRepository, ZoneScope } from './report.repository.js';
import { DAY_MS, localMidnight, offsetSegments, parseDate } from './time-zones.js';

export { MAX_REPORT_DAYS, REPORT_GROUPS };
export type { ReportGroupBy, SalesReport };

export interface ReportRequest {
  from: string;
  to: string;
  groupBy: ReportGroupBy;
  theatreId?: number | undefined;
}

const withNet = <T extends SalesFigures>(f: T): T & { net: number } => ({ ...f, net: f.gross - f.refunds });

/** Sales reports (SPEC §6 "Reports"): who may see which theatres, the range in each one's zone. */
export class ReportService {
  constructor(private readonly deps: { db: Kysely<Database>; reports: ReportRepository }) {}

  /**
   * @throws not_found when the actor may not see `theatreId` (or it does not exist)
   * @throws unprocessable when `from` is after `to` or the range is over 366 days
   */
  async sales(actor: Actor, req: ReportRequest): Promise<SalesReport> {
    const scopes = await this.scopes(actor, req);
    const { from, to, groupBy } = req;
    if (groupBy === 'item') {
      const items = scopes.length === 0 ? [] : await this.deps.reports.items(scopes);
      const rows = items.map((i) => ({ key: i.name, itemId: i.itemId, quantity: i.quantity, gross: i.gross }));
      // Best sellers first: by takings, then quantity, then id so the order is stable.
      rows.sort((a, b) => b.gross - a.gross || b.quantity - a.quantity || a.itemId - b.itemId);
      return { from, to, groupBy, rows, totals: { quantity: sum(rows, 'quantity'), gross: sum(rows, 'gross') } };
    }
    if (scopes.length === 0) return { from, to, groupBy, rows: [], totals: withNet({ orders: 0, gross: 0, discount: 0, tax: 0, refunds: 0, avgDeliveryMinutes: null }) };
    const grouped = await this.deps.reports.sales(groupBy, scopes);
    grouped.sort(groupBy === 'theatre' ? (a, b) => Number(a.key) - Number(b.key) : (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const rows = grouped.map(({ key, orders, gross, discount, tax, refunds }) => withNet({ key, orders, gross, discount, tax, refunds }));
    // The database summed each group; adding up integer group sums is exact, so the totals are
    // the sums over the same orders without a second scan.
    const delivered = sum(grouped, 'delivered');
    const totals = {
      orders: sum(rows, 'orders'),
      gross: sum(rows, 'gross'),
      discount: sum(rows, 'discount'),
      tax: sum(rows, 'tax'),
      refunds: sum(rows, 'refunds'),
      avgDeliveryMinutes: delivered === 0 ? null : Math.round((sum(grouped, 'deliveryMinutes') / delivered) * 10) / 10,
    };
    return { from, to, groupBy, rows, totals: withNet(totals) };
  }

  /** The theatres of the report grouped by time zone, each with its range as UTC instants. */
  private async scopes(actor: Actor, req: ReportRequest): Promise<ZoneScope[]> {
    const fromMs = parseDate(req.from);
    const toMs = parseDate(req.to);
    if (fromMs === null || toMs === null) throw appError('validation_failed', 'from and to must be dates, YYYY-MM-DD');
    if (fromMs > toMs) throw appError('unprocessable', 'from must not be after to.');
    if ((toMs - fromMs) / DAY_MS + 1 > MAX_REPORT_DAYS) throw appError('unprocessable', `A report covers at most ${MAX_REPORT_DAYS} days, counting both ends.`);

    const wanted = actor.role === 'staff' ? (req.theatreId ?? actor.theatreId) : req.theatreId;
    if (actor.role === 'staff' && wanted !== actor.theatreId) throw appError('not_found', 'No such theatre.');
    let q = this.deps.db.selectFrom('theatres').select(['id', 'time_zone']).orderBy('id');
    if (wanted !== undefined) q = q.where('id', '=', wanted);
    const theatres = await q.execute();
    if (wanted !== undefined && theatres.length === 0) throw appError('not_found', 'No such theatre.');

    const byZone = new Map<string, number[]>();
    for (const t of theatres) byZone.set(t.time_zone, [...(byZone.get(t.time_zone) ?? []), t.id]);
    return [...byZone].map(([zone, theatreIds]) => {
      const start = localMidnight(zone, fromMs);
      const end = localMidnight(zone, toMs + DAY_MS);
      return { zone, theatreIds, start: new Date(start).toISOString(), end: new Date(end).toISOString(), offsets: offsetSegments(zone, start, end) };
    });
  }
}

function sum<T>(rows: T[], field: keyof T): number {
  return rows.reduce((s, r) => s + (r[field] as number), 0);
}
