import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signedIn } from '../accounts/session.http.js';
import { answerOf, bodyId, idParams } from '../http/route-schemas.js';
import { safeText } from '../http/safe-text.js';
import { FEEDBACK_COMMENT_MAX, type FeedbackList, type FeedbackView } from '../protocol/index.js';
import type { FeedbackService } from './feedback.service.js';

export const DEFAULT_FEEDBACK_LIMIT = 50;
export const MAX_FEEDBACK_LIMIT = 200;

const feedbackView = answerOf<FeedbackView>()(
  z.object({ orderId: z.number().int(), rating: z.number().int().min(1).max(5), comment: z.string().nullable(), at: z.string() }).meta({ id: 'Feedback' }),
);
const feedbackList = answerOf<FeedbackList>()(
  z.object({
    count: z.number().int(),
    average: z.number().nullable().meta({ description: 'mean rating, two decimals; null when count is 0' }),
    feedback: z.array(feedbackView),
    nextBefore: z.number().int().nullable().meta({ description: 'pass as `before` for older feedback; null on the last page' }),
  }),
);

const tags = ['feedback'];

/** SPEC §6 "Feedback": a guest rates a delivered order once; staff of the theatre and admins read it. See docs/api.md. */
export function feedbackRoutes(app: FastifyInstance, deps: { feedback: FeedbackService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/orders/:id/feedback',
    {
      config: { auth: 'order-token' },
      schema: {
        tags,
        params: idParams('order'),
        body: z.strictObject({ rating: z.number().int().min(1).max(5), comment: safeText(FEEDBACK_COMMENT_MAX, { multiline: true }).optional() }),
        response: { 201: z.object({ feedback: feedbackView }) },
      },
    },
    async (req, reply) => reply.status(201).send({ feedback: await deps.feedback.rate(req.params.id, req.body) }),
  );

  r.get(
    '/api/theatres/:id/feedback',
    {
      config: { auth: 'session' },
      schema: {
        tags,
        params: idParams('theatre'),
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(MAX_FEEDBACK_LIMIT).default(DEFAULT_FEEDBACK_LIMIT),
          before: z.coerce.number().pipe(bodyId()).optional(),
        }),
        response: { 200: feedbackList },
      },
    },
    async (req) => deps.feedback.list(signedIn(req).actor, req.params.id, { limit: req.query.limit, before: req.query.before }),
  );
}
