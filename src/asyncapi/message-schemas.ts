/**
 * JSON Schemas of what crosses the sockets, one per type of src/protocol and named after it.
 * The enums are keyed by the protocol's own unions (`Record<Union, true>`), so a value added there
 * fails the type check here; asyncapi.test.ts compares every schema with its protocol type
 * (properties, which are required, literal values), so a field added or renamed there fails it.
 */
import type {
  ChatDirection,
  ChatStatus,
  EventType,
  GatewayName,
  RefundRequestStatus,
  OrderPaymentStatus,
  OrderStatus,
  PaymentMethod,
  ReplyErrorCode,
} from '../protocol/index.js';

export type JsonSchema = Record<string, unknown>;

const keys = <T extends string>(all: Record<T, true>): T[] => Object.keys(all) as T[];
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: JsonSchema): JsonSchema => ({ oneOf: [schema, { type: 'null' }] });
const object = (properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema => ({
  type: 'object',
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
});

const id = { type: 'integer', minimum: 1 };
const paise = { type: 'integer', minimum: 0, description: 'Minor units (paise).' };
const timestamp = { type: 'string', format: 'date-time' };
const text = { type: 'string' };

export const ORDER_STATUSES = keys<OrderStatus>({ placed: true, confirmed: true, seen: true, delivered: true, cancelled: true, refunded: true });
const ORDER_PAYMENT_STATUSES = keys<OrderPaymentStatus>({ due: true, created: true, pending: true, success: true, failed: true, refunded: true });
const PAYMENT_METHODS = keys<PaymentMethod>({ online: true, cash: true });
const GATEWAYS = keys<GatewayName>({ simulated: true, razorpay: true, cashfree: true, phonepe: true });
const CHAT_DIRECTIONS = keys<ChatDirection>({ incoming: true, outgoing: true, template: true });
const CHAT_STATUSES = keys<ChatStatus>({ received: true, queued: true, sent: true, delivered: true, read: true, failed: true });
const REFUND_REQUEST_STATUSES = keys<RefundRequestStatus>({ open: true, refunded: true, rejected: true });
export const REPLY_ERROR_CODES = keys<ReplyErrorCode>({ bad_request: true, rate_limited: true, forbidden: true, not_found: true, unprocessable: true });

/** The views (src/protocol/views.ts) and the snapshot and event data built from them. */
export const VIEW_SCHEMAS: Record<string, JsonSchema> = {
  OrderView: object({
    id,
    theatreId: id,
    seat: object({ id, name: text, row: text, hall: text }),
    items: { type: 'array', items: object({ itemId: id, name: text, quantity: { type: 'integer', minimum: 1, maximum: 20 }, price: paise }) },
    amount: paise,
    paymentMethod: { type: 'string', enum: PAYMENT_METHODS },
    paymentStatus: { type: 'string', enum: ORDER_PAYMENT_STATUSES },
    status: { type: 'string', enum: ORDER_STATUSES },
    placedAt: timestamp,
    maxTime: { type: 'integer', minimum: 0, description: 'Minutes: the longest preparation time of its items.' },
    subtotal: paise,
    discount: paise,
    taxes: { type: 'array', items: object({ name: text, rate: { type: 'number', minimum: 0, description: 'Percent.' }, amount: paise }) },
    total: { ...paise, description: 'What is charged (equals amount).' },
    refundedAmount: paise,
    invoiceNumber: nullable(text),
    seenBy: nullable(ref('StaffRef')),
    seenAt: nullable(timestamp),
    deliveredBy: nullable(ref('StaffRef')),
    deliveredAt: nullable(timestamp),
  }),
  StaffRef: object({ id, username: text }),
  PaymentStatusView: object({
    orderId: id,
    status: { type: 'string', enum: ORDER_PAYMENT_STATUSES },
    amount: paise,
    method: { type: 'string', enum: PAYMENT_METHODS },
    gateway: nullable({ type: 'string', enum: GATEWAYS }),
    orderStatus: { type: 'string', enum: ORDER_STATUSES },
    refundedAmount: paise,
  }),
  ChatMessageView: object(
    {
      id,
      phone: { type: 'string', description: 'E.164 with the leading +.' },
      theatreId: nullable(id),
      direction: { type: 'string', enum: CHAT_DIRECTIONS },
      text,
      status: { type: 'string', enum: CHAT_STATUSES },
      at: timestamp,
      orderId: id,
    },
    ['orderId'],
  ),
  ConversationView: object({
    phone: text,
    theatreId: nullable(id),
    unread: { type: 'integer', minimum: 0 },
    replyRequired: { type: 'boolean' },
    lastMessageAt: timestamp,
    lastText: text,
  }),
  PresenceView: object({ theatreId: id, online: { type: 'boolean' }, connections: { type: 'integer', minimum: 0 } }),
  LiveOrdersSnapshot: object({ orders: { type: 'array', items: ref('OrderView') }, presence: { type: 'array', items: ref('PresenceView') } }, ['presence']),
  PaymentSnapshot: object({ payment: nullable(ref('PaymentStatusView')) }),
  ChatSnapshot: object({ conversations: { type: 'array', items: ref('ConversationView') } }),
  OrderEventData: object({ order: ref('OrderView') }),
  RefundRequestView: object({
    id,
    orderId: id,
    status: { type: 'string', enum: REFUND_REQUEST_STATUSES },
    reason: text,
    at: timestamp,
    resolution: nullable(text),
    resolvedAt: nullable(timestamp),
  }),
  RefundRequestedData: object({ order: ref('OrderView'), request: ref('RefundRequestView') }),
  RefundRequestEventData: object({ request: ref('RefundRequestView') }),
};

/** The `data` of each event type (protocol's EventDataMap); a new event type fails the type check here. */
export const EVENT_DATA: Record<EventType, string> = {
  'order.confirmed': 'OrderEventData',
  'order.seen': 'OrderEventData',
  'order.delivered': 'OrderEventData',
  'order.cancelled': 'OrderEventData',
  'order.refunded': 'OrderEventData',
  'order.unseen': 'OrderEventData',
  'order.updated': 'OrderEventData',
  'order.refundRequested': 'RefundRequestedData',
  presence: 'PresenceView',
  'payment.status': 'PaymentStatusView',
  'chat.message': 'ChatMessageView',
  'refund.request': 'RefundRequestEventData',
};

const constType = (type: string): JsonSchema => ({ type: 'string', const: type });
const seq = (minimum: number): JsonSchema => ({ type: 'integer', minimum });

export const hello = (stream: JsonSchema): JsonSchema => object({ type: constType('hello'), stream, seq: seq(0), connectionId: text });
export const snapshot = (stream: JsonSchema, data: string): JsonSchema =>
  object({ type: constType('snapshot'), stream, seq: seq(0), data: ref(data), reset: { type: 'boolean', const: true } }, ['reset']);
export const event = (type: EventType, stream: JsonSchema): JsonSchema =>
  object({ type: constType(type), stream, seq: seq(1), at: timestamp, data: ref(EVENT_DATA[type]) });

/** Replies to what a client sends (messages.ts of protocol); the connection stays open. */
export const REPLY_SCHEMAS = {
  error: object({ type: constType('error'), code: { type: 'string', enum: REPLY_ERROR_CODES }, message: text }),
  pong: object({ type: constType('pong') }),
  ack: object({ type: constType('ack'), clientMsgId: text, messageId: id }),
  'chat.history': object({ type: constType('chat.history'), phone: text, messages: { type: 'array', items: ref('ChatMessageView') } }),
} satisfies Record<string, JsonSchema>;
