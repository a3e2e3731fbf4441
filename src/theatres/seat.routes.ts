import type { FastifyInstance } from 'fastify';
import { parseId } from '../http/validate.js';
import type { SeatService } from './seat.service.js';

/** `GET /api/seats/<seatId>`: what the QR code on a seat opens. Public: a seat id reveals a menu. */
export function seatRoutes(app: FastifyInstance, deps: { seats: SeatService }): void {
  app.get<{ Params: { seatId: string } }>('/api/seats/:seatId', async (req) => deps.seats.seatView(parseId(req.params.seatId, 'seat')));
}
