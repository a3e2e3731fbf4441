/**
 * Remembers which single-use ids (ticket ids) were already spent. `claim` answers true exactly
 * once per id while the id could still be presented (its ttl), across every process sharing the
 * store. The memory store serves one process; a Redis store shares it between processes.
 */
export interface SingleUseStore {
  claim(id: string, ttlMs: number): Promise<boolean>;
  /**
   * Stores that hold ids in this process forget every expired one (housekeeping) and say how
   * many went; stores whose backend expires ids by itself (Redis `PX`) leave it out.
   */
  forgetExpired?(): number;
  /** How many ids this process holds now (the size gauge), with `forgetExpired`. */
  held?(): number;
}

export class MemorySingleUseStore implements SingleUseStore {
  private readonly spent = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(id: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    this.sweep(now);
    if (this.spent.has(id)) return false;
    this.spent.set(id, now + ttlMs);
    return true;
  }

  /**
   * The full sweep: a ticket spent late in its life expires before one spent earlier, so the
   * cheap sweep of `claim` may leave some behind; and with no claims at all it never runs.
   */
  forgetExpired(): number {
    const now = this.now();
    let forgotten = 0;
    for (const [id, until] of this.spent) {
      if (until > now) continue;
      this.spent.delete(id);
      forgotten++;
    }
    return forgotten;
  }

  held(): number {
    return this.spent.size;
  }

  /** Expired ids can never be presented again (their ticket has expired), so they are forgotten. */
  private sweep(now: number): void {
    for (const [id, until] of this.spent) {
      if (until > now) break; // mostly expiry order: every ticket lives the same ttl; forgetExpired catches the rest
      this.spent.delete(id);
    }
  }
}
