import { z } from 'zod';
import { answerOf } from '../http/route-schemas.js';
import type { RefundApprovalView, RefundRequestView } from '../protocol/index.js';

/** A guest's refund request as the API and `refund.request` show it (SPEC §6). */
export const refundRequestView = answerOf<RefundRequestView>()(
  z
    .object({
      id: z.number().int(),
      orderId: z.number().int(),
      status: z.enum(['open', 'refunded', 'rejected']),
      reason: z.string(),
      at: z.string(),
      resolution: z.string().nullable().meta({ description: "staff's reason when rejected" }),
      resolvedAt: z.string().nullable(),
    })
    .meta({ id: 'RefundRequest' }),
);

export const refundApprovalView = answerOf<RefundApprovalView>()(
  z.object({ id: z.number().int(), expiresAt: z.string() }).meta({ id: 'RefundApproval', description: 'the code went to the approver over WhatsApp' }),
);
