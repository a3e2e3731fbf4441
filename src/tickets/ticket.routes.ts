import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { bearerToken, type SessionAuth, type SignedIn } from '../accounts/session.http.js';
import { appError } from '../http/errors.js';
import { parseInput } from '../http/validate.js';
import type { OrderService } from '../orders/order.service.js';
import { SOCKET_NAMES, type SocketName } from '../realtime/sockets.js';
import type { TicketHolder, TicketScope, TicketService } from './ticket.service.js';

const body = z.object({
  socket: z.enum(SOCKET_NAMES),
  orderId: z.union([z.number().int().positive(), z.string().regex(/^\d{1,15}$/).transform(Number)]).optional(),
});

const PATHS: Record<SocketName, (orderId?: number) => string> = {
  'live-orders': () => '/ws/all-seat-datasocket/',
  chat: () => '/ws/chat-socket/',
  payment: (orderId) => `/ws/payment-socket/${orderId}/`,
};

const holderOf = (who: SignedIn): TicketHolder | undefined => (who.sessionId ? { accountId: who.account.id, sessionId: who.sessionId } : undefined);

function socketUrl(req: FastifyRequest, path: string, ticket: string): string {
  const scheme = req.protocol === 'https' ? 'wss' : 'ws';
  return `${scheme}://${req.host}${path}?ticket=${encodeURIComponent(ticket)}`;
}

/**
 * `POST /api/ws/tickets`: what a browser exchanges its session (staff, admin) or its order token
 * (guest) for, to open one socket once within a minute. The scope is the caller's own: staff get
 * their theatre, admins everything, a guest the one order its token is for.
 */
export function ticketRoutes(app: FastifyInstance, deps: { tickets: TicketService; sessions: SessionAuth; orders: OrderService }): void {
  app.post('/api/ws/tickets', async (req, reply) => {
    const input = parseInput(body, req.body);
    let scope: TicketScope;
    let holder: TicketHolder | undefined;
    if (input.socket === 'payment') {
      if (input.orderId === undefined) throw appError('validation_failed', 'orderId is required for the payment socket.');
      scope = { kind: 'order', orderId: String(input.orderId) };
      const token = bearerToken(req);
      if (token) {
        if (!(await deps.orders.verifyOrderToken(input.orderId, token))) throw appError('not_found', 'No such order.');
      } else {
        const who = await deps.sessions.require(req);
        await deps.orders.getOrderFor(input.orderId, who.actor);
        holder = holderOf(who);
      }
    } else {
      const who = await deps.sessions.require(req);
      scope = who.actor.role === 'admin' ? { kind: 'admin' } : { kind: 'theatre', theatreId: who.actor.theatreId };
      holder = holderOf(who);
    }
    const { ticket, expiresIn } = await deps.tickets.mint(input.socket, scope, holder);
    return reply.status(201).send({ ticket, expiresIn, url: socketUrl(req, PATHS[input.socket](input.orderId), ticket) });
  });
}
