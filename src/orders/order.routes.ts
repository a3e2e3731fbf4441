import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken, type SessionAuth } from '../accounts/session.http.js';
import { canSeeTheatre } from '../accounts/actor.js';
import { appError } from '../http/errors.js';
import { clientAddressKey } from '../http/rate-limits.js';
import { parseId } from '../http/validate.js';
import type { OrderService, StaffAction } from './order.service.js';
import type { OrderView } from './order.view.js';

export interface OrderRouteDeps {
  orders: OrderService;
  sessions: SessionAuth;
  /** Tells the outbox relay that events were just committed. */
  committed: () => void;
}

const ACTIONS: Record<string, StaffAction> = { seen: 'seen', deliver: 'deliver', cancel: 'cancel', refund: 'refund' };
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The order of `id` as the caller may see it: its guest (order token) or staff of its theatre. */
async function visibleOrder(req: FastifyRequest, id: number, deps: OrderRouteDeps): Promise<OrderView> {
  const token = bearerToken(req);
  if (token) {
    if (!(await deps.orders.verifyOrderToken(id, token))) throw appError('not_found', 'No such order.');
    return deps.orders.getOrder(id);
  }
  const who = await deps.sessions.require(req);
  return deps.orders.getOrderFor(id, who.actor);
}

/** Guest ordering and staff actions (SPEC §4). */
export function orderRoutes(app: FastifyInstance, deps: OrderRouteDeps): void {
  app.post('/api/orders', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
      throw appError('validation_failed', 'Idempotency-Key must be 1 to 200 visible ASCII characters.');
    }
    const created = await deps.orders.createOrder(req.body, { clientAddress: clientAddressKey(req.ip), ...(key === undefined ? {} : { idempotencyKey: key }) });
    deps.committed();
    return reply.status(201).send(created);
  });

  app.get<{ Params: { id: string } }>('/api/orders/:id', async (req) => ({ order: await visibleOrder(req, parseId(req.params.id, 'order'), deps) }));

  app.post<{ Params: { id: string; action: string } }>('/api/orders/:id/:action', async (req) => {
    const action = ACTIONS[req.params.action];
    if (!action) throw appError('not_found');
    const id = parseId(req.params.id, 'order');
    const who = await deps.sessions.require(req);
    try {
      return { order: await deps.orders.transition(id, action, who.actor) };
    } finally {
      deps.committed();
    }
  });

  app.get<{ Params: { id: string } }>('/api/theatres/:id/live-orders', async (req) => {
    const theatreId = parseId(req.params.id, 'theatre');
    const who = await deps.sessions.require(req);
    if (!canSeeTheatre(who.actor, theatreId)) throw appError('not_found', 'No such theatre.');
    return { orders: await deps.orders.liveOrders(theatreId) };
  });
}
