import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appError } from '../http/errors.js';
import { isOriginAllowed } from '../realtime/upgrade/origin.js';
import type { Account } from './account.repository.js';
import type { AccountService } from './account.service.js';
import type { Actor } from './actor.js';

export const SESSION_COOKIE = 's2f_session';

export interface SignedIn {
  account: Account;
  actor: Actor;
  /** The session's stored id: tickets minted with it carry it, so ending the session ends their sockets. */
  sessionId?: string;
}

export function actorOf(account: Account): Actor {
  return account.role === 'admin' ? { role: 'admin' } : { role: 'staff', theatreId: account.theatreId as number };
}

/**
 * Who is calling, from the HttpOnly session cookie. State changes made with a cookie must come
 * from our own pages: a foreign `Origin` (or a cross-site fetch) is refused, so another site
 * cannot act with a logged-in staff member's cookie.
 */
export class SessionAuth {
  constructor(
    private readonly accounts: AccountService,
    private readonly allowedOrigins: string[] | null,
    /**
     * Production: the cookie is always `Secure`. 'auto' trusts the request's protocol, which
     * behind a TLS proxy with the default TRUST_PROXY reads as plain http and drops the flag.
     */
    private readonly cookieSecure: true | 'auto' = 'auto',
  ) {}

  async signedIn(req: FastifyRequest): Promise<SignedIn | null> {
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return null;
    const session = await this.accounts.lookupSession(token);
    if (!session) return null;
    if (req.method !== 'GET' && req.method !== 'HEAD') this.checkSameOrigin(req);
    return { account: session.account, actor: actorOf(session.account), sessionId: session.id };
  }

  async require(req: FastifyRequest): Promise<SignedIn> {
    const who = await this.signedIn(req);
    if (!who) throw appError('unauthorized', 'Log in first.');
    return who;
  }

  checkSameOrigin(req: FastifyRequest): void {
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || !isOriginAllowed(req.headers.origin, req.headers.host, this.allowedOrigins)) {
      throw appError('forbidden', 'Requests with a session cookie must come from this site.');
    }
  }

  setCookie(reply: FastifyReply, token: string, expiresAt: string): void {
    void reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: this.cookieSecure, path: '/', expires: new Date(expiresAt) });
  }

  clearCookie(reply: FastifyReply): void {
    void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: this.cookieSecure, path: '/' });
  }
}

/** The bearer token of the request (a guest's order token), if any. */
export function bearerToken(req: FastifyRequest): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? null;
}
