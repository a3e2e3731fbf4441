import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { isSocketName, type SocketName } from '../realtime/sockets.js';
import type { SingleUseStore } from './single-use-store.js';

/** What a ticket lets its bearer follow: every theatre (admin), one theatre, or one order. */
export type TicketScope = { kind: 'admin' } | { kind: 'theatre'; theatreId: number } | { kind: 'order'; orderId: string };

/**
 * Who a ticket was minted for, when it came from a staff or admin session: checked at the upgrade
 * (the session must still be live), and carried by the socket so revoking the session or the
 * account closes it. Guests' tickets (order token) have none.
 */
export interface TicketHolder {
  accountId: number;
  /** The session's id as stored (a hash of the cookie's token, which it cannot be turned back into). */
  sessionId: string;
}

export interface TicketClaims {
  id: string;
  socket: SocketName;
  scope: TicketScope;
  holder?: TicketHolder;
  /** Epoch seconds. */
  expiresAt: number;
}

export function scopeToString(scope: TicketScope): string {
  switch (scope.kind) {
    case 'admin':
      return 'admin';
    case 'theatre':
      return `theatre:${scope.theatreId}`;
    case 'order':
      return `order:${scope.orderId}`;
  }
}

export function scopeFromString(value: unknown): TicketScope | null {
  if (value === 'admin') return { kind: 'admin' };
  if (typeof value !== 'string') return null;
  const theatre = /^theatre:(\d{1,15})$/.exec(value);
  if (theatre?.[1]) return { kind: 'theatre', theatreId: Number(theatre[1]) };
  const order = /^order:([1-9][0-9]{0,14})$/.exec(value);
  if (order?.[1]) return { kind: 'order', orderId: order[1] };
  return null;
}

function holderOf(sub: unknown, sid: unknown): TicketHolder | null {
  if (typeof sub !== 'string' || !/^[1-9][0-9]{0,14}$/.test(sub)) return null;
  if (typeof sid !== 'string' || !/^[0-9a-f]{64}$/.test(sid)) return null;
  return { accountId: Number(sub), sessionId: sid };
}

const ALG = 'HS256';
const AUDIENCE = 'scan2food-ws';

/**
 * Short-lived, single-use WebSocket tickets: HS256 JWTs (jose) bound to one socket and one scope.
 * `verify` checks signature and expiry only; `spend` marks one used, so the gateway can refuse a
 * ticket for another scope with 403 before spending it.
 */
export class TicketService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly spent: SingleUseStore,
    private readonly now: () => number = Date.now,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async mint(socket: SocketName, scope: TicketScope, holder?: TicketHolder): Promise<{ ticket: string; expiresIn: number }> {
    const issuedAt = Math.floor(this.now() / 1000);
    const claims: Record<string, string> = { sock: socket, scope: scopeToString(scope) };
    if (holder) Object.assign(claims, { sub: String(holder.accountId), sid: holder.sessionId });
    const ticket = await new SignJWT(claims)
      .setProtectedHeader({ alg: ALG })
      .setJti(randomUUID())
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .sign(this.key);
    return { ticket, expiresIn: this.ttlSeconds };
  }

  /** The claims of a well-signed, unexpired ticket; null for anything else. */
  async verify(ticket: string): Promise<TicketClaims | null> {
    try {
      const { payload } = await jwtVerify(ticket, this.key, {
        algorithms: [ALG],
        audience: AUDIENCE,
        currentDate: new Date(this.now()),
        clockTolerance: 0,
      });
      const scope = scopeFromString(payload.scope);
      const socket = typeof payload.sock === 'string' && isSocketName(payload.sock) ? payload.sock : null;
      if (!scope || !socket || !payload.jti || payload.exp === undefined) return null;
      const claims: TicketClaims = { id: payload.jti, socket, scope, expiresAt: payload.exp };
      if (payload.sub !== undefined || payload.sid !== undefined) {
        const holder = holderOf(payload.sub, payload.sid);
        if (!holder) return null;
        claims.holder = holder;
      }
      return claims;
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return null;
      throw err;
    }
  }

  /** True the first time a ticket is spent, false ever after (on every process sharing the store). */
  async spend(claims: TicketClaims): Promise<boolean> {
    const ttlMs = Math.max(1000, claims.expiresAt * 1000 - this.now() + 1000);
    return this.spent.claim(`ticket:${claims.id}`, ttlMs);
  }
}
