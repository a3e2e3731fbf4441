import { z } from 'zod';

export const MAX_QUANTITY = 20;
export const MAX_ORDER_LINES = 50;
export const MAX_NOTES_LENGTH = 500;

/**
 * The shape of `POST /api/orders`. Keys it does not name (a client's `price`, `amount`...) are
 * dropped: prices always come from the server's menu. Shape errors are 400; business rules
 * (availability, cash, limits) are checked by the service and answer 422.
 */
export const createOrderSchema = z.object({
  seatId: z.number().int().positive(),
  items: z
    .array(z.object({ itemId: z.number().int().positive(), quantity: z.number().int().min(1).max(MAX_QUANTITY) }))
    .min(1)
    .max(MAX_ORDER_LINES),
  phone: z.string().min(1).max(32),
  paymentMethod: z.enum(['online', 'cash']),
  notes: z.string().max(MAX_NOTES_LENGTH).optional(),
});

export type CreateOrderInput = z.input<typeof createOrderSchema>;
export type ParsedCreateOrder = z.output<typeof createOrderSchema>;
