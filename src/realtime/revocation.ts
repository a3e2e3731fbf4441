/**
 * Revocation of what a session opened: the control message that tells every process to close the
 * sockets of ended sessions (4003), and the short memory that catches a socket whose upgrade was
 * checked just before its session ended but joined the hub just after the message went by.
 *
 * The fact itself lives in the database (the session rows are gone), so a ticket minted from an
 * ended session is refused at the upgrade on any process, and a process that missed the message
 * (its bus subscription was down) finds the ended sessions by re-reading them.
 */
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
