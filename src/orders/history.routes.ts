import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { assertVisible } from '../accounts/access.js';
import type { SessionAuth } from '../accounts/session.http.js';
import { parseId, parseInput } from '../http/validate.js';
import type { TheatreRepository } from '../theatres/theatre.repository.js';
import type { OrderHistoryRepository } from './history.repository.js';
import { toOrderView } from './order.view.js';
import { normalisePhone } from './phone.js';
import { theatreDayRange } from './theatre-day.js';

export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 200;

const historyQuery = z.strictObject({
  date: z
    .string()
    .transform((d, ctx) => theatreDayRange(d) ?? (ctx.addIssue({ code: 'custom', message: 'date must be YYYY-MM-DD' }), z.NEVER))
    .optional(),
  status: z.enum(['placed', 'confirmed', 'seen', 'delivered', 'cancelled', 'refunded']).optional(),
  phone: z
    .string()
    .max(32)
    .transform((p, ctx) => normalisePhone(p) ?? (ctx.addIssue({ code: 'custom', message: 'phone is not a valid phone number' }), z.NEVER))
    .optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_LIMIT).default(DEFAULT_HISTORY_LIMIT),
  before: z.coerce.number().int().positive().optional(),
});

/** `GET /api/theatres/<id>/orders`: a theatre's order history for its staff and admins. See docs/api.md. */
export function historyRoutes(
  app: FastifyInstance,
  deps: { history: OrderHistoryRepository; theatres: TheatreRepository; sessions: SessionAuth },
): void {
  app.get<{ Params: { id: string } }>('/api/theatres/:id/orders', async (req) => {
    const { actor } = await deps.sessions.require(req);
    const theatreId = parseId(req.params.id, 'theatre');
    const q = parseInput(historyQuery, req.query);
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
  });
}
