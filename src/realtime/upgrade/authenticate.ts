import type { IncomingHttpHeaders } from 'node:http';
import { ALL_CHAT_STREAM, ALL_THEATRES_STREAM, chatStream, orderStream, SINCE_PARAM, SUBPROTOCOL, theatreStream, TICKET_PROTOCOL_PREFIX, type StreamName } from '../../protocol/index.js';
import { parseRequestTarget, queryValues, type RequestTarget } from '../../http/request-target.js';
import type { KeyMatch, KeyStore } from '../../keys/key-store.js';
import type { TicketClaims, TicketHolder, TicketScope, TicketService } from '../../tickets/ticket.service.js';
import { routeSocketPath, type SocketName, type SocketRoute } from '../sockets.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import { isOriginAllowed } from '../../http/origin.js';

/** The subprotocol a browser offers beside `ticket.<ticket>`; the server answers with it. */
export { SUBPROTOCOL };

/** Who is connecting: a service holding a socket key, or a browser holding a ticket. */
export type Principal =
  | { kind: 'key'; socket: SocketName; key: KeyMatch }
  | { kind: 'ticket'; socket: SocketName; ticketId: string; scope: TicketScope; holder?: TicketHolder };

export interface UpgradeRequest {
  url: string;
  headers: IncomingHttpHeaders;
  /**
   * Every `Authorization` header as sent, in order. Node keeps only the first of duplicates in
   * `headers`, so a second credential would go unseen there (see `authorizationHeaders`).
   */
  authorization: string[];
  clientAddress: string;
}

/** The `Authorization` headers of a request from its raw header list (names in any case). */
export function authorizationHeaders(rawHeaders: string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'authorization') found.push(rawHeaders[i + 1]!);
  }
  return found;
}

export interface Accepted {
  ok: true;
  socket: SocketName;
  principal: Principal;
  /** The one stream this connection follows (SPEC §3). */
  stream: StreamName;
  /** Resume point from `?since=`, when given. */
  since: number | undefined;
}

export interface Refused {
  ok: false;
  status: 400 | 401 | 403 | 404 | 429;
  code: 'bad_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'rate_limited';
  /** Stable reason for logs and the `reason` label of the upgrades metric. */
  reason: string;
  message: string;
  headers?: Record<string, string>;
}

export type AuthResult = Accepted | Refused;

export interface AuthDeps {
  keys: KeyStore;
  tickets: TicketService;
  failures: AuthFailureLimiter;
  allowedOrigins: string[] | null;
  /** Whether an order exists; only asked for a key on the payment socket (a ticket implies it). */
  orderExists(orderId: string): Promise<boolean>;
  /** Of these session ids, those still live, with their account (a ticket's holder must be). */
  liveSessions(sessionIds: string[]): Promise<Map<string, number>>;
}

const refuse = (status: Refused['status'], code: Refused['code'], reason: string, message: string, headers?: Record<string, string>): Refused =>
  headers ? { ok: false, status, code, reason, message, headers } : { ok: false, status, code, reason, message };

/**
 * The principal of a key holder: one object per key, shared by every socket opened with it (an
 * integration may hold thousands). Principals are never written to.
 */
const KEY_PRINCIPALS = new WeakMap<KeyMatch, Principal>();
function keyPrincipal(key: KeyMatch): Principal {
  let principal = KEY_PRINCIPALS.get(key);
  if (!principal) KEY_PRINCIPALS.set(key, (principal = { kind: 'key', socket: key.socket, key }));
  return principal;
}

type Credential = { kind: 'key'; value: string } | { kind: 'ticket'; value: string };

/** Every credential the request carries, wherever it put it; more than one is refused. */
function credentialsOf(target: RequestTarget, req: UpgradeRequest): Credential[] {
  const found: Credential[] = [];
  for (const value of queryValues(target, 'key')) found.push({ kind: 'key', value });
  for (const value of queryValues(target, 'ticket')) found.push({ kind: 'ticket', value });
  for (const auth of req.authorization) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    found.push({ kind: 'key', value: bearer?.[1] ?? '' });
  }
  for (const protocol of offeredProtocols(req.headers)) {
    if (protocol.startsWith(TICKET_PROTOCOL_PREFIX)) found.push({ kind: 'ticket', value: protocol.slice(TICKET_PROTOCOL_PREFIX.length) });
  }
  return found;
}

export function offeredProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  if (typeof raw !== 'string') return [];
  return raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/** The payment route's order id is canonical and at most 15 digits: a safe integer. */
const orderStreamOf = (route: { orderId: string }): StreamName => orderStream(Number(route.orderId));

function streamForKey(route: SocketRoute): StreamName {
  if (route.socket === 'payment') return orderStreamOf(route);
  return route.socket === 'live-orders' ? ALL_THEATRES_STREAM : ALL_CHAT_STREAM;
}

/** The stream a ticket's scope opens on this route, or null when the scope does not fit it. */
function streamForTicket(route: SocketRoute, claims: TicketClaims): StreamName | null {
  if (claims.socket !== route.socket) return null;
  const scope = claims.scope;
  if (route.socket === 'payment') return scope.kind === 'order' && scope.orderId === route.orderId ? orderStreamOf(route) : null;
  const streams = route.socket === 'live-orders' ? ({ all: ALL_THEATRES_STREAM, one: theatreStream } as const) : ({ all: ALL_CHAT_STREAM, one: chatStream } as const);
  if (scope.kind === 'admin') return streams.all;
  if (scope.kind === 'theatre') return streams.one(scope.theatreId);
  return null;
}

const badSince = (): Refused => refuse(400, 'bad_request', 'bad_since', '`since` must be one non-negative whole number.');

function parseSince(target: RequestTarget): number | undefined | null {
  const values = queryValues(target, SINCE_PARAM);
  if (values.length === 0) return undefined;
  if (values.length > 1 || !/^\d{1,15}$/.test(values[0] ?? '')) return null;
  return Number(values[0]);
}

/**
 * Decides an upgrade request before any handshake (SPEC §2), in the order the contract gives:
 * path, rate limit, origin, credential, scope, existence. It has no effect on the connection;
 * its only side effects are counting a refused credential and spending a ticket.
 */
export async function authenticateUpgrade(req: UpgradeRequest, deps: AuthDeps): Promise<AuthResult> {
  const target = parseRequestTarget(req.url);
  const route = target && routeSocketPath(target.pathname);
  if (!target || !route) return refuse(404, 'not_found', 'unknown_path', 'No WebSocket lives at this path.');

  const retryAfter = await deps.failures.retryAfter(req.clientAddress);
  if (retryAfter > 0) {
    return refuse(429, 'rate_limited', 'rate_limited', 'Too many refused credentials from this address; wait and retry.', {
      'Retry-After': String(retryAfter),
    });
  }

  if (!isOriginAllowed(req.headers.origin, req.headers.host, deps.allowedOrigins)) {
    return refuse(403, 'forbidden', 'origin', 'This origin may not open this socket.');
  }

  const unauthorized = async (reason: string, message: string): Promise<Refused> => {
    await deps.failures.recordFailure(req.clientAddress);
    return refuse(401, 'unauthorized', reason, message);
  };

  const credentials = credentialsOf(target, req);
  const [credential] = credentials;
  if (!credential) return unauthorized('no_credential', 'A key or a ticket is required.');
  if (credentials.length > 1) return unauthorized('several_credentials', 'Give exactly one credential.');

  if (credential.kind === 'key') {
    const key = deps.keys.match(route.socket, credential.value);
    if (!key) return unauthorized('bad_key', 'The credential is not valid for this socket.');
    const since = parseSince(target);
    if (since === null) return badSince();
    if (route.socket === 'payment' && !(await deps.orderExists(route.orderId))) {
      return refuse(404, 'not_found', 'no_such_order', 'No such order.');
    }
    return { ok: true, socket: route.socket, principal: keyPrincipal(key), stream: streamForKey(route), since };
  }

  const claims = await deps.tickets.verify(credential.value);
  if (!claims) return unauthorized('bad_ticket', 'The ticket is not valid or has expired.');
  // A ticket minted from a session that has since ended (logout, password change, account
  // deleted) is revoked with it.
  if (claims.holder && (await deps.liveSessions([claims.holder.sessionId])).get(claims.holder.sessionId) !== claims.holder.accountId) {
    return unauthorized('ticket_revoked', 'The session this ticket was issued to has ended.');
  }
  const stream = streamForTicket(route, claims);
  if (!stream) return refuse(403, 'forbidden', 'scope', 'This ticket is for another socket or scope.');
  const since = parseSince(target);
  if (since === null) return badSince();
  if (!(await deps.tickets.spend(claims))) return unauthorized('ticket_used', 'This ticket has already been used.');
  return {
    ok: true,
    socket: route.socket,
    principal: claims.holder
      ? { kind: 'ticket', socket: route.socket, ticketId: claims.id, scope: claims.scope, holder: claims.holder }
      : { kind: 'ticket', socket: route.socket, ticketId: claims.id, scope: claims.scope },
    stream,
    since,
  };
}
