import type { OrderStatus, OrderView } from '../../../src/protocol/index.js';

/** A paid online order of theatre 1 for unit tests; `placedAt` orders them by id by default. */
export const orderFixture = (id: number, status: OrderStatus, placedAt = `2026-11-29T18:0${id}:00.000Z`): OrderView => ({
  id,
  theatreId: 1,
  seat: { id: 1, name: 'A1', row: 'A', hall: 'Audi 1' },
  items: [{ itemId: 1, name: 'Popcorn', quantity: 1, price: 25000 }],
  amount: 25000,
  paymentMethod: 'online',
  paymentStatus: 'success',
  status,
  placedAt,
  maxTime: 5,
  subtotal: 25000,
  discount: 0,
  taxes: [],
  total: 25000,
  refundedAmount: 0,
  invoiceNumber: `INV/2026-27/${id}`,
  seenBy: null,
  seenAt: null,
  deliveredBy: null,
  deliveredAt: null,
});
