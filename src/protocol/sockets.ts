/**
 * The three sockets of SPEC §1, their paths, the subprotocol a browser offers, and the streams
 * (SPEC §3) a connection follows.
 */

export const SOCKET_NAMES = ['live-orders', 'payment', 'chat'] as const;
export type SocketName = (typeof SOCKET_NAMES)[number];

/** Canonical paths (a trailing slash is optional when connecting). */
export const LIVE_ORDERS_PATH = '/ws/all-seat-datasocket/';
export const CHAT_PATH = '/ws/chat-socket/';
export const paymentSocketPath = (orderId: number | string): string => `/ws/payment-socket/${orderId}/`;

/** Where a socket is: the payment socket needs its order. */
export type SocketTarget = { socket: 'live-orders' } | { socket: 'chat' } | { socket: 'payment'; orderId: number | string };

export function socketPath(target: SocketTarget): string {
  switch (target.socket) {
    case 'live-orders':
      return LIVE_ORDERS_PATH;
    case 'chat':
      return CHAT_PATH;
    case 'payment':
      return paymentSocketPath(target.orderId);
  }
}

/**
 * `new WebSocket(url, [SUBPROTOCOL, TICKET_PROTOCOL_PREFIX + ticket])` keeps the ticket out of
 * the URL; the server answers with SUBPROTOCOL.
 */
export const SUBPROTOCOL = 'scan2food.v1';
export const TICKET_PROTOCOL_PREFIX = 'ticket.';

/** `?since=<seq>` resumes a stream after the last seq seen. */
export const SINCE_PARAM = 'since';

/** Stream names. An order event goes to its theatre's stream and to `theatres`. */
export const ALL_THEATRES_STREAM = 'theatres';
export const ALL_CHAT_STREAM = 'chat';
export const theatreStream = (theatreId: number): `theatre:${number}` => `theatre:${theatreId}`;
export const orderStream = (orderId: number): `order:${number}` => `order:${orderId}`;
export const chatStream = (theatreId: number): `chat:${number}` => `chat:${theatreId}`;

export type LiveOrdersStream = typeof ALL_THEATRES_STREAM | `theatre:${number}`;
export type PaymentStream = `order:${number}`;
export type ChatStream = typeof ALL_CHAT_STREAM | `chat:${number}`;
export type StreamName = LiveOrdersStream | PaymentStream | ChatStream;
