import type { ChatStream, LiveOrdersStream, PaymentStream, SocketName } from './sockets.js';
import type { ChatMessageView, ConversationView, OrderView, PaymentStatusView, PresenceView, RefundRequestView } from './views.js';

/** First message on every connection: the stream it follows and that stream's head. */
export interface HelloMessage<S extends string = string> {
  type: 'hello';
  stream: S;
  seq: number;
  connectionId: string;
}

/** The state at `seq` (without `since`), or instead of a replay that cannot be served (`reset`). */
export interface SnapshotMessage<D, S extends string = string> {
  type: 'snapshot';
  stream: S;
  seq: number;
  data: D;
  reset?: true;
}

/** Live orders: open orders (not yet delivered, cancelled or refunded); `theatres` adds presence. */
export interface LiveOrdersSnapshot {
  orders: OrderView[];
  presence?: PresenceView[];
}
/** Null when the order has no payment to show yet. */
export interface PaymentSnapshot {
  payment: PaymentStatusView | null;
}
export interface ChatSnapshot {
  conversations: ConversationView[];
}

export interface OrderEventData {
  order: OrderView;
}
/** `order.refundRequested`: a guest asked for a refund of the order. */
export interface RefundRequestedData {
  order: OrderView;
  request: RefundRequestView;
}
/** `refund.request` on `order:<id>`: the guest's request, opened or resolved. */
export interface RefundRequestEventData {
  request: RefundRequestView;
}

/** Each event type and its `data`. */
export interface EventDataMap {
  'order.confirmed': OrderEventData;
  'order.seen': OrderEventData;
  'order.delivered': OrderEventData;
  'order.cancelled': OrderEventData;
  'order.refunded': OrderEventData;
  /** Confirmed but not marked seen in time: an alert. */
  'order.unseen': OrderEventData;
  /** A partial refund (or another change that keeps the status). */
  'order.updated': OrderEventData;
  'order.refundRequested': RefundRequestedData;
  presence: PresenceView;
  'payment.status': PaymentStatusView;
  'chat.message': ChatMessageView;
  'refund.request': RefundRequestEventData;
}
export type EventType = keyof EventDataMap;
export type OrderEventType = Extract<EventType, `order.${string}`>;
export const ORDER_EVENT_TYPES: readonly OrderEventType[] = [
  'order.confirmed',
  'order.seen',
  'order.delivered',
  'order.cancelled',
  'order.refunded',
  'order.unseen',
  'order.updated',
  'order.refundRequested',
];

/** The envelope of every event: `seq` increases by one per event within a stream. */
export interface EventMessage<T extends EventType = EventType, S extends string = string> {
  type: T;
  stream: S;
  seq: number;
  at: string;
  data: EventDataMap[T];
}
/** One event of one of `T`, discriminated by `type`. */
export type EventOf<T extends EventType, S extends string = string> = { [K in T]: EventMessage<K, S> }[T];

export type ReplyErrorCode = 'bad_request' | 'rate_limited' | 'forbidden' | 'not_found' | 'unprocessable';
/** A reply error: the connection stays open (the fifth bad input within a minute closes it with 1008). */
export interface ErrorMessage {
  type: 'error';
  code: ReplyErrorCode;
  message: string;
}
export interface PongMessage {
  type: 'pong';
}
/** The answer to `chat.send`; the message itself arrives as `chat.message`. */
export interface AckMessage {
  type: 'ack';
  clientMsgId: string;
  messageId: number;
}
/** The answer to `chat.history`: newest first. */
export interface ChatHistoryMessage {
  type: 'chat.history';
  phone: string;
  messages: ChatMessageView[];
}

type Replies = ErrorMessage | PongMessage;

export type LiveOrdersMessage =
  | HelloMessage<LiveOrdersStream>
  | SnapshotMessage<LiveOrdersSnapshot, LiveOrdersStream>
  | EventOf<OrderEventType | 'presence', LiveOrdersStream>
  | Replies;
export type PaymentMessage =
  | HelloMessage<PaymentStream>
  | SnapshotMessage<PaymentSnapshot, PaymentStream>
  | EventOf<'payment.status' | 'refund.request', PaymentStream>
  | Replies;
export type ChatSocketMessage =
  | HelloMessage<ChatStream>
  | SnapshotMessage<ChatSnapshot, ChatStream>
  | EventOf<'chat.message', ChatStream>
  | AckMessage
  | ChatHistoryMessage
  | Replies;

/** What the server may send on each socket. */
export interface ServerMessages {
  'live-orders': LiveOrdersMessage;
  payment: PaymentMessage;
  chat: ChatSocketMessage;
}
/** Every server message (SPEC §3); narrow by socket with `ServerMessages[socket]`. */
export type ServerMessage = ServerMessages[SocketName];

/** Client → server (SPEC §3); the server decodes these at the edge (realtime/protocol.ts). */
export interface PingRequest {
  type: 'ping';
}
export interface ChatHistoryRequest {
  type: 'chat.history';
  phone: string;
  /** A message id: only older messages. */
  before?: number | string;
  /** 1–100, default 10. */
  limit?: number;
}
export interface ChatSendRequest {
  type: 'chat.send';
  phone: string;
  text: string;
  clientMsgId: string;
}
export type ClientMessage = PingRequest | ChatHistoryRequest | ChatSendRequest;
export type ClientMessageType = ClientMessage['type'];
