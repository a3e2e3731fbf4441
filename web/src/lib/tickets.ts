import { FatalTicketError } from './stream-connection.js';

export type SocketName = 'live-orders' | 'payment' | 'chat';

/**
 * Asks the API for a single-use ticket: staff and admins by their session cookie, a guest by
 * its order token. 401/403/404 are final (signed out, or not theirs); anything else is retried.
 */
export async function fetchTicket(socket: SocketName, options: { orderId?: number; orderToken?: string } = {}): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.orderToken) headers.authorization = `Bearer ${options.orderToken}`;
  const res = await fetch('/api/ws/tickets', {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    body: JSON.stringify(options.orderId === undefined ? { socket } : { socket, orderId: options.orderId }),
  });
  if (res.status === 401 || res.status === 403 || res.status === 404) throw new FatalTicketError(res.status);
  if (!res.ok) throw new Error(`ticket: HTTP ${res.status}`);
  const body = (await res.json()) as { ticket: string };
  return body.ticket;
}
