/**
 * Revocation of what a session opened: the control message that tells every process to close the
 * sockets of ended sessions (4003), and the short memory that catches a socket whose upgrade was
 * checked just before its session ended but joined the hub just after the message went by.
 *
 * The fact itself lives in the database (the session rows are gone), so a ticket minted from an
 * ended session is refused at the upgrade on any process, and a process that missed the message
 * (its bus subscription was down) finds the ended sessions by re-reading them.
 */
import type { EventBus } from '../bus/event-bus.js';
import type { Client } from './client.js';
import { DISCONNECTS } from './close-codes.js';

const TYPE = 'sessions.revoked';
/** Session ids are sha256 hex; a message naming anything else is not ours. */
const SESSION_ID = /^[0-9a-f]{64}$/;
const MAX_IDS_PER_MESSAGE = 10_000;

export function encodeRevocation(sessionIds: string[]): string {
  return JSON.stringify({ type: TYPE, sessions: sessionIds });
}

/** The session ids of a revocation message; null for any other control message. */
export function decodeRevocation(payload: string): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { type?: unknown }).type !== TYPE) return null;
  const sessions = (parsed as { sessions?: unknown }).sessions;
  if (!Array.isArray(sessions) || sessions.length > MAX_IDS_PER_MESSAGE) return null;
  return sessions.every((s): s is string => typeof s === 'string' && SESSION_ID.test(s)) ? sessions : null;
}

/** Session ids revoked within the last `keepMs`; enough to cover an upgrade in flight. */
export class RecentRevocations {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly keepMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(sessionIds: string[]): void {
    const now = this.now();
    this.sweep(now);
    for (const id of sessionIds) {
      this.revoked.delete(id); // re-inserted last: insertion order stays expiry order
      this.revoked.set(id, now + this.keepMs);
    }
  }

  has(sessionId: string): boolean {
    this.sweep(this.now());
    return this.revoked.has(sessionId);
  }

  private sweep(now: number): void {
    for (const [id, until] of this.revoked) {
      if (until > now) break;
      this.revoked.delete(id);
    }
  }
}

export interface SessionRevocationDeps {
  /** This process's clients. */
  clients: () => Iterable<Client>;
  bus: EventBus;
  /** Of these session ids, those still live (the database's answer). */
  liveSessions: (sessionIds: string[]) => Promise<Map<string, number>>;
  /** How long a revocation is remembered for upgrades in flight (the ticket lifetime). */
  keepMs: number;
  /** The safety net under the bus: how often open sockets' sessions are re-read. */
  recheckMs: number;
  onError: (err: unknown) => void;
}

/**
 * Closes this process's sockets of ended sessions with 4003: at once for a revocation message
 * from the bus (or from this process), at the next re-check for one that never arrived.
 */
export class SessionRevocations {
  private readonly recent: RecentRevocations;
  private readonly offControl: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: SessionRevocationDeps) {
    this.recent = new RecentRevocations(deps.keepMs);
    this.offControl = deps.bus.onControl((payload) => {
      const sessionIds = decodeRevocation(payload);
      if (sessionIds) this.close(sessionIds);
    });
    this.timer = setInterval(() => this.recheck(), deps.recheckMs);
    this.timer.unref();
  }

  close(sessionIds: string[]): void {
    if (sessionIds.length === 0) return;
    this.recent.add(sessionIds);
    for (const client of [...this.deps.clients()]) this.closeIfRevoked(client);
  }

  /** For a client that has just joined: its session may have ended after its upgrade was checked. */
  closeIfRevoked(client: Client): void {
    const p = client.principal;
    if (p.kind === 'ticket' && p.holder !== undefined && this.recent.has(p.holder.sessionId)) client.disconnect(DISCONNECTS.sessionEnded);
  }

  recheck(): void {
    const ids = new Set<string>();
    for (const client of this.deps.clients()) {
      const p = client.principal;
      if (p.kind === 'ticket' && p.holder) ids.add(p.holder.sessionId);
    }
    if (ids.size === 0) return;
    this.deps.liveSessions([...ids]).then((live) => this.close([...ids].filter((id) => !live.has(id))), this.deps.onError);
  }

  stop(): void {
    this.offControl();
    clearInterval(this.timer);
  }
}
