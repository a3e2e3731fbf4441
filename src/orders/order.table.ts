import type { Generated } from 'kysely';

// The statuses are the contract's (src/protocol): a status added there is a status stored here.
import type { OrderPaymentStatus, OrderStatus, PaymentMethod } from '../protocol/index.js';

export type { OrderPaymentStatus, OrderStatus, PaymentMethod };

export interface OrderTable {
  id: Generated<number>;
  theatre_id: number;
  seat_id: number;
  /** Seat, row and hall names copied at order time so an order reads the same after renames. */
  seat_name: string;
  row_name: string;
  hall_name: string;
  phone: string;
  /** Key of the placing client's address (rate-limits.ts clientAddressKey), for per-address cash limits. */
  client_address: string | null;
  notes: string | null;
  payment_method: PaymentMethod;
  payment_status: OrderPaymentStatus;
  status: OrderStatus;
  amount: number;
  max_time: number;
  /** sha256 hex of the guest's order token. */
  token_hash: string;
  placed_at: string;
  confirmed_at: string | null;
  /** When `order.unseen` was sent; it is sent at most once per order. */
  unseen_alerted_at: string | null;
  /**
   * The payment attempt the order follows: the newest one started while it awaits payment, then
   * the one that paid it. A failure of any other attempt changes nothing.
   */
  live_payment_id: Generated<number | null>;
  updated_at: string;
  /** SPEC §6 totals (orders/totals): amount = total. */
  subtotal: number;
  discount: Generated<number>;
  /** JSON [{name, rate, amount}]. */
  taxes: Generated<string>;
  /** Sum of refunds the gateway accepted. */
  refunded_amount: Generated<number>;
  /** `<prefix>/<YYYY-YY>/<n>`, given in the confirming transaction (invoices/invoice-numbers.ts). */
  invoice_number: Generated<string | null>;
  invoiced_at: Generated<string | null>;
  /** JSON {legalName, gstin, address} of the seller when the invoice was issued. */
  invoice_seller: Generated<string | null>;
  /** Who marked it seen and delivered: account id and username copied, so the order reads the same later. */
  seen_by_id: Generated<number | null>;
  seen_by_username: Generated<string | null>;
  seen_at: Generated<string | null>;
  delivered_by_id: Generated<number | null>;
  delivered_by_username: Generated<string | null>;
  delivered_at: Generated<string | null>;
  /** JSON PricingRules frozen at placement (0008): refunds by items are priced with them. */
  pricing: Generated<string | null>;
  /** Σ taxes[].amount, written with the order so reports sum taxes in SQL (migration 0007). */
  tax_total: Generated<number>;
}

export interface OrderItemTable {
  id: Generated<number>;
  order_id: number;
  item_id: number;
  /** Name and unit price copied from the menu when the order was placed. */
  name: string;
  price: number;
  quantity: number;
}

export interface IdempotencyKeyTable {
  /** sha256 hex of scope + key. */
  key_hash: string;
  scope: string;
  /** sha256 hex of the canonical request, to refuse a key reused for a different request. */
  fingerprint: string;
  /** The stored answer, AES-256-GCM encrypted with a key derived from the idempotency key. */
  answer: string;
  created_at: string;
}
