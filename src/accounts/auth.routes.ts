import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appError } from '../http/errors.js';
import { parseInput } from '../http/validate.js';
import type { AccountService } from './account.service.js';
import { SESSION_COOKIE, type SessionAuth } from './session.http.js';

const loginBody = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

/** Staff and admin log-in with an HttpOnly session cookie (SPEC §4). */
export function authRoutes(app: FastifyInstance, deps: { accounts: AccountService; sessions: SessionAuth }): void {
  app.post('/api/auth/login', async (req, reply) => {
    deps.sessions.checkSameOrigin(req);
    const { username, password } = parseInput(loginBody, req.body);
    const account = await deps.accounts.authenticate(username, password);
    if (!account) throw appError('unauthorized', 'Wrong username or password.');
    const session = await deps.accounts.createSession(account.id);
    deps.sessions.setCookie(reply, session.token, session.expiresAt);
    req.log.info({ event: 'login', accountId: account.id, role: account.role }, 'logged in');
    return { account };
  });

  app.post('/api/auth/logout', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      deps.sessions.checkSameOrigin(req);
      await deps.accounts.deleteSession(token);
    }
    deps.sessions.clearCookie(reply);
    return reply.status(204).send();
  });

  app.get('/api/auth/me', async (req) => {
    const { account } = await deps.sessions.require(req);
    return { account };
  });
}
