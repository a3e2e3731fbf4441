import { z } from 'zod';
import { bodyId } from '../http/route-schemas.js';

/** `POST /api/orders/<id>/refund`: an amount, or items given back, or neither (what remains); a reason. */
export const refundBody = z
  .object({
    amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().meta({ description: 'paise; absent = what remains' }),
    items: z
      .array(z.object({ itemId: bodyId(), quantity: z.number().int().min(1).max(100) }))
      .min(1)
      .max(50)
      .optional()
      .meta({ description: 'items given back, priced as on the order (tax included)' }),
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .refine((b) => b.amount === undefined || b.items === undefined, { message: 'Give amount or items, not both.' });

export const approvalCodeBody = z.object({ code: z.string().min(1).max(32) }).strict();

export const refundRequestBody = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

export const rejectBody = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

export const requestStatusQuery = z.object({ status: z.enum(['open', 'resolved']).default('open') });
