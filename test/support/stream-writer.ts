import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { EventRepository } from '../../src/streams/event.repository.js';

/** Appends `n` events to `stream`, one transaction each as real writers do, kicking the relay after each. */
export async function appendEvents(db: Kysely<Database>, stream: string, n: number, kick: () => void, data: (i: number) => unknown = (i) => ({ n: i })): Promise<number> {
  let last = 0;
  for (let i = 0; i < n; i++) {
    const e = await db.transaction().execute((trx) => new EventRepository(trx).append(trx, stream, 'test.event', data(i), new Date()));
    last = e.seq;
    kick();
    // SQLite answers synchronously: without this the loop would never let sockets be served.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return last;
}

/** The seqs of the stream events a test socket received, in arrival order. */
export function seqsOf(messages: Record<string, unknown>[]): number[] {
  return messages.filter((m) => m.type !== 'hello' && m.type !== 'snapshot' && typeof m.seq === 'number').map((m) => m.seq as number);
}

export const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
