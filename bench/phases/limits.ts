// Every bound the generator's phases respect, in one place.
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** No phase opens connections for longer than this. */
export const OPEN_DEADLINE_MS = 120_000;
/**
 * Before anything is measured, this many connections are opened and dropped, as many are
 * refused, and WARMUP_BROADCASTS are sent to the open ones: a fresh Node process runs its first
 * ~1,000 handshakes at about twice the steady cost while the JIT warms up, on both sides.
 */
export const WARMUP_CONNS = 1_000;
export const WARMUP_BROADCASTS = 20;
/** Pause after the idle connections are open, before reading RSS (nothing is forced: no GC). */
export const IDLE_SETTLE_MS = 1_000;
/** A wrong-key socket that got a 101 must be closed by the server within this, else it was accepted. */
export const REFUSAL_CLOSE_WAIT_MS = 2_000;
/** After the last broadcast is sent, deliveries are awaited at most this long. */
export const DRAIN_TIMEOUT_MS = 30_000;
/** Solo broadcasts for the "reach every subscriber" figure. */
export const REACH_PROBES = 3;
export const REACH_PROBE_TIMEOUT_MS = 15_000;
export const POLL_MS = 10;
