import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
import { rupees } from '../lib/money.js';
import { elapsed } from '../lib/timer.js';
import { allowedStaffActions, type OrderPaymentStatus, type OrderView, type StaffAction } from '../../../src/protocol/index.js';
import { confirmed, useDialog } from './dialog.js';
import { Problem } from './notes.js';
import { useRefundDialog } from './refund-dialog.js';
import { PrintButton } from './print-controls.js';
import { ServedBy } from './served-by.js';

type Action = StaffAction;

const ACTION_LABELS: Record<Action, string> = { seen: 'Seen', deliver: 'Delivered', cancel: 'Cancel', refund: 'Refund' };
const CONFIRM: Partial<Record<Action, { title: string; text?: string; confirm: string }>> = {
  cancel: { title: 'Cancel this order?', confirm: 'Cancel order' },
  refund: { title: 'Refund this order?', text: 'The money goes back to the guest.', confirm: 'Refund' },
};

export async function orderAction(order: OrderView, action: Action): Promise<OrderView> {
  const answer = await api<{ order: OrderView } | { approval: unknown }>('POST', `/api/orders/${order.id}/${action}`);
  // A theatre with refund codes: nothing was refunded; the refund dialog (refund-dialog.tsx) asks for the code.
  if ('approval' in answer) throw new ApiError(202, 'approval_needed', 'This theatre needs an approval code for refunds; refund from the live orders page, which asks for it. Nothing was refunded.');
  return answer.order;
}

const PAYMENT_TEXT: Record<OrderPaymentStatus, string> = {
  due: 'cash due',
  created: 'not paid',
  pending: 'paying…',
  success: 'paid',
  failed: 'payment failed',
  refunded: 'refunded',
};

/** One live order: where, what, how much, how long it has waited, and what staff can do. */
export function OrderCard(props: { order: OrderView; now: number; unseen: boolean; showTheatre?: string | undefined; onChanged?(o: OrderView): void }): VNode {
  const { order } = props;
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState('');
  const dialog = useDialog();
  const refund = useRefundDialog();
  const t = elapsed(order.placedAt, props.now, order.maxTime);
  const act = async (action: Action) => {
    if (action === 'refund') {
      // Amount or items, reason, and the approver's code when the theatre asks for one.
      const after = await refund.start(order);
      if (after) props.onChanged?.(after);
      return;
    }
    const question = CONFIRM[action];
    if (question && !(await confirmed(dialog.ask, { ...question, title: `${question.title} (order ${order.id}, seat ${order.seat.name})`, danger: true }))) return;
    setBusy(action);
    setError('');
    try {
      props.onChanged?.(await orderAction(order, action));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const titleId = `order-${order.id}-title`;
  return (
    <article class={`order-card status-${order.status}${props.unseen ? ' unseen' : ''}${t.overdue ? ' overdue' : ''}`} data-order-id={order.id} aria-labelledby={titleId}>
      <header>
        <h2 id={titleId}>Seat {order.seat.name}</h2>
        <span class="order-no">#{order.id}</span>
      </header>
      <p class="place">
        Row {order.seat.row} · {order.seat.hall}
        {props.showTheatre ? (
          <>
            {' · '}
            <strong>{props.showTheatre}</strong>
          </>
        ) : null}
      </p>
      {props.unseen ? <p class="alert-tag">Not seen yet!</p> : null}
      <ul class="items">
        {order.items.map((i) => (
          <li>
            <span class="q">{i.quantity}×</span> {i.name}
          </li>
        ))}
      </ul>
      <p class="money">
        <strong>{rupees(order.amount)}</strong> · {order.paymentMethod === 'cash' ? 'Cash' : 'Online'}, {PAYMENT_TEXT[order.paymentStatus]}
      </p>
      <p class="timer" aria-label={`Waiting ${t.text} of ${order.maxTime} minutes`}>
        <span class="elapsed">{t.text}</span> / {order.maxTime} min
        {t.overdue ? (
          <>
            {' '}
            <strong>late</strong>
          </>
        ) : null}
      </p>
      <p class="state">
        Status: <span data-status>{order.status}</span>
      </p>
      <ServedBy order={order} />
      <div class="actions">
        {allowedStaffActions(order).map((a) => (
          <button type="button" class={`act act-${a}`} onClick={() => void act(a)} disabled={busy !== null} aria-label={`${ACTION_LABELS[a]}: order ${order.id}, seat ${order.seat.name}`}>
            {busy === a ? '…' : ACTION_LABELS[a]}
          </button>
        ))}
        <PrintButton order={order} />
      </div>
      <Problem text={error} />
      {order.refundedAmount > 0 ? <p class="refunded-part">Refunded {rupees(order.refundedAmount)}</p> : null}
      {dialog.element}
      {refund.element}
    </article>
  );
}
