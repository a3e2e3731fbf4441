import { sql } from 'kysely';
import type { DialectName } from '../db/dialect.js';
import type { Executor } from '../db/executor.js';

import { WARM_DB_CONNECTIONS } from '../db/database.js';

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
