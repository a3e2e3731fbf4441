import type { GatewayName } from './payment.table.js';

/**
 * What the payment service needs from a payment gateway. Calls go over the network and are made
 * outside database transactions; failures throw GatewayError.
 */
export interface PaymentGateway {
  readonly name: GatewayName;
  /** Creates the gateway-side order the guest pays against. `amount` in paise. */
  createOrder(req: CreateOrderRequest): Promise<CreatedOrder>;
  /**
   * Refunds `amount` paise of a captured payment (all of it or a part). The same
   * `idempotencyKey` (at least 10 of A-Z a-z 0-9 - _) refunds at most once however often it is
   * retried.
   */
  refund(req: RefundRequest): Promise<{ refundId: string }>;
  /**
   * Asks the gateway's order-status API where the order stands: the background status check
   * confirms a payment whose webhook was lost with what this answers.
   */
  status(gatewayOrderId: string): Promise<GatewayOrderStatus>;
  /** Where the guest's browser goes to pay; served by the HTTP layer. */
  checkoutUrl(paymentId: number): string;
}

export interface CreateOrderRequest {
  amount: number;
  currency: 'INR';
  /** Our reference (at most 40 characters). */
  receipt: string;
  /** Where the gateway sends the guest back after paying (absolute URL); gateways with a hosted page need it. */
  returnUrl?: string;
  /** The guest's phone, which some gateways require on the order (Cashfree's customer_details). */
  customerPhone?: string;
}

export interface CreatedOrder {
  gatewayOrderId: string;
  /**
   * What the checkout page needs besides the order id, kept with the payment: Cashfree's
   * payment_session_id, PhonePe's redirectUrl. Never a secret.
   */
  checkoutRef?: string;
}

export type GatewayOrderStatus =
  | { state: 'paid'; gatewayPaymentId: string; amount: number; currency: string }
  | { state: 'failed' }
  | { state: 'pending' };

export interface RefundRequest {
  gatewayPaymentId: string;
  amount: number;
  idempotencyKey: string;
}

/**
 * A gateway's webhook, once its signature is checked, in the one shape the webhook handler
 * applies (whatever the gateway's own wire format). `id` identifies the event: a repeat of it
 * changes nothing.
 */
export type GatewayEvent =
  | { id: string; kind: 'captured'; gatewayOrderId: string; gatewayPaymentId: string; amount: number; currency?: string | undefined }
  | { id: string; kind: 'failed'; gatewayOrderId: string; currency?: string | undefined }
  | {
      id: string;
      kind: 'refunded';
      gatewayOrderId: string;
      currency?: string | undefined;
      /** The refunded gateway payment; when the gateway does not say, the order's captured payment. */
      refund: { id: string; paymentId?: string | undefined; amount: number };
    }
  | { id: string; kind: 'other'; name: string };

/** A gateway whose webhooks arrive at `POST /api/payments/webhook/<name>` in its own format. */
export interface WebhookParser {
  /**
   * Checks the signature (constant time) and reads the event.
   * @throws bad_request for a bad or missing signature, a stale timestamp or a body that is not an event
   */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, now: Date): GatewayEvent;
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
