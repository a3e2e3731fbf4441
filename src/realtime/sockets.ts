/**
 * The three sockets of SPEC §1: their names (as used by tickets and the keys CLI), their
 * paths, and the environment variable holding each one's keys.
 */
export const SOCKET_NAMES = ['live-orders', 'payment', 'chat'] as const;
export type SocketName = (typeof SOCKET_NAMES)[number];

export const SOCKET_KEY_VARS: Record<SocketName, string> = {
  'live-orders': 'LIVE_ORDERS_WS_KEY',
  payment: 'PAYMENT_STATUS_WS_KEY',
  chat: 'CHAT_WS_KEY',
};

export function isSocketName(value: string): value is SocketName {
  return (SOCKET_NAMES as readonly string[]).includes(value);
}

export type SocketRoute =
  | { socket: 'live-orders' }
  | { socket: 'chat' }
  | { socket: 'payment'; orderId: string };

const LIVE_ORDERS_PATH = /^\/ws\/all-seat-datasocket\/?$/;
const CHAT_PATH = /^\/ws\/chat-socket\/?$/;
/** Order ids written canonically only: `000244` would name a stream nobody publishes to. */
const PAYMENT_PATH = /^\/ws\/payment-socket\/([1-9][0-9]{0,14})\/?$/;

/** Maps a request path to its socket; `null` for any other path (answered 404). */
export function routeSocketPath(pathname: string): SocketRoute | null {
  if (LIVE_ORDERS_PATH.test(pathname)) return { socket: 'live-orders' };
  if (CHAT_PATH.test(pathname)) return { socket: 'chat' };
  const payment = PAYMENT_PATH.exec(pathname);
  if (payment?.[1]) return { socket: 'payment', orderId: payment[1] };
  return null;
}
