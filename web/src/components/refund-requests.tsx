import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { rupees } from '../lib/money.js';
import type { OrderView, RefundRequestView } from '../../../src/protocol/index.js';
import { useDialog } from './dialog.js';
import { Problem, Said } from './notes.js';
import { useRefundDialog } from './refund-dialog.js';

type Queued = RefundRequestView & { order: OrderView };

/**
 * Guests' open refund requests for the staff dashboard (SPEC §6): a button with a badge of how
 * many wait, opening the queue; each is granted by refunding (the refund dialog) or rejected with
 * a reason. Reloaded whenever `changes` moves (the dashboard counts `order.refundRequested`,
 * `order.updated` and `order.refunded` on its live socket).
 */
export function RefundRequests(props: { theatreId: number; changes: number }): VNode {
  const [requests, setRequests] = useState<Queued[]>([]);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState('');
  const [said, setSaid] = useState('');
  const [reloads, setReloads] = useState(0);
  const dialog = useDialog();
  const refund = useRefundDialog();

  useEffect(() => {
    api<{ requests: Queued[] }>('GET', `/api/theatres/${props.theatreId}/refund-requests?status=open`)
      .then((r) => {
        setRequests(r.requests);
        setError('');
      })
      .catch((err: unknown) => setError(errorText(err)));
  }, [props.theatreId, props.changes, reloads]);

  const grant = async (r: Queued) => {
    const after = await refund.start(r.order);
    if (after) setSaid(`Order ${r.orderId}: refunded; the guest is told.`);
    setReloads((n) => n + 1);
  };
  const reject = async (r: Queued) => {
    const values = await dialog.ask({
      title: `Reject the refund request of order ${r.orderId}?`,
      text: `The guest wrote: “${r.reason}”. They see your reason on their order page and on WhatsApp.`,
      fields: [{ name: 'reason', label: 'Reason for the guest', check: (v) => (v.trim() ? (v.length > 500 ? 'At most 500 characters.' : '') : 'Tell the guest why.') }],
      confirm: 'Reject request',
      danger: true,
    });
    if (!values) return;
    try {
      await api('POST', `/api/refund-requests/${r.id}/reject`, { reason: values.reason!.trim() });
      setSaid(`Order ${r.orderId}: request rejected; the guest is told.`);
    } catch (err) {
      setError(errorText(err));
    }
    setReloads((n) => n + 1);
  };

  return (
    <section class="refund-requests" aria-label="Refund requests">
      <button type="button" class="secondary" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Refund requests{' '}
        <span class="badge" data-refund-requests={requests.length} aria-label={`${requests.length} open`}>
          {requests.length}
        </span>
      </button>
      {open ? (
        requests.length === 0 ? (
          <p class="muted">No open refund requests.</p>
        ) : (
          <ul class="request-list">
            {requests.map((r) => (
              <li data-request-id={r.id}>
                <p>
                  <strong>Order {r.orderId}</strong> · seat {r.order.seat.name}, row {r.order.seat.row}, {r.order.seat.hall} · paid {rupees(r.order.amount)}
                  {r.order.refundedAmount > 0 ? `, ${rupees(r.order.refundedAmount)} refunded` : ''} · {new Date(r.at).toLocaleTimeString()}
                </p>
                <p class="request-reason">“{r.reason}”</p>
                <div class="actions">
                  <button type="button" class="danger" onClick={() => void grant(r)}>
                    Refund…
                  </button>
                  <button type="button" onClick={() => void reject(r)}>
                    Reject…
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )
      ) : null}
      <Said text={said} />
      <Problem text={error} />
      {dialog.element}
      {refund.element}
    </section>
  );
}
