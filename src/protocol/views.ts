/**
 * The shapes that cross the wire in socket events and the HTTP API (SPEC §3, §4). The server
 * builds them (orders/order.view.ts, chat/chat.view.ts, payments/payment.events.ts) and the
 * web app reads them: both import these, so a change here is a change on both sides.
 */

import type { TaxAmount } from './totals.js';

export type OrderStatus = 'placed' | 'confirmed' | 'seen' | 'delivered' | 'cancelled' | 'refunded';
export type PaymentMethod = 'online' | 'cash';
/** A payment's status as clients see it (the server keeps `superseded` attempts to itself). */
export type PaymentStatus = 'created' | 'pending' | 'success' | 'failed' | 'refunded';
/** An order's payment: `due` for a cash order, else the status of the payment it follows. */
export type OrderPaymentStatus = 'due' | PaymentStatus;
export type GatewayName = 'simulated' | 'razorpay' | 'cashfree' | 'phonepe';
export const GATEWAY_NAMES = ['simulated', 'razorpay', 'cashfree', 'phonepe'] as const satisfies readonly GatewayName[];

/** An order as SPEC §3 shows it, in events and in the API. */
export interface OrderView {
  id: number;
  theatreId: number;
  seat: { id: number; name: string; row: string; hall: string };
  items: Array<{ itemId: number; name: string; quantity: number; price: number }>;
  amount: number;
  paymentMethod: PaymentMethod;
  paymentStatus: OrderPaymentStatus;
  status: OrderStatus;
  placedAt: string;
  /** Minutes: the longest preparation time of its items. */
  maxTime: number;
  /** SPEC §6 totals: `amount` equals `total`, what is charged. */
  subtotal: number;
  discount: number;
  taxes: TaxAmount[];
  total: number;
  /** Sum of the refunds the gateway accepted. */
  refundedAmount: number;
  /** `<prefix>/<YYYY-YY>/<n>`, null until the order is confirmed. */
  invoiceNumber: string | null;
  seenBy: StaffRef | null;
  seenAt: string | null;
  deliveredBy: StaffRef | null;
  deliveredAt: string | null;
}

/** The account that made a staff action (null when made with a theatre key, or before this was recorded). */
export interface StaffRef {
  id: number;
  username: string;
}

/**
 * `payment.status` data (SPEC §3); also the payment socket's snapshot. `orderStatus` is an
 * addition to SPEC's fields: the payment socket closes after "success once the order is
 * delivered", so a client following it sees the order's state on this stream.
 */
export interface PaymentStatusView {
  orderId: number;
  status: OrderPaymentStatus;
  amount: number;
  method: PaymentMethod;
  gateway: GatewayName | null;
  orderStatus: OrderStatus;
  /** Sum of the refunds the gateway accepted (SPEC §6): a partial refund keeps `status` success. */
  refundedAmount: number;
}

export type ChatDirection = 'incoming' | 'outgoing' | 'template';
/** `received` for incoming messages; outgoing ones move queued → sent → delivered → read, or failed. */
export type ChatStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** `chat.message` data and the API's message shape (SPEC §3). */
export interface ChatMessageView {
  id: number;
  phone: string;
  /** Null for a message from a phone no theatre has been linked to yet. */
  theatreId: number | null;
  direction: ChatDirection;
  text: string;
  status: ChatStatus;
  at: string;
  orderId?: number;
}

/** One conversation (one per theatre and phone) in a chat snapshot and `GET /api/chat/users`. */
export interface ConversationView {
  phone: string;
  theatreId: number | null;
  unread: number;
  replyRequired: boolean;
  lastMessageAt: string;
  lastText: string;
}

/** `presence` data on `theatres`: a theatre's first staff connection opened or its last one closed. */
export interface PresenceView {
  theatreId: number;
  online: boolean;
  connections: number;
}

export type RefundRequestStatus = 'open' | 'refunded' | 'rejected';
/** A guest's refund request (SPEC §6): `refund.request` data, the API's request shape. */
export interface RefundRequestView {
  id: number;
  orderId: number;
  status: RefundRequestStatus;
  reason: string;
  at: string;
  /** Staff's reason when rejected. */
  resolution: string | null;
  resolvedAt: string | null;
}

/** A staff refund waiting for the approver's code: `202 {"approval"}`. */
export interface RefundApprovalView {
  id: number;
  expiresAt: string;
}
