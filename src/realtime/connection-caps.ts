import type { Limits } from '../config/limits.js';
import type { Accepted, Refused } from './upgrade/authenticate.js';

/** Which cap refused a connection: the `reason` of the refused-upgrade metric and log line. */
export type CapReason = 'cap_per_order' | 'cap_per_theatre' | 'cap_per_address';

export type Admission = { ok: true; release: () => void } | { ok: false; reason: CapReason };

type CapLimits = Pick<Limits, 'maxSocketsPerOrder' | 'maxSocketsPerTheatre' | 'maxTicketSocketsPerAddress'>;

/**
 * Counts this process's open sockets per order, per theatre and per client address, and admits a
 * new one only under every cap that applies to it:
 * - per order: every payment socket of that order, ticket or key (one order token once opened
 *   1,500);
 * - per theatre: the staff sockets (live orders, chat) of one theatre's tickets;
 * - per client address: ticket sockets only. Key holders are server integrations whose many
 *   sockets from one address are normal, so they are never capped per address.
 * Admission is synchronous, so concurrent upgrades cannot all slip under a cap. Counts are per
 * process: N processes admit up to N times a cap, still a bound a client cannot raise.
 */
export class ConnectionCaps {
  private readonly open = new Map<string, number>();

  constructor(private readonly limits: CapLimits) {}

  admit(auth: Accepted, clientAddress: string): Admission {
    const counted: Array<[key: string, cap: number, reason: CapReason]> = [];
    if (auth.socket === 'payment') counted.push([auth.stream, this.limits.maxSocketsPerOrder, 'cap_per_order']);
    const p = auth.principal;
    if (p.kind === 'ticket') {
      if (p.scope.kind === 'theatre') counted.push([`theatre:${p.scope.theatreId}`, this.limits.maxSocketsPerTheatre, 'cap_per_theatre']);
      counted.push([`address:${clientAddress}`, this.limits.maxTicketSocketsPerAddress, 'cap_per_address']);
    }
    for (const [key, cap, reason] of counted) if ((this.open.get(key) ?? 0) >= cap) return { ok: false, reason };
    for (const [key] of counted) this.open.set(key, (this.open.get(key) ?? 0) + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        for (const [key] of counted) {
          const n = (this.open.get(key) ?? 1) - 1;
          if (n <= 0) this.open.delete(key);
          else this.open.set(key, n);
        }
      },
    };
  }

  /** Keys with at least one open socket (for tests: nothing leaks once everything has closed). */
  get size(): number {
    return this.open.size;
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
