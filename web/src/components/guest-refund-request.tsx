import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';
import { rupees } from '../lib/money.js';
import type { OrderView, RefundRequestView } from '../../../src/protocol/index.js';
import { Problem } from './notes.js';

const STATUS_TEXT: Record<RefundRequestView['status'], string> = {
  open: 'Your refund request was sent to the theatre. You will see their answer here and on WhatsApp.',
  refunded: 'Your refund request was granted.',
  rejected: 'Your refund request was declined.',
};

/** While a request is open and the live socket is over (a delivered order), the page asks now and then. */
const POLL_MS = 15_000;

/**
 * The guest's side of refunds on the order page (SPEC §6): what was refunded so far, the requests
 * and their outcome (live from `refund.request`, or polled once the socket has closed), and "Ask
 * for a refund" with a reason for a paid online order without an open request.
 */
export function GuestRefundRequest(props: {
  order: OrderView;
  token: string;
  requests: RefundRequestView[];
  /** The latest `refund.request` from the socket. */
  live: RefundRequestView | null;
  refundedAmount: number;
  /** The payment succeeded (and is not refunded in full). */
  paid: boolean;
  socketOpen: boolean;
}): VNode {
  const [requests, setRequests] = useState(props.requests);
  const [refunded, setRefunded] = useState(props.refundedAmount);
  const [writing, setWriting] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const upsert = (r: RefundRequestView) => setRequests((list) => [...list.filter((x) => x.id !== r.id), r].sort((a, b) => a.id - b.id));

  useEffect(() => setRequests(props.requests), [props.requests]);
  useEffect(() => setRefunded(props.refundedAmount), [props.refundedAmount]);
  useEffect(() => {
    if (props.live) upsert(props.live);
  }, [props.live]);
  const hasOpen = requests.some((r) => r.status === 'open');
  useEffect(() => {
    if (!hasOpen || props.socketOpen) return;
    const timer = setInterval(() => {
      api<{ order: OrderView; refundRequests?: RefundRequestView[] }>('GET', `/api/orders/${props.order.id}`, undefined, { token: props.token })
        .then((r) => {
          if (r.refundRequests) setRequests(r.refundRequests);
          setRefunded(r.order.refundedAmount);
        })
        .catch(() => undefined);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [hasOpen, props.socketOpen]);

  const send = async (ev: Event) => {
    ev.preventDefault();
    const text = reason.trim();
    if (!text) return setError('Tell the theatre what went wrong.');
    setBusy(true);
    setError('');
    try {
      const { request } = await api<{ request: RefundRequestView }>('POST', `/api/orders/${props.order.id}/refund-requests`, { reason: text }, { token: props.token });
      upsert(request);
      setWriting(false);
      setReason('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const paidOnline = props.order.paymentMethod === 'online';
  const canAsk = paidOnline && !hasOpen && refunded < props.order.amount;
  const latest = requests[requests.length - 1];
  if (!paidOnline) return <></>;
  return (
    <section class="card guest-refund" aria-labelledby="refund-title">
      <h2 id="refund-title">Refunds</h2>
      <div role="status" aria-live="polite">
        {refunded > 0 ? (
          <p class="refunded-amount" data-refunded={refunded}>
            <strong>
              {rupees(refunded)} of {rupees(props.order.amount)} refunded
            </strong>
            {refunded < props.order.amount ? ' (a partial refund).' : '.'}
          </p>
        ) : null}
        {latest ? (
          <div class="refund-request" data-request-status={latest.status}>
            <p>
              <strong>{STATUS_TEXT[latest.status]}</strong>
            </p>
            <p class="muted">You wrote: “{latest.reason}”</p>
            {latest.status === 'rejected' && latest.resolution ? <p>The theatre says: “{latest.resolution}”</p> : null}
          </div>
        ) : null}
      </div>
      {canAsk && props.paid ? (
        writing ? (
          <form class="stack" noValidate onSubmit={(e) => void send(e)}>
            <label for="refund-reason">What went wrong?</label>
            <textarea id="refund-reason" name="reason" maxLength={500} rows={3} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
            <div class="actions">
              <button type="button" onClick={() => setWriting(false)}>
                Cancel
              </button>
              <button type="submit" class="primary" disabled={busy}>
                {busy ? 'Sending…' : 'Send request'}
              </button>
            </div>
          </form>
        ) : (
          <button type="button" class="secondary" onClick={() => setWriting(true)}>
            Ask for a refund
          </button>
        )
      ) : null}
      <Problem text={error} />
    </section>
  );
}
