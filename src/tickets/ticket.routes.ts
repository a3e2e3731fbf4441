import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeOf } from '../accounts/actor.js';
import { signedIn, type SignedIn } from '../accounts/session.http.js';
import { bodyId } from '../http/route-schemas.js';
import type { OrderService } from '../orders/order.service.js';
import { SOCKET_NAMES, type SocketName } from '../realtime/sockets.js';
import type { TicketHolder, TicketScope, TicketService } from './ticket.service.js';

const body = z
  .object({
    socket: z.enum(SOCKET_NAMES),
    orderId: z.union([bodyId(), z.string().regex(/^\d{1,10}$/).transform(Number).pipe(bodyId())]).optional(),
  })
  .refine((b) => b.socket !== 'payment' || b.orderId !== undefined, 'orderId is required for the payment socket.');
type TicketBody = z.output<typeof body>;

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
export function ticketRoutes(app: FastifyInstance, deps: { tickets: TicketService; orders: OrderService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/ws/tickets',
    {
      // The payment socket's order may be opened by its guest's token; every other socket needs a session.
      config: { auth: 'order', orderOf: (req) => ((req.body as TicketBody).socket === 'payment' ? (req.body as TicketBody).orderId : undefined) },
      schema: {
        tags: ['sockets'],
        body,
        response: { 201: z.object({ ticket: z.string(), expiresIn: z.number().int().meta({ description: 'seconds' }), url: z.string() }) },
      },
    },
    async (req, reply) => {
      const input = req.body;
      let scope: TicketScope;
      let holder: TicketHolder | undefined;
      if (input.socket === 'payment') {
        scope = { kind: 'order', orderId: String(input.orderId) };
        if (req.guestOf === null) {
          const who = signedIn(req);
          await deps.orders.getOrderFor(input.orderId!, who.actor);
          holder = holderOf(who);
        }
      } else {
        const who = signedIn(req);
        scope = scopeOf(who.actor);
        holder = holderOf(who);
      }
      const { ticket, expiresIn } = await deps.tickets.mint(input.socket, scope, holder);
      return reply.status(201).send({ ticket, expiresIn, url: socketUrl(req, PATHS[input.socket](input.orderId), ticket) });
    },
  );
}
