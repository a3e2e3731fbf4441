import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertVisible } from '../accounts/access.js';
import { signedIn } from '../accounts/session.http.js';
import { idParams } from '../http/route-schemas.js';
import type { OrderRepository } from '../orders/order.repository.js';
import type { TheatreRepository } from '../theatres/theatre.repository.js';
import { KOT_CSP, renderKot } from './kot.view.js';

export interface KitchenDeps {
  orders: Pick<OrderRepository, 'find'>;
  theatres: Pick<TheatreRepository, 'findTheatre'>;
}

/**
 * `GET /api/orders/<id>/kot`: the order's kitchen ticket for staff of its theatre and admins
 * (docs/api.md). An order of another theatre is 404, exactly like one that does not exist.
 * `?print=1` makes the page print itself once loaded.
 */
export function kotRoutes(app: FastifyInstance, deps: KitchenDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/orders/:id/kot',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['orders'],
        summary: 'The kitchen order ticket (HTML for an 80 mm thermal printer)',
        params: idParams('order'),
        querystring: z.object({ print: z.enum(['0', '1']).optional().meta({ description: '1: the page prints itself once loaded' }) }),
        response: {
          200: { content: { 'text/html': { schema: z.string().meta({ description: 'the ticket page' }) } } },
        },
      },
    },
    async (req, reply) => {
      const { actor } = signedIn(req);
      const record = await deps.orders.find(req.params.id);
      assertVisible(actor, record?.row.theatre_id, 'order');
      const theatre = await deps.theatres.findTheatre(record!.row.theatre_id);
      const { row, items } = record!;
      const html = renderKot({
        orderId: row.id,
        theatreName: theatre?.name ?? '',
        timeZone: theatre?.timeZone ?? 'Asia/Kolkata',
        placedAt: row.placed_at,
        confirmedAt: row.confirmed_at,
        seat: { name: row.seat_name, row: row.row_name, hall: row.hall_name },
        items: items.map((i) => ({ name: i.name, quantity: i.quantity })),
        notes: row.notes,
        paymentMethod: row.payment_method,
        paymentStatus: row.payment_status,
        total: row.amount,
        maxTime: row.max_time,
      });
      return reply
        .header('content-security-policy', KOT_CSP)
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'same-origin')
        .type('text/html; charset=utf-8')
        .send(html);
    },
  );
}
