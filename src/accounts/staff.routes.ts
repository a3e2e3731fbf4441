import type { FastifyInstance } from 'fastify';
import { parseId, parseInput } from '../http/validate.js';
import type { SessionAuth } from './session.http.js';
import { newStaffBody, passwordBody } from './staff.input.js';
import type { StaffService } from './staff.service.js';

type Id = { Params: { id: string } };

/** Staff accounts, managed by admins. Never answers a password hash. See docs/api.md. */
export function staffRoutes(app: FastifyInstance, deps: { staff: StaffService; sessions: SessionAuth }): void {
  const { staff, sessions } = deps;

  app.get<Id>('/api/theatres/:id/staff', async (req) => {
    const who = await sessions.require(req);
    return { staff: await staff.list(who, parseId(req.params.id, 'theatre')) };
  });

  app.post<Id>('/api/theatres/:id/staff', async (req, reply) => {
    const who = await sessions.require(req);
    const id = parseId(req.params.id, 'theatre');
    return reply.status(201).send({ account: await staff.create(who, id, parseInput(newStaffBody, req.body)) });
  });

  app.patch<Id>('/api/accounts/:id', async (req) => {
    const who = await sessions.require(req);
    const id = parseId(req.params.id, 'account');
    return { account: await staff.setPassword(who, id, parseInput(passwordBody, req.body).password) };
  });

  app.delete<Id>('/api/accounts/:id', async (req, reply) => {
    const who = await sessions.require(req);
    await staff.remove(who, parseId(req.params.id, 'account'));
    return reply.status(204).send();
  });
}
