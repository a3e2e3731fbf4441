import { bodyId } from '../http/route-schemas.js';
import { z } from 'zod';
import { safeText } from '../http/safe-text.js';

export const MAX_QUANTITY = 20;
export const MAX_ORDER_LINES = 50;
export const MAX_NOTES_LENGTH = 500;
/** Units of all items together: a group's order at the interval, not a catering job. */
export const MAX_UNITS_PER_ORDER = 100;

const line = z.object({ itemId: bodyId(), quantity: z.number().int().min(1).max(MAX_QUANTITY) });

/**
 * Repeated lines of one item become one line with the quantities summed (first position kept),
 * so the per-item cap cannot be dodged by repeating a line; then the caps apply to the merged
 * lines and to the order's units.
 */
const lines = z
  .array(line)
  .min(1)
  .max(MAX_ORDER_LINES)
  .transform((given, ctx) => {
    const merged = new Map<number, number>();
    for (const { itemId, quantity } of given) merged.set(itemId, (merged.get(itemId) ?? 0) + quantity);
    let units = 0;
    for (const [itemId, quantity] of merged) {
      units += quantity;
      if (quantity > MAX_QUANTITY) {
        ctx.addIssue({ code: 'custom', path: [], message: `item ${itemId}: at most ${MAX_QUANTITY} of one item per order (repeated lines are added up; this makes ${quantity})` });
      }
    }
    if (units > MAX_UNITS_PER_ORDER) ctx.addIssue({ code: 'custom', path: [], message: `at most ${MAX_UNITS_PER_ORDER} units per order (this has ${units})` });
    return [...merged].map(([itemId, quantity]) => ({ itemId, quantity }));
  });

/**
 * The shape of `POST /api/orders`. Keys it does not name (a client's `price`, `amount`...) are
 * dropped: prices always come from the server's menu. Shape errors are 400; business rules
 * (availability, cash, limits) are checked by the service and answer 422.
 */
export const createOrderSchema = z.object({
  seatId: bodyId(),
  items: lines,
  phone: safeText(32),
  paymentMethod: z.enum(['online', 'cash']),
  notes: safeText(MAX_NOTES_LENGTH, { min: 0, multiline: true }).optional(),
});

export type CreateOrderInput = z.input<typeof createOrderSchema>;
export type ParsedCreateOrder = z.output<typeof createOrderSchema>;

/** The longest `Idempotency-Key` accepted, in characters (the route and the service check the same). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** `Idempotency-Key`: visible ASCII only, so it is stored and compared exactly as sent. */
export const idempotencyKeyHeader = z
  .string()
  .regex(new RegExp(`^[\\x21-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`), `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters.`);
