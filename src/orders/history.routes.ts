import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertVisible } from '../accounts/access.js';
import { signedIn } from '../accounts/session.http.js';
import { bodyId, idParams } from '../http/route-schemas.js';
import type { TheatreRepository } from '../theatres/theatre.repository.js';
import type { OrderHistoryRepository } from './history.repository.js';
import { ORDER_STATUSES, orderView } from './order.routes.js';
import { toOrderView } from './order.view.js';
import { normalisePhone } from '../shared/phone.js';
import { theatreDayRange } from './theatre-day.js';

export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 200;

const historyQuery = z.strictObject({
  date: z
    .string()
    .transform((d, ctx) => theatreDayRange(d) ?? (ctx.addIssue({ code: 'custom', message: 'date must be YYYY-MM-DD' }), z.NEVER))
    .optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  phone: z
    .string()
    .max(32)
    .transform((p, ctx) => normalisePhone(p) ?? (ctx.addIssue({ code: 'custom', message: 'phone is not a valid phone number' }), z.NEVER))
    .optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_LIMIT).default(DEFAULT_HISTORY_LIMIT),
  before: z.coerce.number().pipe(bodyId()).optional(),
});

/** `GET /api/theatres/<id>/orders`: a theatre's order history for its staff and admins. See docs/api.md. */
export function historyRoutes(app: FastifyInstance, deps: { history: OrderHistoryRepository; theatres: TheatreRepository }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/theatres/:id/orders',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['orders'],
        params: idParams('theatre'),
        querystring: historyQuery,
        response: { 200: z.object({ orders: z.array(orderView), nextBefore: z.number().int().nullable() }) },
      },
    },
    async (req) => {
      const { actor } = signedIn(req);
      const theatreId = req.params.id;
      const q = req.query;
      assertVisible(actor, (await deps.theatres.findTheatre(theatreId))?.id, 'theatre');
      // One more than asked tells whether another page exists, without a count query.
      const records = await deps.history.page({
        theatreId,
        limit: q.limit + 1,
        ...(q.date ? { placed: q.date } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.phone ? { phone: q.phone } : {}),
        ...(q.before ? { before: q.before } : {}),
      });
      const page = records.slice(0, q.limit);
      return { orders: page.map(toOrderView), nextBefore: records.length > q.limit ? page[page.length - 1]!.row.id : null };
    },
  );
}
