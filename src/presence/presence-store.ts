import type { PresenceView } from '../protocol/index.js';

/** A theatre's staff connections summed over every process of the deployment. */
export interface TheatreCount {
  theatreId: number;
  connections: number;
}

/** A theatre's total going 0 → n (online) or n → 0 (offline). */
export type PresenceTransition = PresenceView;

/** What setting a count did: the transition it caused, if any, and whether the store had forgotten this process. */
export interface CountResult {
  transition: PresenceTransition | null;
  /** The store had dropped this process (taken for dead): every count of it must be set again. */
  forgotten: boolean;
}

/**
 * Where each process keeps its count of staff connections per theatre, shared by the processes of
 * one deployment.
 *
 * Contract (checked by presence-store.contract.ts on every engine):
 * - `setCount` is idempotent: it sets this process's count, it does not add to it;
 * - each transition of a theatre's total is answered to exactly one caller, on one process;
 * - a process that stops calling `heartbeat` is taken for dead after the store's ttl, and the next
 *   `sweep` on any process removes its counts and answers the transitions that caused, once.
 */
export interface PresenceStore {
  setCount(theatreId: number, count: number): Promise<CountResult>;
  /** Theatres with at least one connection on some process. */
  online(): Promise<TheatreCount[]>;
  /** Keeps this process alive; answers true when the store had forgotten it. */
  heartbeat(): Promise<boolean>;
  /** Removes the counts of processes that stopped heartbeating; answers the offline transitions. */
  sweep(): Promise<PresenceTransition[]>;
  /** A graceful stop: this process is taken for dead at once. */
  leave(): Promise<void>;
}

/** One process's counts in a backend several in-memory stores may share (one process, or tests). */
export class MemoryPresenceBackend {
  readonly processes = new Map<string, Map<number, number>>();

  total(theatreId: number): number {
    let n = 0;
    for (const counts of this.processes.values()) n += counts.get(theatreId) ?? 0;
    return n;
  }
}

/** Presence of one server process without Redis: nothing to share, nothing can die apart from it. */
export class MemoryPresenceStore implements PresenceStore {
  constructor(
    private readonly processId: string,
    private readonly backend = new MemoryPresenceBackend(),
  ) {}

  async setCount(theatreId: number, count: number): Promise<CountResult> {
    let mine = this.backend.processes.get(this.processId);
    if (!mine) this.backend.processes.set(this.processId, (mine = new Map()));
    const before = this.backend.total(theatreId);
    if (count === 0) mine.delete(theatreId);
    else mine.set(theatreId, count);
    const after = this.backend.total(theatreId);
    const transition = before === 0 && after > 0 ? { theatreId, online: true, connections: after } : before > 0 && after === 0 ? { theatreId, online: false, connections: 0 } : null;
    return { transition, forgotten: false };
  }

  async online(): Promise<TheatreCount[]> {
    const ids = new Set<number>();
    for (const counts of this.backend.processes.values()) for (const id of counts.keys()) ids.add(id);
    return [...ids].sort((a, b) => a - b).map((theatreId) => ({ theatreId, connections: this.backend.total(theatreId) }));
  }

  async heartbeat(): Promise<boolean> {
    return false;
  }

  async sweep(): Promise<PresenceTransition[]> {
    return [];
  }

  async leave(): Promise<void> {
    this.backend.processes.delete(this.processId);
  }
}
