import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { appError } from '../http/errors.js';
import { isOriginAllowed } from '../http/origin.js';
import type { Account } from './account.repository.js';
import type { AccountService } from './account.service.js';
import { actorOf, type Actor } from './actor.js';

export const SESSION_COOKIE = 's2f_session';

export interface SignedIn {
  account: Account;
  actor: Actor;
  /** The session's stored id: tickets minted with it carry it, so ending the session ends their sockets. */
  sessionId?: string;
}

/**
 * Who may call a route, declared in its `config.auth`; the session plugin checks it before the
 * handler runs and leaves the caller on the request (`req.signedIn`, `req.guestOf`).
 * - `session`: a staff or admin session, checked before anything of the request is validated, so
 *   a 401 (or a 403 for a write from a foreign Origin) says nothing about the path or the body
 *   (docs/api.md, "Checks run in this order").
 * - `session-after-validation`: the same, checked once the request is valid: a path that names
 *   nothing is 404 and a bad body 400 for everyone (the order and ticket endpoints).
 * - `order`: the guest of the order the request names (`Authorization: Bearer <orderToken>`, a
 *   wrong one is 404), else a staff or admin session; checked once the request is valid, since
 *   the token is checked against that order.
 * - `order-token`: the guest of that order only (no token: 401).
 * - `same-origin`: no credential yet, but the request sets one (log-in): a foreign Origin is 403
 *   before its body is looked at.
 */
export type RouteAuth = 'session' | 'session-after-validation' | 'order' | 'order-token' | 'same-origin';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** The order an `order` or `order-token` route is about; the path's `id` by default. */
    orderOf?: (req: FastifyRequest) => number | undefined;
  }
  interface FastifyRequest {
    /** The staff or admin account calling, on routes whose `auth` asked for a session. */
    signedIn: SignedIn | null;
    /** The order whose token the caller holds, on `order` and `order-token` routes. */
    guestOf: number | null;
  }
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

/**
 * The bearer token of the request (a guest's order token), if any. Two `Authorization` headers
 * are refused (401), as the socket upgrade refuses them: Node keeps only the first, and a proxy
 * may have read the other.
 */
export function bearerToken(req: FastifyRequest): string | null {
  const headers = req.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() === 'authorization') count++;
  if (count > 1) throw appError('unauthorized', 'Send one Authorization header.');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? null;
}

/** The signed-in caller of a route declared with a session `auth`; 401 if a route forgot to declare it. */
export function signedIn(req: FastifyRequest): SignedIn {
  if (!req.signedIn) throw appError('unauthorized', 'Log in first.');
  return req.signedIn;
}

export interface SessionPluginDeps {
  sessions: SessionAuth;
  /** Whether `token` is the order token of `orderId`. */
  verifyOrderToken: (orderId: number, token: string) => Promise<boolean>;
}

const pathOrderId = (req: FastifyRequest): number | undefined => {
  const id = (req.params as { id?: unknown } | undefined)?.id;
  return typeof id === 'number' ? id : undefined;
};

/**
 * Installs `config.auth` on every route registered after it: each route gets the hook its rule
 * needs (preValidation or preHandler), so routes without one pay nothing. Call it on the root
 * instance before the routes.
 */
export function installSessionAuth(app: FastifyInstance, deps: SessionPluginDeps): void {
  const { sessions } = deps;
  app.decorateRequest('signedIn', null);
  app.decorateRequest('guestOf', null);

  const requireSession = async (req: FastifyRequest): Promise<void> => {
    req.signedIn = await sessions.require(req);
  };
  const guestOrSession = (tokenOnly: boolean) => async (req: FastifyRequest): Promise<void> => {
    const orderId = (req.routeOptions.config.orderOf ?? pathOrderId)(req);
    const token = bearerToken(req);
    if (token && orderId !== undefined) {
      if (!(await deps.verifyOrderToken(orderId, token))) throw appError('not_found', 'No such order.');
      req.guestOf = orderId;
    } else if (tokenOnly) {
      throw appError('unauthorized', 'The order token is required.');
    } else {
      req.signedIn = await sessions.require(req);
    }
  };
  const hooks: Record<RouteAuth, { stage: 'preValidation' | 'preHandler'; hook: (req: FastifyRequest) => Promise<void> }> = {
    session: { stage: 'preValidation', hook: requireSession },
    'session-after-validation': { stage: 'preHandler', hook: requireSession },
    order: { stage: 'preHandler', hook: guestOrSession(false) },
    'order-token': { stage: 'preHandler', hook: guestOrSession(true) },
    'same-origin': { stage: 'preValidation', hook: async (req) => sessions.checkSameOrigin(req) },
  };

  app.addHook('onRoute', (route: RouteOptions) => {
    const auth = route.config?.auth;
    if (!auth) return;
    const { stage, hook } = hooks[auth];
    const existing = route[stage];
    route[stage] = existing === undefined ? [hook] : [hook, ...(Array.isArray(existing) ? existing : [existing])];
  });
}
