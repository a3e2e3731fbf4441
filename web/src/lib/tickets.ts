import type { SocketTarget } from '../../../src/protocol/index.js';
import { FatalTicketError } from './stream-connection.js';

/**
 * Asks the API for a single-use ticket: staff and admins by their session cookie, a guest by
 * its order token. 401/403/404 are final (signed out, or not theirs); anything else is retried.
 */
export async function fetchTicket(target: SocketTarget, options: { orderToken?: string } = {}): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.orderToken) headers.authorization = `Bearer ${options.orderToken}`;
  const res = await fetch('/api/ws/tickets', {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    body: JSON.stringify(target.socket === 'payment' ? { socket: target.socket, orderId: target.orderId } : { socket: target.socket }),
  });
  if (res.status === 401 || res.status === 403 || res.status === 404) throw new FatalTicketError(res.status);
  if (!res.ok) throw new Error(`ticket: HTTP ${res.status}`);
  const body = (await res.json()) as { ticket: string };
  return body.ticket;
}
