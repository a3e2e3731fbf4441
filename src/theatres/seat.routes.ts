import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { answerOf, named, pathId } from '../http/route-schemas.js';
import type { SeatService, SeatView } from './seat.service.js';
import { guestItemFields, pricingView } from './theatre.schemas.js';

const seatView = answerOf<SeatView>()(
  z.object({
    seat: named,
    row: named,
    hall: named,
    theatre: z.object({
      id: z.number().int(),
      name: z.string(),
      cashEnabled: z.boolean(),
      serviceEndTime: z.string().nullable(),
      pricing: pricingView,
      discountMessage: z.string().nullable(),
    }),
    menu: z.array(
      z.object({
        id: z.number().int(),
        category: z.string(),
        items: z.array(z.object(guestItemFields)),
      }),
    ),
  }),
);

/** `GET /api/seats/<seatId>`: what the QR code on a seat opens. Public: a seat id reveals a menu. */
export function seatRoutes(app: FastifyInstance, deps: { seats: SeatService }): void {
  app
    .withTypeProvider<ZodTypeProvider>()
    .get('/api/seats/:seatId', { schema: { tags: ['guests'], params: z.object({ seatId: pathId('seat') }), response: { 200: seatView } } }, async (req) =>
      deps.seats.seatView(req.params.seatId),
    );
}
