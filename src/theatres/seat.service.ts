import { pricingOf } from './settings.js';
import { appError } from '../http/errors.js';
import type { Executor } from '../db/executor.js';
import { TheatreRepository } from './theatre.repository.js';
import type { SeatView } from '../protocol/index.js';

/** The answer of `GET /api/seats/<seatId>`: where the guest sits and what they can order. */
export type { SeatView };

export class SeatService {
  private readonly theatres: TheatreRepository;

  constructor(deps: { db: Executor }) {
    this.theatres = new TheatreRepository(deps.db);
  }

  /** @throws not_found for an unknown seat. */
  async seatView(seatId: number): Promise<SeatView> {
    const place = await this.theatres.findSeatPlace(seatId);
    if (!place) throw appError('not_found', 'No such seat.');
    const menu = await this.theatres.menu(place.theatre.id);
    const { theatre } = place;
    return {
      seat: place.seat,
      row: place.row,
      hall: place.hall,
      theatre: {
        id: theatre.id,
        name: theatre.name,
        cashEnabled: theatre.cashEnabled,
        serviceEndTime: theatre.serviceEndTime,
        pricing: pricingOf(theatre),
        discountMessage: theatre.discountMessage,
      },
      menu: menu.map((c) => ({
        id: c.id,
        category: c.name,
        items: c.items.map((i) => ({
          id: i.id,
          name: i.name,
          price: i.price,
          maxTime: i.maxTime,
          available: i.available,
          description: i.description,
          foodType: i.foodType,
          imageUrl: i.imageUrl,
        })),
      })),
    };
  }
}
