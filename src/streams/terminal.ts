/**
 * Whether an event (or a payment snapshot) ends what a guest's payment socket exists for
 * (SPEC §2): the payment failed or was refunded, or it succeeded and the order was delivered.
 * After sending it, the server closes such a socket normally (1000).
 */
export function isTerminalPayment(payment: unknown): boolean {
  if (typeof payment !== 'object' || payment === null) return false;
  const { status, orderStatus } = payment as { status?: unknown; orderStatus?: unknown };
  return status === 'failed' || status === 'refunded' || (status === 'success' && orderStatus === 'delivered');
}

export function isTerminalEvent(event: { type: string; data: unknown }): boolean {
  return event.type === 'payment.status' && isTerminalPayment(event.data);
}
