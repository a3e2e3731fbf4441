import type { GatewayName } from './payment.table.js';

/**
 * What the payment service needs from a payment gateway. Calls go over the network and are made
 * outside database transactions; failures throw GatewayError.
 */
export interface PaymentGateway {
  readonly name: GatewayName;
  /** Creates the gateway-side order the guest pays against. `amount` in paise. */
  createOrder(req: { amount: number; currency: 'INR'; receipt: string }): Promise<{ gatewayOrderId: string }>;
  /**
   * Refunds `amount` paise of a captured payment. The same `idempotencyKey` (at least 10 of
   * A-Z a-z 0-9 - _) refunds at most once however often it is retried.
   */
  refund(req: RefundRequest): Promise<{ refundId: string }>;
  /** Where the guest's browser goes to pay; served by the HTTP layer. */
  checkoutUrl(paymentId: number): string;
}

export interface RefundRequest {
  gatewayPaymentId: string;
  amount: number;
  idempotencyKey: string;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    message: string,
    /** The gateway's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}
