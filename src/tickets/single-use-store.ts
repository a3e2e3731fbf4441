/**
 * Remembers which single-use ids (ticket ids) were already spent. `claim` answers true exactly
 * once per id while the id could still be presented (its ttl), across every process sharing the
 * store. The memory store serves one process; a Redis store shares it between processes.
 */
export interface SingleUseStore {
  claim(id: string, ttlMs: number): Promise<boolean>;
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

  /** Expired ids can never be presented again (their ticket has expired), so they are forgotten. */
  private sweep(now: number): void {
    for (const [id, until] of this.spent) {
      if (until > now) break; // insertion order is expiry order: same ttl for every ticket
      this.spent.delete(id);
    }
  }
}
