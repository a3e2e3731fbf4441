import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, noContent } from '../http/route-schemas.js';
import { accountView } from './auth.routes.js';
import { signedIn } from './session.http.js';
import { newStaffBody, passwordBody } from './staff.input.js';
import type { StaffService } from './staff.service.js';

const config = { auth: 'session' } as const;
const tags = ['staff accounts'];

/** Staff accounts, managed by admins. Never answers a password hash. See docs/api.md. */
export function staffRoutes(app: FastifyInstance, deps: { staff: StaffService }): void {
  const { staff } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/theatres/:id/staff',
    { config, schema: { tags, params: idParams('theatre'), response: { 200: z.object({ staff: z.array(z.object({ id: z.number().int(), username: z.string() })) }) } } },
    async (req) => ({ staff: await staff.list(signedIn(req), req.params.id) }),
  );

  r.post(
    '/api/theatres/:id/staff',
    { config, schema: { tags, params: idParams('theatre'), body: newStaffBody, response: { 201: z.object({ account: accountView }) } } },
    async (req, reply) => reply.status(201).send({ account: await staff.create(signedIn(req), req.params.id, req.body) }),
  );

  r.patch(
    '/api/accounts/:id',
    { config, schema: { tags, params: idParams('account'), body: passwordBody, response: { 200: z.object({ account: accountView }) } } },
    async (req) => ({ account: await staff.setPassword(signedIn(req), req.params.id, req.body.password) }),
  );

  r.delete('/api/accounts/:id', { config, schema: { tags, params: idParams('account'), response: { 204: noContent } } }, async (req, reply) => {
    await staff.remove(signedIn(req), req.params.id);
    return reply.status(204).send();
  });
}
