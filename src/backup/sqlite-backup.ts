import SqliteDatabase from 'better-sqlite3';
import { chmodSync, copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';

export interface BackupSummary {
  file: string;
  bytes: number;
  orders: number;
  events: number;
  migrations: string[];
}

/**
 * A consistent copy of a SQLite database while servers write to it: SQLite's online backup API
 * (through better-sqlite3). All remaining pages are copied in one step, inside one read
 * transaction, so concurrent writers never make it start over and the copy is the database as
 * it was at one instant: every transaction committed before the step began, none half.
 */
export async function backupSqlite(source: string, target: string): Promise<BackupSummary> {
  if (!existsSync(source)) throw new Error(`there is no database at ${source}: check DATA_DIR`);
  if (existsSync(target)) throw new Error(`${target} already exists: choose a new file name (a backup never overwrites)`);
  const db = new SqliteDatabase(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(target, { progress: () => Number.MAX_SAFE_INTEGER });
  } finally {
    db.close();
  }
  chmodSync(target, 0o600);
  return inspectSqlite(target);
}

/** Checks that `file` is a sound scan2food database and says what it holds. @throws when it is not */
export function inspectSqlite(file: string): BackupSummary {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`${file} is damaged (integrity check: ${String(integrity)})`);
    const hasTable = (name: string) => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
    if (!hasTable('kysely_migration') || !hasTable('orders')) throw new Error(`${file} is not a scan2food database`);
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const migrations = (db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
    const { page_count: pages, page_size: size } = {
      page_count: db.pragma('page_count', { simple: true }) as number,
      page_size: db.pragma('page_size', { simple: true }) as number,
    };
    return { file, bytes: pages * size, orders: count('orders'), events: count('stream_events'), migrations };
  } finally {
    db.close();
  }
}

/**
 * Puts a backup in place of the database at `target` (no server may have it open: the caller
 * checks). The current database is kept beside it, never deleted; the copy is made next to the
 * target and renamed over it, so a failure halfway leaves the old database as it was.
 */
export function restoreSqlite(backup: string, target: string, now: Date = new Date()): { summary: BackupSummary; keptAs: string | null } {
  const summary = inspectSqlite(backup);
  let keptAs: string | null = null;
  if (existsSync(target)) {
    keptAs = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    // Fold the WAL into the file first, so what is kept aside is whole.
    const current = new SqliteDatabase(target, { fileMustExist: true });
    current.pragma('wal_checkpoint(TRUNCATE)');
    current.close();
    copyFileSync(target, keptAs);
    chmodSync(keptAs, 0o600);
  }
  const tmp = `${target}.restoring-${process.pid}`;
  copyFileSync(backup, tmp);
  chmodSync(tmp, 0o600);
  for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
  renameSync(tmp, target);
  return { summary, keptAs };
}
