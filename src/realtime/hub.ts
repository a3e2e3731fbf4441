import type { Client } from './client.js';
import { DISCONNECTS } from './close-codes.js';
import { SharedFrame } from './connection.js';

const EMPTY: ReadonlySet<Client> = new Set();

/**
 * Deliveries (one event to one client) made before the hub lets the event loop run again. A
 * fan-out to thousands of sockets is thousands of socket writes (~20 µs each): in slices of this
 * many, a webhook or an upgrade that arrives meanwhile waits for one slice (~5 ms), not for the
 * whole fan-out.
 */
export const FANOUT_SLICE = 256;

interface QueuedEvent {
  seq: number;
  frame: SharedFrame;
  terminal: boolean;
}

/** The events of one stream waiting to go out, and how far their fan-out has got. */
interface FanoutTask {
  stream: string;
  events: QueuedEvent[];
  /** The stream's clients when the fan-out started; set on the first slice. */
  clients: Client[] | null;
  next: number;
}

/**
 * The clients of this process, by the stream they follow. Fan-out is a loop over one stream's
 * clients with one shared frame per event: no await per recipient, no per-client encoding.
 *
 * Events are queued and sent in publish order. Consecutive events of one stream that are queued
 * together (a relay batch, a rush) go to each client in one write (Connection.batch). A fan-out
 * runs in slices of FANOUT_SLICE deliveries with the event loop free in between; a later event
 * waits behind the fan-out in progress, so every client still gets every stream in seq order.
 * A client that joins while an event is queued holds it like any event that arrives while it
 * syncs; one that leaves is skipped (a closed client sends nothing).
 */
export class Hub {
  private readonly streams = new Map<string, Set<Client>>();
  private readonly all = new Set<Client>();
  private readonly queue: FanoutTask[] = [];
  private pumping = false;
  private scheduled = false;
  private readonly pumpNow = () => {
    this.scheduled = false;
    this.pump();
  };

  add(client: Client): void {
    this.all.add(client);
    let set = this.streams.get(client.stream);
    if (!set) this.streams.set(client.stream, (set = new Set()));
    set.add(client);
  }

  remove(client: Client): void {
    this.all.delete(client);
    const set = this.streams.get(client.stream);
    if (!set) return;
    set.delete(client);
    if (set.size === 0) this.streams.delete(client.stream);
  }

  /** Queues one event for the stream's clients: its bytes, and their wire frame, are built once for all. */
  publish(stream: string, seq: number, payload: Buffer | SharedFrame, terminal = false): void {
    if (!this.streams.has(stream)) return;
    const frame = payload instanceof SharedFrame ? payload : new SharedFrame(payload);
    const last = this.queue[this.queue.length - 1];
    if (last && last.stream === stream && last.clients === null) last.events.push({ seq, frame, terminal });
    else this.queue.push({ stream, events: [{ seq, frame, terminal }], clients: null, next: 0 });
    // On the event loop's next turn (setImmediate: no timer delay): the events published in
    // this same run (a relay batch) are grouped, and what published them (a webhook's commit)
    // finishes first, its HTTP answer included, before the fan-out's first slice.
    if (!this.pumping && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.pumpNow);
    }
  }

  /** Whether events are still queued or being fanned out. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let budget = FANOUT_SLICE;
      while (this.queue.length > 0 && budget > 0) {
        const task = this.queue[0]!;
        const clients = (task.clients ??= [...(this.streams.get(task.stream) ?? EMPTY)]);
        const end = Math.min(clients.length, task.next + Math.max(1, Math.ceil(budget / task.events.length)));
        for (let i = task.next; i < end; i++) deliverAll(clients[i]!, task.events);
        budget -= (end - task.next) * task.events.length;
        task.next = end;
        if (task.next >= clients.length) this.queue.shift();
      }
    } finally {
      this.pumping = false;
    }
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.pumpNow);
    }
  }

  clientsOf(stream: string): ReadonlySet<Client> {
    return this.streams.get(stream) ?? EMPTY;
  }

  /** The streams at least one client of this process follows. */
  streamNames(): string[] {
    return [...this.streams.keys()];
  }

  clients(): IterableIterator<Client> {
    return this.all.values();
  }

  get size(): number {
    return this.all.size;
  }
}

function deliverAll(client: Client, events: readonly QueuedEvent[]): void {
  if (client.state === 'closed') return;
  try {
    if (events.length === 1) {
      const e = events[0]!;
      client.deliver(e.seq, e.frame, e.terminal);
      return;
    }
    client.conn.batch(() => {
      for (const e of events) client.deliver(e.seq, e.frame, e.terminal);
    });
  } catch {
    // A connection that cannot be written to any more is one client's problem, not the fan-out's:
    // it resumes with `since` after it reconnects.
    client.disconnect(DISCONNECTS.internal);
  }
}
