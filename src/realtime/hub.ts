import type { Client } from './client.js';
import { SharedFrame } from './connection.js';

const EMPTY: ReadonlySet<Client> = new Set();

/**
 * The clients of this process, by the stream they follow. Fan-out is a synchronous loop over
 * one stream's set with one shared payload: no await per recipient, no per-client encoding.
 */
export class Hub {
  private readonly streams = new Map<string, Set<Client>>();
  private readonly all = new Set<Client>();

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

  /** Sends one event to the stream's clients: its bytes, and their wire frame, are built once for all. */
  publish(stream: string, seq: number, payload: Buffer | SharedFrame, terminal = false): void {
    const set = this.streams.get(stream);
    if (!set) return;
    const frame = payload instanceof SharedFrame ? payload : new SharedFrame(payload);
    for (const client of set) client.deliver(seq, frame, terminal);
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
