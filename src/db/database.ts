import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { DialectName } from './dialect.js';
import { initialMigration } from './migrations/0001-initial.js';
import { chatMigration } from './migrations/0002-chat.js';
import { paymentAttemptsMigration } from './migrations/0003-payment-attempts.js';
import { chatPerTheatreMigration } from './migrations/0004-chat-per-theatre.js';
import { moneyAndAbuseMigration } from './migrations/0005-money-and-abuse.js';
import { businessMigration } from './migrations/0006-business.js';
import { reportsAndFeedbackMigration } from './migrations/0007-reports-and-feedback.js';
import { refundsMigration } from './migrations/0008-refunds.js';
import { paymentStatusChecksMigration } from './migrations/0009-payment-status-checks.js';
import type { Database } from './schema.js';
import { startCheckpointer } from './sqlite-checkpointer.js';

export type { Database } from './schema.js';
export type { DialectName } from './dialect.js';

export interface Db {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://... selects PostgreSQL; otherwise SQLite at `sqliteFile`. */
  databaseUrl?: string;
  sqliteFile: string;
  /** PostgreSQL only: create and use this schema (tests give each file its own). */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /**
   * `apply` (default) brings the schema up to date; `verify` refuses a schema behind or ahead of
   * this code (production: migrations run on purpose, with `scan2food migrate`); `none` opens the
   * database as it is (the migrate command itself).
   */
  migrations?: 'apply' | 'verify' | 'none';
  /**
   * SQLite only: take WAL checkpoints on a thread of their own (db/sqlite-checkpointer.ts), which
   * the server wants; `onError` hears of one that failed. Without it (short CLI commands) the
   * connection checkpoints as SQLite does by default, and no thread is started.
   */
  checkpoints?: { onError: (message: string) => void };
}

/** The schema and this code disagree; the message says which command fixes it. */
export class SchemaMismatchError extends Error {
  override readonly name = 'SchemaMismatchError';
}

export interface MigrationStatus {
  executed: string[];
  /** Known to this code, not yet run on the database. */
  pending: string[];
  /** Run on the database by a newer version; unknown to this code. */
  unknown: string[];
}

/** How long a SQLite writer waits for another process's lock before SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_POOL_SIZE = 10;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens the database chosen by the options and brings its schema up to date (or checks it: see `migrations`). */
export async function createDatabase(opts: DatabaseOptions): Promise<Db> {
  const handle = opts.databaseUrl ? await openPostgres(opts) : openSqlite(opts.sqliteFile, opts.checkpoints);
  const schema = opts.databaseUrl ? opts.schema : undefined;
  try {
    if ((opts.migrations ?? 'apply') === 'apply') await migrate(handle.db, handle.dialect, schema);
    else if (opts.migrations === 'verify') assertSchemaCurrent(await migrationStatus(handle, schema));
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}

/** Guests' phones and staff password hashes live here: only the service's own user may read it. */
const SQLITE_FILE_MODE = 0o600;

/**
 * Creates the database file 0600 before SQLite does (SQLite then gives its -wal and -shm files
 * the same mode) and tightens files an older version left 0644.
 */
function privateSqliteFiles(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', SQLITE_FILE_MODE));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, SQLITE_FILE_MODE);
}

/**
 * When a statement fails with SQLITE_FULL or an I/O error, SQLite has already rolled the
 * transaction back; Kysely's ROLLBACK then fails with "cannot rollback - no transaction is
 * active" and that error replaces the real one. Skipping the needless ROLLBACK keeps the real
 * error (disk full) for the caller and the log.
 */
class SqliteDialectKeepingErrors extends SqliteDialect {
  constructor(private readonly sqlite: SqliteDatabase.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    const sqlite = this.sqlite;
    return new (class extends SqliteDriver {
      override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
        if (!sqlite.inTransaction) return;
        await super.rollbackTransaction(connection);
      }
    })({ database: withStatementCache(sqlite) });
  }
}

/** Distinct SQL texts kept prepared (an `in (?, ?, …)` list makes one per length). */
export const SQLITE_STATEMENT_CACHE_SIZE = 500;

/**
 * The database as Kysely's SQLite driver sees it, with its prepared statements kept: the driver
 * prepares every query anew, and `prepare` was 11 % of the server's CPU in a webhook rush
 * (docs/performance.md). A statement is reused for the same SQL text, least recently used ones
 * dropped beyond SQLITE_STATEMENT_CACHE_SIZE. Reuse is safe because Kysely runs one query at a
 * time on its single SQLite connection (a stream holds it until done), and SQLite re-prepares a
 * statement by itself when a migration changed the schema under it.
 */
export function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (source: string): SqliteDatabase.Statement => {
    let stmt = cache.get(source);
    if (stmt) {
      cache.delete(source);
    } else {
      stmt = sqlite.prepare(source);
      if (cache.size >= SQLITE_STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(source, stmt);
    return stmt;
  };
  return new Proxy(sqlite, {
    get: (target, key) => {
      if (key === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, key, target);
      // Native methods must run on the database itself, not on the proxy.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function openSqlite(file: string, checkpoints: DatabaseOptions['checkpoints']): Db {
  if (file !== ':memory:') privateSqliteFiles(file);
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  // WAL + NORMAL is durable against application crashes; only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  // Checkpoints on a thread of their own, not inside whichever request crosses 1,000 WAL pages.
  const checkpointer = file === ':memory:' || !checkpoints ? null : startCheckpointer(sqlite, file, checkpoints.onError);
  const db = new Kysely<Database>({ dialect: new SqliteDialectKeepingErrors(sqlite) });
  return {
    db,
    dialect: 'sqlite',
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/** PostgreSQL connections the pool keeps open when idle; health/warm-up.ts opens them before the server is ready. */
export const WARM_DB_CONNECTIONS = 4;

async function openPostgres(opts: DatabaseOptions): Promise<Db> {
  const schema = opts.schema;
  if (schema !== undefined) {
    if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
    const client = new pg.Client({ connectionString: opts.databaseUrl });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.INT8 ? parseInt8 : pg.types.getTypeParser(oid, format)) },
    max: opts.poolSize ?? DEFAULT_POOL_SIZE,
    // Connections kept open when idle, warmed before the server is ready (health/warm-up.ts).
    min: Math.min(WARM_DB_CONNECTIONS, opts.poolSize ?? DEFAULT_POOL_SIZE),
    // Set at connection start-up, so every pooled connection sees the schema before its first query.
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

/**
 * int8 (money columns, counts) as a JS number, as SQLite gives it, instead of pg's default
 * string. A value beyond Number.MAX_SAFE_INTEGER fails the query rather than come back rounded;
 * amounts are capped far below that when written.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} is beyond Number.MAX_SAFE_INTEGER`);
  return n;
}

/** Migrations are listed in code (no file globbing) so a bundled or compiled build finds them. */
function migrationsFor(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(dialect),
    '0002-chat': chatMigration(dialect),
    '0003-payment-attempts': paymentAttemptsMigration(dialect),
    '0004-chat-per-theatre': chatPerTheatreMigration(),
    '0005-money-and-abuse': moneyAndAbuseMigration(dialect),
    '0006-business': businessMigration(dialect),
    '0007-reports-and-feedback': reportsAndFeedbackMigration(dialect),
    '0008-refunds': refundsMigration(dialect),
    '0009-payment-status-checks': paymentStatusChecksMigration(),
  };
}

/** The migrations this code knows, in the order they run (the same on both dialects). */
export const migrationNames = (): string[] => Object.keys(migrationsFor('sqlite'));

function migratorFor(db: Kysely<Database>, dialect: DialectName, schema: string | undefined): Migrator {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
  return new Migrator({ db, provider, ...(schema !== undefined ? { migrationTableSchema: schema } : {}) });
}

/** What has run on the database, what this code would still run, and what it does not know. */
export async function migrationStatus(handle: Db, schema?: string): Promise<MigrationStatus> {
  const known = await migratorFor(handle.db, handle.dialect, schema).getMigrations();
  const knownNames = new Set(known.map((m) => m.name));
  let recorded: string[] = [];
  try {
    // Each connection's search_path is the schema, where the migrator keeps its table.
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(handle.db);
    recorded = rows.rows.map((r) => r.name);
  } catch {
    // No migration table yet: an empty database.
  }
  return {
    executed: known.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: known.filter((m) => m.executedAt === undefined).map((m) => m.name),
    unknown: recorded.filter((name) => !knownNames.has(name)),
  };
}

function assertSchemaCurrent(status: MigrationStatus): void {
  if (status.unknown.length > 0) {
    throw new SchemaMismatchError(
      `the database schema is newer than this version of scan2food (it has ${status.unknown.join(', ')}): run the version that migrated it, or restore a backup taken before`,
    );
  }
  if (status.pending.length > 0) {
    throw new SchemaMismatchError(
      `the database schema is behind this version (${status.pending.length} migration(s) to run: ${status.pending.join(', ')}): take a backup, run \`scan2food migrate\` (\`--dry-run\` lists them), then start again`,
    );
  }
}

/**
 * Runs every pending migration, each reported through `onEach`. Two processes migrating at once
 * never run one twice: on PostgreSQL Kysely's migrator holds an advisory lock for the whole run
 * (in the migrations' transaction); SQLite allows one writer at a time.
 */
export async function runMigrations(handle: Db, schema?: string, onEach: (name: string) => void = () => undefined): Promise<string[]> {
  return migrate(handle.db, handle.dialect, schema, onEach);
}

async function migrate(db: Kysely<Database>, dialect: DialectName, schema: string | undefined, onEach: (name: string) => void = () => undefined): Promise<string[]> {
  const { error, results } = await migratorFor(db, dialect, schema).migrateToLatest();
  for (const r of results ?? []) if (r.status === 'Success') onEach(r.migrationName);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
