import type { Generated } from 'kysely';
import type { GatewayName, PaymentStatus as PublicPaymentStatus } from '../protocol/index.js';

export type { GatewayName };
/** What the guest's payment socket and the API show (a superseded attempt is never shown). */
export type { PublicPaymentStatus };

export type PaymentStatus = PublicPaymentStatus | 'superseded';

export interface PaymentTable {
  id: Generated<number>;
  order_id: number;
  gateway: GatewayName;
  gateway_order_id: string;
  gateway_payment_id: string | null;
  amount: number;
  currency: string;
  status: PaymentStatus;
  created_at: string;
  updated_at: string;
  /** When the status check next asks the gateway about this pending payment (null: never). */
  next_check_at: string | null;
  check_attempts: Generated<number>;
  /** Cashfree's payment_session_id, PhonePe's redirectUrl: what the checkout page needs. */
  checkout_ref: string | null;
}

export interface WebhookEventTable {
  /** The gateway's event id (X-Razorpay-Event-Id): a replay is recognised and ignored. */
  id: string;
  received_at: string;
  outcome: string;
}

export type RefundStatus = 'pending' | 'processed' | 'failed';
/**
 * Why money goes back: `staff` (a staff or admin refund of the order), `gateway` (a refund made
 * at the gateway's dashboard, learnt from its webhook), `surplus` (a capture the order did not
 * take: a second capture of a paid order, or a capture after the order was cancelled unpaid).
 */
export type RefundReason = 'staff' | 'gateway' | 'surplus';

export interface RefundTable {
  id: Generated<number>;
  order_id: number;
  payment_id: number;
  gateway: GatewayName;
  /** The captured gateway payment being refunded (a surplus capture may differ from the payment row's). */
  gateway_payment_id: string;
  amount: number;
  reason: RefundReason;
  status: RefundStatus;
  /** Sent to the gateway with every attempt (X-Refund-Idempotency): a retry never refunds twice. */
  idempotency_key: string;
  gateway_refund_id: string | null;
  /** The account that asked for it (staff refunds). */
  requested_by: number | null;
  attempts: Generated<number>;
  /** When the refund worker may (re)try it; staff refunds are held off while their request runs. */
  next_attempt_at: string;
  error: string | null;
  created_at: string;
  updated_at: string;
  /** Its credit note, `CN/<YYYY-YY>/<n>` in the theatre's series (invoices/invoice-numbers.ts); null until issued. */
  credit_note_number: Generated<string | null>;
  credit_note_at: Generated<string | null>;
  /** JSON [{itemId, quantity}] of a refund by items (0008); null for a refund by amount. */
  items: Generated<string | null>;
  /** The staff's reason (0008). */
  note: Generated<string | null>;
}
