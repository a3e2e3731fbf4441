import { sql, type Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { DialectName } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import type { ReadinessCheck } from './health.routes.js';

/** SQLite result codes (and extended ones by prefix) that mean the database cannot be written. */
const SQLITE_STORAGE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/;
/** PostgreSQL SQLSTATE classes 53 (insufficient resources: disk full), 58 (I/O error); read-only transaction. */
const PG_STORAGE = /^(53|58)...$|^25006$/;

/** True when the error says the database cannot store anything, rather than that a request was bad. */
export function isStorageError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (SQLITE_STORAGE.test(code) || PG_STORAGE.test(code));
}

/**
 * Keeps /readyz honest when the disk fills: a `select 1` still answers while every write fails.
 * A storage error seen by any request turns the check red; while red, each readiness check
 * tries a real write (a row with a few kilobytes, removed in the same transaction, so the
 * database must find new pages as an order would) and turns green only once that commits.
 * Healthy, the check costs nothing.
 */
export class WriteHealth implements ReadinessCheck {
  readonly name = 'database_writes';
  private lastFailure: { code: string; at: number } | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly now: () => number = Date.now,
  ) {}

  /** Call with every unexpected error; remembers only storage errors. */
  record(err: unknown): void {
    if (isStorageError(err)) this.lastFailure = { code: String((err as { code: string }).code), at: this.now() };
  }

  failing(): { code: string; at: number } | null {
    return this.lastFailure;
  }

  async check(): Promise<boolean> {
    if (!this.lastFailure) return true;
    try {
      await this.probe();
      this.lastFailure = null;
      return true;
    } catch (err) {
      this.record(err);
      return false;
    }
  }

  /**
   * Kysely's own migration-lock table exists on every dialect and holds nothing of ours. SQLite
   * ignores its varchar(255), so there the row is big enough to need fresh pages; PostgreSQL
   * enforces it, and any commit there must write its WAL anyway.
   */
  private async probe(): Promise<void> {
    const id = `readyz-probe-${randomBytes(this.dialect === 'sqlite' ? 4096 : 16).toString('hex')}`;
    await this.db.transaction().execute(async (trx) => {
      await sql`insert into kysely_migration_lock (id, is_locked) values (${id}, 0)`.execute(trx);
      await sql`delete from kysely_migration_lock where id = ${id}`.execute(trx);
    });
  }
}
