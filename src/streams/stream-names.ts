/**
 * Stream names (SPEC §3). An order event goes to its theatre's stream and to `theatres`;
 * payment events go to `order:<id>`.
 *
 * Lock order: on PostgreSQL appending takes a row lock on the stream's head until commit. Every
 * writer appends in the order order:<id> → theatre:<id> → theatres (most specific first, the
 * global stream last) so two transactions can never wait on each other in a cycle.
 */
export { ALL_THEATRES_STREAM, orderStream, theatreStream } from '../protocol/index.js';
