/**
 * The few places where SQLite and PostgreSQL differ, kept here so the rest of the code has one
 * path for both.
 */
import { PostgresAdapter } from 'kysely';
import type { Executor } from './executor.js';

export type DialectName = 'sqlite' | 'postgres';

/** Whether `db` (or a transaction of it) runs on PostgreSQL. */
export function onPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** True when `err` is a unique-constraint violation, on either driver. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // 23505: PostgreSQL unique_violation. better-sqlite3 uses SQLite's extended result codes.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Aggregates come back as strings from pg (int8/numeric) and as numbers from SQLite. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return Number(value);
  return 0;
}
