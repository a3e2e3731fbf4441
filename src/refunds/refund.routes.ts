import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signedIn } from '../accounts/session.http.js';
import { idParams } from '../http/route-schemas.js';
import { orderView } from '../orders/order.routes.js';
import { approvalCodeBody, refundBody, refundRequestBody, rejectBody, requestStatusQuery } from './refund.input.js';
import { refundApprovalView, refundRequestView } from './refund.schemas.js';
import type { RefundRequests } from './refund-requests.service.js';
import type { RefundService } from './refund.service.js';

const tags = ['refunds'];
const orderAnswer = z.object({ order: orderView });

/** Refunds (SPEC §6): staff refunds with approval codes, guests' refund requests. */
export function refundRoutes(app: FastifyInstance, deps: { refunds: RefundService; requests: RefundRequests }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const who = (req: Parameters<typeof signedIn>[0]) => {
    const { actor, account } = signedIn(req);
    return { actor, by: { id: account.id, username: account.username, role: account.role } };
  };

  r.post(
    '/api/orders/:id/refund',
    {
      config: { auth: 'session-after-validation' },
      schema: {
        tags,
        params: idParams('order'),
        body: refundBody.nullish(),
        response: { 200: orderAnswer, 202: z.object({ approval: refundApprovalView }) },
      },
    },
    async (req, reply) => {
      const { actor, by } = who(req);
      const outcome = await deps.refunds.refund(req.params.id, actor, by, req.body ?? {});
      return 'approval' in outcome ? reply.status(202).send(outcome) : outcome;
    },
  );

  r.post(
    '/api/refund-approvals/:id',
    { config: { auth: 'session-after-validation' }, schema: { tags, params: idParams('approval'), body: approvalCodeBody, response: { 200: orderAnswer } } },
    async (req) => {
      const { actor, by } = who(req);
      return { order: await deps.refunds.approve(req.params.id, req.body.code, actor, by) };
    },
  );

  r.post(
    '/api/orders/:id/refund-requests',
    { config: { auth: 'order-token' }, schema: { tags, params: idParams('order'), body: refundRequestBody, response: { 201: z.object({ request: refundRequestView }) } } },
    async (req, reply) => reply.status(201).send({ request: await deps.requests.open(req.params.id, req.body.reason) }),
  );

  r.get(
    '/api/theatres/:id/refund-requests',
    {
      config: { auth: 'session-after-validation' },
      schema: {
        tags,
        params: idParams('theatre'),
        querystring: requestStatusQuery,
        response: { 200: z.object({ requests: z.array(refundRequestView.and(z.object({ order: orderView }))) }) },
      },
    },
    async (req) => ({ requests: await deps.requests.list(req.params.id, who(req).actor, req.query.status) }),
  );

  r.post(
    '/api/refund-requests/:id/reject',
    { config: { auth: 'session-after-validation' }, schema: { tags, params: idParams('refund request'), body: rejectBody, response: { 200: z.object({ request: refundRequestView }) } } },
    async (req) => {
      const { actor, by } = who(req);
      return { request: await deps.requests.reject(req.params.id, actor, by, req.body.reason) };
    },
  );
}
