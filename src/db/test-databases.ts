/**
 * Test helper: the database engines every storage test runs on. SQLite (a temp file) always;
 * PostgreSQL when DATABASE_URL is set, each opened database in its own fresh schema that is
 * dropped again on close, so test files can run in parallel on one server.
 *
 * When PostgreSQL is configured but unreachable the engine is skipped with a warning, except
 * under CI (env CI set), where that is an error: CI must not go green without PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, type Database, type Db } from './database.js';

export interface DatabaseEngine {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated, empty database; `close()` also deletes it. */
  open(): Promise<TestDb>;
}

export interface TestDb extends Db {
  /** A second handle on the same database (runs the migrator again); close it before the first. */
  reopen(): Promise<Db>;
  /** Deletes every row (ids keep counting up): much cheaper than a fresh database per test. */
  reset(): Promise<void>;
}

/** Children before parents, so foreign keys never block a delete. */
export const TABLES_IN_DELETE_ORDER = [
  'order_feedback',
  'chat_messages',
  'chat_conversations',
  'whatsapp_unknown_phones',
  'stream_events',
  'stream_heads',
  'webhook_events',
  'refund_approvals',
  'refund_requests',
  'refunds',
  'payments',
  'idempotency_keys',
  'order_items',
  'orders',
  'document_counters',
  'sessions',
  'accounts',
  'menu_items',
  'menu_categories',
  'seats',
  'seat_rows',
  'halls',
  'theatres',
] as const satisfies ReadonlyArray<keyof Database>;

async function deleteAllRows(handle: Db): Promise<void> {
  await handle.db.transaction().execute(async (trx) => {
    for (const table of TABLES_IN_DELETE_ORDER) await trx.deleteFrom(table).execute();
  });
}

const PROBE_TIMEOUT_MS = 3_000;

export async function databaseEngines(env: NodeJS.ProcessEnv = process.env): Promise<DatabaseEngine[]> {
  const engines: DatabaseEngine[] = [sqliteEngine()];
  const url = env.DATABASE_URL;
  if (!url) {
    if (env.CI) console.warn('PostgreSQL tests not run: DATABASE_URL is not set');
    return engines;
  }
  const problem = await probePostgres(url);
  if (problem === null) {
    engines.push(postgresEngine(url));
  } else if (env.CI) {
    throw new Error(`CI is set and PostgreSQL at DATABASE_URL is unreachable: ${problem}`);
  } else {
    console.warn(`PostgreSQL tests skipped: DATABASE_URL is unreachable (${problem})`);
  }
  return engines;
}

function uniqueName(): string {
  return `t_${process.pid}_${randomBytes(6).toString('hex')}`;
}

function sqliteEngine(): DatabaseEngine {
  return {
    name: 'sqlite',
    async open() {
      const file = join(tmpdir(), `scan2food-${uniqueName()}.db`);
      const handle = await createDatabase({ sqliteFile: file });
      return {
        ...handle,
        reopen: () => createDatabase({ sqliteFile: file }),
        reset: () => deleteAllRows(handle),
        async close() {
          await handle.close();
          for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
        },
      };
    },
  };
}

function postgresEngine(databaseUrl: string): DatabaseEngine {
  return {
    name: 'postgres',
    async open() {
      const schema = uniqueName();
      const handle = await createDatabase({ databaseUrl, sqliteFile: '', schema, poolSize: 20 });
      return {
        ...handle,
        reopen: () => createDatabase({ databaseUrl, sqliteFile: '', schema, poolSize: 2 }),
        reset: () => deleteAllRows(handle),
        async close() {
          await handle.close();
          await withClient(databaseUrl, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
        },
      };
    },
  };
}

async function probePostgres(url: string): Promise<string | null> {
  try {
    await withClient(url, (c) => c.query('SELECT 1'));
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
