import type { Limits } from '../config/limits.js';
import type { Accepted, Refused } from './upgrade/authenticate.js';

/** Which cap refused a connection: the `reason` of the refused-upgrade metric and log line. */
export type CapReason = 'cap_per_order' | 'cap_per_theatre' | 'cap_per_address';

/** One count a new socket adds to, and the most it may reach. */
export interface CapCheck {
  key: string;
  cap: number;
  reason: CapReason;
}

export type Admission = { ok: true; release: () => void } | { ok: false; reason: CapReason };

/**
 * Where open sockets are counted: this process (memory) or every process sharing Redis.
 * `admit` is atomic: it refuses when any count is at its cap, else adds one to each; the
 * admission's `release` takes them back (once, however often it is called).
 */
export interface CapStore {
  admit(checks: CapCheck[]): Promise<Admission>;
  close(): Promise<void>;
}

type CapLimits = Pick<Limits, 'maxSocketsPerOrder' | 'maxSocketsPerTheatre' | 'maxTicketSocketsPerAddress'>;

/**
 * The caps a new socket is counted against:
 * - per order: every payment socket of that order, ticket or key (one order token once opened
 *   1,500);
 * - per theatre: the staff sockets (live orders, chat) of one theatre's tickets;
 * - per client address: ticket sockets only. Key holders are server integrations whose many
 *   sockets from one address are normal, so they are never capped per address.
 */
export function capChecksOf(auth: Accepted, clientAddress: string, limits: CapLimits): CapCheck[] {
  const checks: CapCheck[] = [];
  if (auth.socket === 'payment') checks.push({ key: auth.stream, cap: limits.maxSocketsPerOrder, reason: 'cap_per_order' });
  const p = auth.principal;
  if (p.kind === 'ticket') {
    if (p.scope.kind === 'theatre') checks.push({ key: `theatre:${p.scope.theatreId}`, cap: limits.maxSocketsPerTheatre, reason: 'cap_per_theatre' });
    checks.push({ key: `address:${clientAddress}`, cap: limits.maxTicketSocketsPerAddress, reason: 'cap_per_address' });
  }
  return checks;
}

/** No hook: a module-level function, so an admission does not make a closure for its default. */
const NO_RELEASE_HOOK = (): void => undefined;
/** An admission counted against no cap (a key holder's live-orders socket): nothing to give back. */
const ADMITTED_UNCOUNTED: Admission = { ok: true, release: NO_RELEASE_HOOK };

/** Counts in this process only: one server, or the fallback of the Redis store while Redis is down. */
export class MemoryCapStore implements CapStore {
  private readonly open = new Map<string, number>();

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }

  /** Every key with at least one open socket. */
  keys(): string[] {
    return [...this.open.keys()];
  }

  /** Synchronous, so concurrent upgrades cannot all slip under a cap. */
  admitNow(checks: CapCheck[], onRelease: (keys: string[]) => void = NO_RELEASE_HOOK): Admission {
    if (checks.length === 0) return ADMITTED_UNCOUNTED;
    for (const c of checks) if (this.count(c.key) >= c.cap) return { ok: false, reason: c.reason };
    const keys = checks.map((c) => c.key);
    for (const key of keys) this.open.set(key, this.count(key) + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        for (const key of keys) {
          const n = this.count(key) - 1;
          if (n <= 0) this.open.delete(key);
          else this.open.set(key, n);
        }
        onRelease(keys);
      },
    };
  }

  async admit(checks: CapCheck[]): Promise<Admission> {
    return this.admitNow(checks);
  }

  /** Keys with at least one open socket (for tests: nothing leaks once everything has closed). */
  get size(): number {
    return this.open.size;
  }

  async close(): Promise<void> {
    this.open.clear();
  }
}

const CAP_MESSAGES: Record<CapReason, string> = {
  cap_per_order: 'Too many sockets are open for this order; close one and retry.',
  cap_per_theatre: 'Too many sockets are open for this theatre; close one and retry.',
  cap_per_address: 'Too many sockets are open from this address; close one and retry.',
};

/** The upgrade's answer when a cap is reached: 429, like every other limit (SPEC §2). */
export function capRefusal(reason: CapReason): Refused {
  return { ok: false, status: 429, code: 'rate_limited', reason, message: CAP_MESSAGES[reason] };
}
