import { CHAT_PATH, LIVE_ORDERS_PATH, paymentSocketPath, SOCKET_NAMES, type SocketName } from '../protocol/index.js';

/**
 * The three sockets of SPEC §1 as the server routes them: names and paths are the contract's
 * (src/protocol/sockets.ts); this adds the environment variable holding each one's keys and the
 * routing of a request path.
 */
export { SOCKET_NAMES, type SocketName };

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

/** The payment path's order id, written canonically (`000244` would name a stream nobody publishes to). */
const ORDER_ID = '([1-9][0-9]{0,14})';
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** A contract path with its trailing slash optional (SPEC §1). */
const withOptionalSlash = (path: string): RegExp => new RegExp(`^${escape(path.replace(/\/$/, '')).replace('ORDER', ORDER_ID)}\\/?$`);

const LIVE_ORDERS_ROUTE = withOptionalSlash(LIVE_ORDERS_PATH);
const CHAT_ROUTE = withOptionalSlash(CHAT_PATH);
const PAYMENT_ROUTE = withOptionalSlash(paymentSocketPath('ORDER'));

/** Maps a request path to its socket; `null` for any other path (answered 404). */
export function routeSocketPath(pathname: string): SocketRoute | null {
  if (LIVE_ORDERS_ROUTE.test(pathname)) return { socket: 'live-orders' };
  if (CHAT_ROUTE.test(pathname)) return { socket: 'chat' };
  const payment = PAYMENT_ROUTE.exec(pathname);
  if (payment?.[1]) return { socket: 'payment', orderId: payment[1] };
  return null;
}
