import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { TheatreStaffPage } from '../components/session.js';
import { api, errorText } from '../lib/api.js';
import { rupees } from '../lib/money.js';
import { allowedStaffActions, type OrderView as Order } from '../../../src/protocol/index.js';
import { Problem, Said } from '../components/notes.js';
import { refundSummary, useRefundDialog } from '../components/refund-dialog.js';
import { ServedBy } from '../components/served-by.js';
import { StaffInvoiceLink } from '../components/invoice-link.js';

const STATUSES = ['', 'placed', 'confirmed', 'seen', 'delivered', 'cancelled', 'refunded'] as const;
const PAGE = 50;

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

interface Filters {
  date: string;
  status: string;
  phone: string;
}

/** A theatre's orders of one day, filtered, page by page; paid orders can be refunded from here. */
export function PastOrders(props: { theatreId: number }): VNode {
  const [filters, setFilters] = useState<Filters>({ date: today(), status: '', phone: '' });
  const [orders, setOrders] = useState<Order[]>([]);
  const [next, setNext] = useState<number | string | null>(null);
  const [error, setError] = useState('');
  const [said, setSaid] = useState('');
  const [loading, setLoading] = useState(false);
  const refundDialog = useRefundDialog({ closeOnRefund: true });

  const load = async (f: Filters, before: number | string | null) => {
    setLoading(true);
    setError('');
    const q = new URLSearchParams({ date: f.date, limit: String(PAGE) });
    if (f.status) q.set('status', f.status);
    if (f.phone.trim()) q.set('phone', f.phone.trim());
    if (before !== null) q.set('before', String(before));
    try {
      const r = await api<{ orders: Order[]; nextBefore: number | string | null }>('GET', `/api/theatres/${props.theatreId}/orders?${q.toString()}`);
      setOrders((prev) => (before === null ? r.orders : [...prev, ...r.orders]));
      setNext(r.nextBefore ?? null);
      setSaid(`${before === null ? r.orders.length : 'More'} orders shown.`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(filters, null), [props.theatreId]);

  const search = (ev: Event) => {
    ev.preventDefault();
    const form = new FormData(ev.currentTarget as HTMLFormElement);
    const f = { date: String(form.get('date') ?? today()), status: String(form.get('status') ?? ''), phone: String(form.get('phone') ?? '') };
    setFilters(f);
    void load(f, null);
  };
  // Amount or items, reason, and the approver's code when the theatre asks for one (refund-dialog.tsx).
  const refund = async (order: Order) => {
    const updated = await refundDialog.start(order);
    if (!updated) return;
    setOrders((os) => os.map((o) => (o.id === updated.id ? updated : o)));
    setSaid(refundSummary(order, updated));
  };

  return (
    <div>
      <form class="card inline-form" onSubmit={search} aria-label="Filter orders">
        <label>
          Date
          <input type="date" name="date" value={filters.date} required />
        </label>
        <label>
          Status
          <select name="status" value={filters.status}>
            {STATUSES.map((s) => (
              <option value={s}>{s || 'Any'}</option>
            ))}
          </select>
        </label>
        <label>
          Phone
          <input type="tel" name="phone" value={filters.phone} placeholder="+91…" />
        </label>
        <button type="submit" class="primary" disabled={loading}>
          Show
        </button>
      </form>
      <Said text={loading ? 'Loading…' : said} />
      <Problem text={error} />
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Orders</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Seat</th>
              <th scope="col">Items</th>
              <th scope="col">Amount</th>
              <th scope="col">Payment</th>
              <th scope="col">Status</th>
              <th scope="col">Served</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr data-order-id={o.id}>
                <td>{o.id}</td>
                <td>{new Date(o.placedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</td>
                <td>
                  {o.seat.name} · {o.seat.row} · {o.seat.hall}
                </td>
                <td>{o.items.map((i) => `${i.quantity}× ${i.name}`).join(', ')}</td>
                <td>{rupees(o.amount)}</td>
                <td>
                  {o.paymentMethod} · {o.paymentStatus}
                </td>
                <td data-status>{o.status}</td>
                <td class="served">
                  <ServedBy order={o} class="small" />
                </td>
                <td>
                  {allowedStaffActions(o).includes('refund') ? (
                    <button type="button" class="danger" aria-label={`Refund order ${o.id}`} onClick={() => void refund(o)}>
                      Refund
                    </button>
                  ) : null}
                  {o.invoiceNumber ? <StaffInvoiceLink orderId={o.id} invoiceNumber={o.invoiceNumber} /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {orders.length === 0 && !loading && !error ? <p class="empty">No orders for these filters.</p> : null}
      {next !== null ? (
        <button type="button" onClick={() => void load(filters, next)} disabled={loading}>
          Load more
        </button>
      ) : null}
      {refundDialog.element}
    </div>
  );
}

/** `/staff/orders`. */
export function PastOrdersPage(): VNode {
  return (
    <TheatreStaffPage title="Past orders" adminNote="Admins see each theatre's orders on its page.">
      {(theatreId) => <PastOrders theatreId={theatreId} />}
    </TheatreStaffPage>
  );
}
