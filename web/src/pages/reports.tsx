import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Shell, SignedIn } from '../components/session.js';
import { Problem, Said } from '../components/notes.js';
import { SalesChart } from '../components/reports-chart.js';
import { api, errorText } from '../lib/api.js';
import { rupees } from '../lib/money.js';
import type { AccountView as Account, FeedbackList, ItemRow, ItemTotals, SalesRow, SalesTotals, TheatreView } from '../../../src/protocol/index.js';

interface Range {
  theatreId: string;
  from: string;
  to: string;
}

interface Loaded {
  byDay: { rows: SalesRow[]; totals: SalesTotals };
  byHour: { rows: SalesRow[] };
  items: { rows: ItemRow[]; totals: ItemTotals };
  feedback: FeedbackList | null;
}

const DAY_MS = 86_400_000;
const BEST_SELLERS = 10;
const FEEDBACK_SHOWN = 10;

function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Every day of the range, so days without sales show as gaps in the chart. */
function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

function query(range: Range, groupBy: string, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ from: range.from, to: range.to, groupBy, ...extra });
  if (range.theatreId) q.set('theatreId', range.theatreId);
  return `/api/reports/sales?${q.toString()}`;
}

function Stat(props: { label: string; value: string; name: string }): VNode {
  return (
    <div class="stat" data-stat={props.name}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

function Reports(props: { account: Account }): VNode {
  const staffTheatre = props.account.theatreId;
  const today = new Date();
  const [range, setRange] = useState<Range>({ theatreId: staffTheatre === null ? '' : String(staffTheatre), from: isoDate(new Date(today.getTime() - 29 * DAY_MS)), to: isoDate(today) });
  const [theatres, setTheatres] = useState<TheatreView[]>([]);
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (staffTheatre !== null) return;
    api<{ theatres: TheatreView[] }>('GET', '/api/theatres')
      .then((r) => setTheatres(r.theatres))
      .catch((err: unknown) => setError(errorText(err)));
  }, []);

  const load = async (r: Range) => {
    setLoading(true);
    setError('');
    try {
      const [byDay, byHour, items, feedback] = await Promise.all([
        api<Loaded['byDay']>('GET', query(r, 'day')),
        api<Loaded['byHour']>('GET', query(r, 'hour')),
        api<Loaded['items']>('GET', query(r, 'item')),
        r.theatreId ? api<FeedbackList>('GET', `/api/theatres/${r.theatreId}/feedback?limit=${FEEDBACK_SHOWN}`) : Promise.resolve(null),
      ]);
      setData({ byDay, byHour, items, feedback });
    } catch (err) {
      setData(null);
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(range), []);

  const submit = (ev: Event) => {
    ev.preventDefault();
    const form = new FormData(ev.currentTarget as HTMLFormElement);
    const r = { theatreId: String(form.get('theatreId') ?? range.theatreId), from: String(form.get('from')), to: String(form.get('to')) };
    setRange(r);
    void load(r);
  };

  const totals = data?.byDay.totals;
  const netBy = (rows: SalesRow[], keys: string[]) => {
    const byKey = new Map(rows.map((row) => [row.key, row.net]));
    return keys.map((k) => (byKey.get(k) ?? 0) / 100);
  };
  const days = data ? daysOf(range.from, range.to) : [];

  return (
    <Shell account={props.account} title="Sales reports">
      <form class="card inline-form" onSubmit={submit} aria-label="Report range">
        {staffTheatre === null ? (
          <label>
            Theatre
            <select name="theatreId" value={range.theatreId}>
              <option value="">All theatres</option>
              {theatres.map((t) => (
                <option value={String(t.id)}>{t.name}</option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          From
          <input type="date" name="from" value={range.from} required />
        </label>
        <label>
          To
          <input type="date" name="to" value={range.to} required />
        </label>
        <button type="submit" class="primary" disabled={loading}>
          Show
        </button>
        <a class="button" href={query(range, 'day', { format: 'csv' })} download>
          Download CSV
        </a>
      </form>
      <Said text={loading ? 'Loading…' : data ? `Sales from ${range.from} to ${range.to}.` : ''} />
      <Problem text={error} />
      {totals && data ? (
        <>
          <section class="card" aria-labelledby="totals-title">
            <h2 id="totals-title">Totals</h2>
            <dl class="stats">
              <Stat name="orders" label="Orders" value={String(totals.orders)} />
              <Stat name="gross" label="Gross" value={rupees(totals.gross)} />
              <Stat name="discount" label="Discounts" value={rupees(totals.discount)} />
              <Stat name="tax" label="Taxes" value={rupees(totals.tax)} />
              <Stat name="refunds" label="Refunds" value={rupees(totals.refunds)} />
              <Stat name="net" label="Net" value={rupees(totals.net)} />
              <Stat name="delivery" label="Avg. confirmation to delivery" value={totals.avgDeliveryMinutes === null ? '—' : `${totals.avgDeliveryMinutes} min`} />
              <Stat
                name="rating"
                label="Avg. rating"
                value={data.feedback === null ? 'Pick a theatre' : data.feedback.average === null ? 'No ratings yet' : `${data.feedback.average.toFixed(2)} ★ (${data.feedback.count})`}
              />
            </dl>
          </section>
          <div class="grid-2">
            <section class="card">
              <SalesChart title="Net sales by day" labels={days.map((d) => d.slice(5))} rupees={netBy(data.byDay.rows, days)} />
            </section>
            <section class="card">
              <SalesChart title="Net sales by hour of the day" labels={HOURS} rupees={netBy(data.byHour.rows, HOURS)} />
            </section>
          </div>
          <div class="grid-2">
            <section class="card" aria-labelledby="items-title">
              <h2 id="items-title">Best sellers</h2>
              {data.items.rows.length === 0 ? (
                <p class="empty">No sales in this range.</p>
              ) : (
                <table class="best-sellers">
                  <thead>
                    <tr>
                      <th scope="col">Item</th>
                      <th scope="col">Qty</th>
                      <th scope="col">Sales</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.rows.slice(0, BEST_SELLERS).map((i) => (
                      <tr data-item-id={i.itemId}>
                        <td>{i.key}</td>
                        <td>{i.quantity}</td>
                        <td>{rupees(i.gross)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section class="card" aria-labelledby="feedback-title">
              <h2 id="feedback-title">Guest feedback</h2>
              {data.feedback === null ? (
                <p class="muted">Choose a theatre to read its feedback.</p>
              ) : data.feedback.feedback.length === 0 ? (
                <p class="empty">No ratings yet.</p>
              ) : (
                <ul class="feedback-list">
                  {data.feedback.feedback.map((f) => (
                    <li data-order-id={f.orderId}>
                      <span aria-label={`${f.rating} of 5 stars`}>{'★'.repeat(f.rating) + '☆'.repeat(5 - f.rating)}</span> <span class="muted small">order {f.orderId} · {new Date(f.at).toLocaleString()}</span>
                      {f.comment ? <p>{f.comment}</p> : null}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        </>
      ) : null}
    </Shell>
  );
}

/** `/staff/reports`: sales, charts, best sellers and feedback; staff for their theatre, admins for any or all. */
export function ReportsPage(): VNode {
  return <SignedIn heading="Staff sign in">{(account: Account) => <Reports account={account} />}</SignedIn>;
}
