import type { UnitOfWork } from '../db/unit-of-work.js';
import type { PresenceView } from '../protocol/index.js';
import type { Client } from '../realtime/client.js';
import type { ConnectionHooks } from '../realtime/stream-node.js';
import { appendAtCommit } from '../streams/event.repository.js';
import { ALL_THEATRES_STREAM } from '../streams/stream-names.js';
import type { PresenceStore, PresenceTransition } from './presence-store.js';

/** `presence` data and an entry of the `theatres` snapshot's presence: the contract's own type. */
export type TheatrePresence = PresenceView;

export interface PresenceDeps {
  store: PresenceStore;
  /** Presence events commit through it, which wakes the relay. */
  uow: UnitOfWork;
  now: () => Date;
  onError: (err: unknown) => void;
  /** Heartbeat and sweep period; a third of the store's ttl. */
  heartbeatMs: number;
}

/** The theatre a client counts for: staff following their theatre's live orders. */
function theatreOf(client: Client): number | null {
  const p = client.principal;
  if (client.socket !== 'live-orders' || p.kind !== 'ticket' || p.scope.kind !== 'theatre') return null;
  return p.scope.theatreId;
}

/**
 * Which theatres have staff watching their live orders, over every process. This process counts
 * its own connections and sets its count in the shared store; the one caller the store answers a
 * transition (first connection anywhere, last one gone, or a dead process swept) appends the
 * `presence` event to `theatres` through the outbox, so it has a seq and survives like any event.
 *
 * Every store call and event write runs in one queue, so this process's events come out in the
 * order it saw the changes. A failed store call (Redis down) marks the counts dirty; the next
 * heartbeat sets them all again, which is safe because setting a count is idempotent.
 */
export class PresenceService implements ConnectionHooks {
  private readonly counts = new Map<number, number>();
  /** Theatres whose count the store may hold for this process (set again on a resync). */
  private readonly touched = new Set<number>();
  private readonly counted = new WeakSet<Client>();
  private queue: Promise<void> = Promise.resolve();
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: PresenceDeps) {}

  start(): void {
    this.enqueue(() => this.tick());
    this.timer = setInterval(() => this.enqueue(() => this.tick()), this.deps.heartbeatMs);
    this.timer.unref();
  }

  /** Waits for queued changes, then leaves the store so other processes take over at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.queue;
    await this.deps.store.leave().catch(this.deps.onError);
  }

  opened(client: Client): void {
    const theatreId = theatreOf(client);
    if (theatreId === null) return;
    this.counted.add(client);
    this.counts.set(theatreId, (this.counts.get(theatreId) ?? 0) + 1);
    this.push(theatreId);
  }

  closed(client: Client): void {
    const theatreId = theatreOf(client);
    if (theatreId === null || !this.counted.has(client)) return;
    this.counted.delete(client);
    const n = (this.counts.get(theatreId) ?? 1) - 1;
    if (n > 0) this.counts.set(theatreId, n);
    else this.counts.delete(theatreId);
    this.push(theatreId);
  }

  /** Every theatre online anywhere; this process's own view when the store cannot answer. */
  async snapshot(): Promise<TheatrePresence[]> {
    try {
      return (await this.deps.store.online()).map((t) => ({ ...t, online: true }));
    } catch (err) {
      this.deps.onError(err);
      return [...this.counts].map(([theatreId, connections]) => ({ theatreId, online: true, connections }));
    }
  }

  private push(theatreId: number): void {
    this.touched.add(theatreId);
    this.enqueue(() => this.sync(theatreId));
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: unknown) => this.deps.onError(err));
  }

  private async sync(theatreId: number): Promise<void> {
    let result;
    try {
      result = await this.deps.store.setCount(theatreId, this.counts.get(theatreId) ?? 0);
    } catch (err) {
      this.dirty = true;
      throw err;
    }
    if (!this.counts.has(theatreId)) this.touched.delete(theatreId);
    if (result.transition) await this.record(result.transition);
    if (result.forgotten) await this.resync();
  }

  private async resync(): Promise<void> {
    this.dirty = false;
    for (const theatreId of [...this.touched]) await this.sync(theatreId);
  }

  private async tick(): Promise<void> {
    try {
      if ((await this.deps.store.heartbeat()) || this.dirty) await this.resync();
    } catch (err) {
      this.dirty = true;
      throw err;
    }
    for (const transition of await this.deps.store.sweep()) await this.record(transition);
  }

  private async record(data: PresenceTransition): Promise<void> {
    await this.deps.uow.write((trx) => appendAtCommit(trx, ALL_THEATRES_STREAM, 'presence', data, this.deps.now()));
  }
}
