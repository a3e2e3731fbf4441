import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appError } from '../http/errors.js';
import { answerOf, noContent } from '../http/route-schemas.js';
import type { Account } from './account.repository.js';
import type { AuthFailureLimiter } from '../realtime/upgrade/auth-failure-limiter.js';
import type { AccountService } from './account.service.js';
import { SESSION_COOKIE, signedIn, type SessionAuth } from './session.http.js';

const loginBody = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

/** A staff or admin account as the API shows it (never its password hash). */
export const accountView = answerOf<Account>()(
  z
    .object({ id: z.number().int(), username: z.string(), role: z.enum(['staff', 'admin']), theatreId: z.number().int().nullable() })
    .meta({ id: 'Account' }),
);

/** Staff and admin log-in with an HttpOnly session cookie (SPEC §4). */
export function authRoutes(
  app: FastifyInstance,
  deps: { accounts: AccountService; sessions: SessionAuth; failures: AuthFailureLimiter; revokeSessions: (sessionIds: string[]) => Promise<void> },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/auth/login',
    { config: { auth: 'same-origin' }, schema: { tags: ['auth'], body: loginBody, response: { 200: z.object({ account: accountView }) } } },
    async (req, reply) => {
      const { username, password } = req.body;
      // Password guessing is limited per client address, like refused socket credentials. The attempt
      // is counted before the (slow) password check, so 60 parallel guesses cannot all get through
      // while the hashes run; a right password gives its point back.
      const limitKey = `login:${req.ip}`;
      const retryAfter = await deps.failures.reserve(limitKey);
      if (retryAfter > 0) throw appError('rate_limited', 'Too many failed logins from this address; wait and retry.', { 'Retry-After': String(retryAfter) });
      let account: Awaited<ReturnType<AccountService['authenticate']>>;
      try {
        account = await deps.accounts.authenticate(username, password);
      } catch (err) {
        await deps.failures.refund(limitKey);
        throw err;
      }
      if (!account) throw appError('unauthorized', 'Wrong username or password.');
      await deps.failures.refund(limitKey);
      const session = await deps.accounts.createSession(account.id);
      deps.sessions.setCookie(reply, session.token, session.expiresAt);
      req.log.info({ event: 'login', accountId: account.id, role: account.role }, 'logged in');
      return { account };
    },
  );

  r.post('/api/auth/logout', { schema: { tags: ['auth'], response: { 204: noContent } } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      deps.sessions.checkSameOrigin(req);
      // Logging out ends what this session opened (its sockets, its unspent tickets), not the others'.
      await deps.revokeSessions([await deps.accounts.deleteSession(token)]);
    }
    deps.sessions.clearCookie(reply);
    return reply.status(204).send();
  });

  r.get('/api/auth/me', { config: { auth: 'session' }, schema: { tags: ['auth'], response: { 200: z.object({ account: accountView }) } } }, async (req) => ({
    account: signedIn(req).account,
  }));
}
