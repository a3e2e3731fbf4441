import { sql } from 'kysely';
import type { DialectName } from '../db/dialect.js';
import type { Executor } from '../db/executor.js';

import { WARM_DB_CONNECTIONS } from '../db/database.js';
import { isAppError } from '../http/errors.js';
import type { Logger } from '../observability/logger.js';
import type { RehearsalOutcome } from '../payments/webhook-rehearsal.js';

/**
 * What must be warm before /readyz says ready (the server listens only after this): the first
 * requests after a start would otherwise each open a PostgreSQL connection (TCP, authentication,
 * search_path) inside their own transaction: 20–100 ms added to the first webhooks. Opens
 * WARM_DB_CONNECTIONS at once by holding that many queries concurrently; the pool keeps them
 * (database.ts sets its `min` to the same number), so they are still warm after a quiet hour.
 */
export async function warmUp(db: Executor, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await Promise.all(Array.from({ length: WARM_DB_CONNECTIONS }, () => sql`select pg_sleep(0.01)`.execute(db)));
}

/**
 * How often a start rehearses the payment path. One rehearsal per warm connection (session 4)
 * made the first webhook as fast as the next ones, but V8 was still compiling the path for the
 * next hundred: with 100 rehearsals, webhooks on PostgreSQL were answered in 8.7–8.9 ms (server
 * side, median) instead of 10.1–11.5 ms over the following 30 s, p90 13.8 instead of 15.8–17.0
 * (docs/performance.md, session 5; 100 took 2.1 s of start-up, so half as many). Each takes
 * 10–20 ms, and draws the ids it uses from their sequences (an order number jumps by this much
 * at a start).
 */
export const REHEARSALS = 50;

/**
 * The second half of being warm: a guest's payment rehearsed end to end and rolled back
 * (payments/webhook-rehearsal.ts), REHEARSALS times, so the first webhooks after a start are
 * answered as fast as later ones. On PostgreSQL the first ones run on each warm connection at the
 * same time (each backend has its own caches of the tables it has touched; the rehearsals queue on
 * the theatre's row lock, each holding its own connection). A rehearsal that cannot run (no
 * theatre yet, or its order refused) is reported and the start goes on: it only saves the first
 * guests some milliseconds.
 */
export async function rehearse(services: { rehearseWebhook(): Promise<RehearsalOutcome> }, dialect: DialectName, logger: Logger, times = REHEARSALS): Promise<void> {
  const started = performance.now();
  const together = Math.min(times, dialect === 'postgres' ? WARM_DB_CONNECTIONS : 1);
  try {
    const outcome = (await Promise.all(Array.from({ length: together }, () => services.rehearseWebhook())))[0]!;
    if (!outcome.rehearsed) {
      logger.info({ why: outcome.why }, 'payment webhook path not rehearsed');
      return;
    }
    for (let done = together; done < times; done++) await services.rehearseWebhook();
    const ms = Math.round(performance.now() - started);
    logger.info({ ms, times, webhook: outcome.result }, 'payment webhook path rehearsed and rolled back');
  } catch (err) {
    if (isAppError(err)) logger.info({ why: err.message }, 'payment webhook path not rehearsed');
    else logger.warn({ err }, 'rehearsing the payment webhook path failed (nothing was changed); the first webhook will be slower');
  }
}
