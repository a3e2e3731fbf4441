import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConnectionBadge } from '../components/connection-badge.js';
import { api, errorText } from '../lib/api.js';
import { rupees } from '../lib/money.js';
import { orderToken } from '../lib/order-token.js';
import { useStream } from '../lib/use-stream.js';
import type { OrderPaymentStatus as PaymentStatus, OrderStatus, OrderView as Order, PaymentStatusView, RefundRequestView } from '../../../src/protocol/index.js';
import { Problem } from '../components/notes.js';
import { GuestRefundRequest } from '../components/guest-refund-request.js';
import { GuestInvoiceButton } from '../components/invoice-link.js';
import { FeedbackForm } from '../components/feedback-form.js';

/** The order's own progress, once it is more than placed. */
const ORDER_TEXT: Partial<Record<OrderStatus, string>> = {
  seen: 'The kitchen has seen your order.',
  delivered: 'Delivered to your seat. Enjoy the film!',
  cancelled: 'This order was cancelled.',
};

const STATUS_TEXT: Record<PaymentStatus, { title: string; detail: string }> = {
  created: { title: 'Waiting for payment', detail: 'Your order is saved. Complete the payment to send it to the kitchen.' },
  pending: { title: 'Payment in progress', detail: 'We are waiting for the payment to be confirmed. This page updates by itself.' },
  success: { title: 'Paid', detail: 'Your order is confirmed and is being prepared. It will be brought to your seat.' },
  failed: { title: 'Payment failed', detail: 'No money was taken. You can try again.' },
  refunded: { title: 'Refunded', detail: 'Your payment has been refunded.' },
  due: { title: 'Order placed: pay cash at your seat', detail: 'Your order has been sent to the kitchen. Please pay when it arrives.' },
};

/**
 * `/o/<orderId>`: the payment status page. Its socket (a ticket got with the order token,
 * offered as a subprotocol) sends the current state, then every change; the server closes
 * it normally at a final state.
 */
export function PaymentPage(props: { orderId: number }): VNode {
  const token = orderToken(props.orderId);
  const [order, setOrder] = useState<Order | null>(null);
  const [status, setStatus] = useState<PaymentStatus | null>(null);
  const [orderStatus, setOrderStatus] = useState<OrderStatus | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // Refunds (SPEC §6): the guest's requests, the latest `refund.request`, the amount refunded.
  const [refundRequests, setRefundRequests] = useState<RefundRequestView[]>([]);
  const [refundEvent, setRefundEvent] = useState<RefundRequestView | null>(null);
  const [refundedAmount, setRefundedAmount] = useState<number | null>(null);

  useEffect(() => {
    if (!token) return;
    api<{ order: Order; refundRequests?: RefundRequestView[] }>('GET', `/api/orders/${props.orderId}`, undefined, { token })
      .then((r) => {
        setOrder(r.order);
        setRefundRequests(r.refundRequests ?? []);
        setRefundedAmount((a) => a ?? r.order.refundedAmount);
        setStatus((s) => s ?? r.order.paymentStatus);
        setOrderStatus((s) => s ?? r.order.status);
      })
      .catch((err: unknown) => setError(errorText(err)));
  }, [props.orderId, token]);

  const show = (payment: PaymentStatusView | null) => {
    if (!payment) return;
    setStatus(payment.status);
    setOrderStatus(payment.orderStatus);
    setRefundedAmount(payment.refundedAmount);
  };
  const { conn } = useStream(
    token ? { socket: 'payment', orderId: props.orderId } : null,
    (m) => {
      if (m.type === 'snapshot') show(m.data.payment);
      else if (m.type === 'payment.status') show(m.data);
      else if (m.type === 'refund.request') setRefundEvent(m.data.request);
    },
    { inWorker: false, orderToken: token ?? undefined },
  );

  const retry = async () => {
    if (!token) return;
    setBusy(true);
    setError('');
    try {
      const payment = await api<{ checkoutUrl: string }>('POST', `/api/orders/${props.orderId}/payments`, undefined, { token });
      location.assign(payment.checkoutUrl);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  if (!token) {
    return (
      <main class="narrow">
        <h1>Order {props.orderId}</h1>
        <p role="alert" class="error">
          This order was not placed from this device, so its status cannot be shown here.
        </p>
      </main>
    );
  }
  const text = status ? STATUS_TEXT[status] : { title: 'Checking your payment…', detail: '' };
  const orderText = orderStatus ? ORDER_TEXT[orderStatus] : undefined;
  return (
    <main class="narrow guest">
      <h1>Order {props.orderId}</h1>
      <section class={`card pay-status pay-${status ?? 'unknown'}`} data-status={status ?? ''} aria-labelledby="pay-title">
        <div role="status" aria-live="polite" aria-atomic="true">
          <h2 id="pay-title">{text.title}</h2>
          <p>{text.detail}</p>
          {orderText ? (
            <p class="order-state" data-order-status={orderStatus}>
              <strong>{orderText}</strong>
            </p>
          ) : null}
        </div>
        {status === 'failed' || status === 'created' ? (
          <button type="button" class="primary big" onClick={() => void retry()} disabled={busy}>
            {busy ? 'Opening payment…' : status === 'failed' ? 'Try the payment again' : 'Pay now'}
          </button>
        ) : null}
        <Problem text={error} />
        {status === 'success' || status === 'due' || order?.invoiceNumber ? <GuestInvoiceButton orderId={props.orderId} token={token} /> : null}
      </section>
      {orderStatus === 'delivered' || order?.deliveredAt ? <FeedbackForm orderId={props.orderId} token={token} /> : null}
      {order ? (
        <section class="card" aria-labelledby="summary-title">
          <h2 id="summary-title">
            Seat {order.seat.name} · Row {order.seat.row} · {order.seat.hall}
          </h2>
          <ul class="cart">
            {order.items.map((i) => (
              <li>
                <span>
                  {i.quantity} × {i.name}
                </span>
                <span>{rupees(i.price * i.quantity)}</span>
              </li>
            ))}
            <li class="total">
              <span>Total</span>
              <span>{rupees(order.amount)}</span>
            </li>
          </ul>
        </section>
      ) : null}
      {order ? (
        <GuestRefundRequest
          order={order}
          token={token}
          requests={refundRequests}
          live={refundEvent}
          refundedAmount={refundedAmount ?? order.refundedAmount}
          paid={status === 'success'}
          socketOpen={conn !== 'closed'}
        />
      ) : null}
      {conn === 'closed' ? null : <ConnectionBadge state={conn} />}
    </main>
  );
}
