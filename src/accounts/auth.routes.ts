import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appError } from '../http/errors.js';
import { parseInput } from '../http/validate.js';
import type { AuthFailureLimiter } from '../realtime/upgrade/auth-failure-limiter.js';
import type { AccountService } from './account.service.js';
import { SESSION_COOKIE, type SessionAuth } from './session.http.js';

const loginBody = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

/** Staff and admin log-in with an HttpOnly session cookie (SPEC §4). */
export function authRoutes(app: FastifyInstance, deps: { accounts: AccountService; sessions: SessionAuth; failures: AuthFailureLimiter }): void {
  app.post('/api/auth/login', async (req, reply) => {
    deps.sessions.checkSameOrigin(req);
    // Password guessing is limited per client address, like refused socket credentials.
    const limitKey = `login:${req.ip}`;
    const retryAfter = await deps.failures.retryAfter(limitKey);
    if (retryAfter > 0) throw appError('rate_limited', 'Too many failed logins from this address; wait and retry.', { 'Retry-After': String(retryAfter) });
    const { username, password } = parseInput(loginBody, req.body);
    const account = await deps.accounts.authenticate(username, password);
    if (!account) {
      await deps.failures.recordFailure(limitKey);
      throw appError('unauthorized', 'Wrong username or password.');
    }
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
