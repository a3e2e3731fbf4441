/**
 * Stream names (SPEC §3). An order event goes to its theatre's stream and to `theatres`;
 * payment events go to `order:<id>`; chat messages to `chat:<theatreId>` and `chat`.
 *
 * Lock order: on PostgreSQL appending takes a row lock on the stream's head until commit. The
 * outbox appends a transaction's events together just before its commit, sorted by `compareLockOrder`:
 * order:<id> → theatre:<id> → theatres → chat:<id> → chat (most specific first, each family's
 * global stream last, ids ascending), so two transactions never wait on each other in a cycle.
 */
export { ALL_THEATRES_STREAM, orderStream, theatreStream } from '../protocol/index.js';

/** Streams with an id, by family; then the global streams. */
const FAMILY_RANK: Record<string, number> = { order: 0, theatre: 1, chat: 3 };
const GLOBAL_RANK: Record<string, number> = { theatres: 2, chat: 4 };
/** A stream of no known family (tests name their own) comes after every named one. */
const OTHER_RANK = 5;

function rankOf(stream: string): [rank: number, id: number] {
  const global = GLOBAL_RANK[stream];
  if (global !== undefined) return [global, 0];
  const colon = stream.indexOf(':');
  const family = colon < 0 ? undefined : FAMILY_RANK[stream.slice(0, colon)];
  const id = colon < 0 ? NaN : Number(stream.slice(colon + 1));
  return family === undefined || !Number.isSafeInteger(id) ? [OTHER_RANK, 0] : [family, id];
}

/** Sort comparator of the lock order: family, then id, then name (so it is total). */
export function compareLockOrder(a: string, b: string): number {
  const [ra, ia] = rankOf(a);
  const [rb, ib] = rankOf(b);
  return ra - rb || ia - ib || (a < b ? -1 : a > b ? 1 : 0);
}
