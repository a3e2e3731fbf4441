import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canSeeTheatre } from '../accounts/actor.js';
import { signedIn } from '../accounts/session.http.js';
import { appError } from '../http/errors.js';
import { clientAddressKey } from '../http/rate-limits.js';
import { answerOf, idParams } from '../http/route-schemas.js';
import { createOrderSchema, idempotencyKeyHeader } from './order.input.js';
import type { OrderService, StaffAction } from './order.service.js';
import type { OrderPaymentStatus, OrderStatus } from './order.table.js';
import type { OrderView } from './order.view.js';
import type { RefundRequestView } from '../protocol/index.js';
import { refundRequestView } from '../refunds/refund.schemas.js';

export const ORDER_STATUSES = ['placed', 'confirmed', 'seen', 'delivered', 'cancelled', 'refunded'] as const satisfies readonly OrderStatus[];
const PAYMENT_STATUSES = ['due', 'created', 'pending', 'success', 'failed', 'refunded'] as const satisfies readonly OrderPaymentStatus[];

const staffRef = z.object({ id: z.number().int(), username: z.string() });

/** The order view of SPEC §3 and §6 (also in events), checked against the server's type. */
export const orderView = answerOf<OrderView>()(
  z
    .object({
      id: z.number().int(),
      theatreId: z.number().int(),
      seat: z.object({ id: z.number().int(), name: z.string(), row: z.string(), hall: z.string() }),
      items: z.array(z.object({ itemId: z.number().int(), name: z.string(), quantity: z.number().int(), price: z.number().int() })),
      amount: z.number().int().meta({ description: 'paise' }),
      paymentMethod: z.enum(['online', 'cash']),
      paymentStatus: z.enum(PAYMENT_STATUSES),
      status: z.enum(ORDER_STATUSES),
      placedAt: z.string(),
      maxTime: z.number().int().meta({ description: 'minutes' }),
      subtotal: z.number().int().meta({ description: 'paise: Σ price × quantity' }),
      discount: z.number().int(),
      taxes: z.array(z.object({ name: z.string(), rate: z.number(), amount: z.number().int() })),
      total: z.number().int().meta({ description: 'paise charged (equals amount)' }),
      refundedAmount: z.number().int(),
      invoiceNumber: z.string().nullable(),
      seenBy: staffRef.nullable(),
      seenAt: z.string().nullable(),
      deliveredBy: staffRef.nullable(),
      deliveredAt: z.string().nullable(),
    })
    .meta({ id: 'Order' }),
);
const orderAnswer = z.object({ order: orderView });

// `refund` takes a body (an amount or items, a reason) and may answer 202: refunds/refund.routes.ts.
const STAFF_ACTIONS = ['seen', 'deliver', 'cancel'] as const satisfies readonly StaffAction[];
const tags = ['orders'];

/** Guest ordering and staff actions (SPEC §4). */
export function orderRoutes(app: FastifyInstance, deps: { orders: OrderService; refundRequestsOf?: (orderId: number) => Promise<RefundRequestView[]> }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/orders',
    {
      schema: {
        tags,
        headers: z.looseObject({ 'idempotency-key': idempotencyKeyHeader.optional() }),
        body: createOrderSchema,
        response: { 201: z.object({ order: orderView, orderToken: z.string() }) },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const created = await deps.orders.createOrder(req.body, { clientAddress: clientAddressKey(req.ip), ...(key === undefined ? {} : { idempotencyKey: key }) });
      return reply.status(201).send(created);
    },
  );

  r.get(
    '/api/orders/:id',
    { config: { auth: 'order' }, schema: { tags, params: idParams('order'), response: { 200: orderAnswer.extend({ refundRequests: z.array(refundRequestView).optional() }) } } },
    async (req) => {
      const order = req.guestOf !== null ? await deps.orders.getOrder(req.params.id) : await deps.orders.getOrderFor(req.params.id, signedIn(req).actor);
      // The guest's refund requests, oldest first (SPEC §6).
      return deps.refundRequestsOf ? { order, refundRequests: await deps.refundRequestsOf(order.id) } : { order };
    },
  );

  for (const action of STAFF_ACTIONS) {
    r.post(
      `/api/orders/:id/${action}`,
      { config: { auth: 'session-after-validation' }, schema: { tags, params: idParams('order'), response: { 200: orderAnswer } } },
      async (req) => {
        const { actor, account } = signedIn(req);
        return { order: await deps.orders.transition(req.params.id, action, actor, { id: account.id, username: account.username }) };
      },
    );
  }

  r.get(
    '/api/theatres/:id/live-orders',
    { config: { auth: 'session-after-validation' }, schema: { tags, params: idParams('theatre'), response: { 200: z.object({ orders: z.array(orderView) }) } } },
    async (req) => {
      if (!canSeeTheatre(signedIn(req).actor, req.params.id)) throw appError('not_found', 'No such theatre.');
      return { orders: await deps.orders.liveOrders(req.params.id) };
    },
  );
}
