import type { Generated } from 'kysely';

export type PaymentStatus = 'created' | 'pending' | 'success' | 'failed' | 'refunded';
export type GatewayName = 'simulated' | 'razorpay';

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
}

export interface WebhookEventTable {
  /** The gateway's event id (X-Razorpay-Event-Id): a replay is recognised and ignored. */
  id: string;
  received_at: string;
  outcome: string;
}
