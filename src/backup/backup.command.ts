import { join, resolve } from 'node:path';
import { runningServers } from './running-servers.js';
import { backupSqlite, restoreSqlite, type BackupSummary } from './sqlite-backup.js';

type Print = (line: string) => void;

const PG_BACKUP = (url: string) =>
  `PostgreSQL is backed up with its own tools, while the servers run (a consistent snapshot):\n` +
  `  pg_dump --format=custom --file=scan2food-$(date +%F).dump "${redact(url)}"\n` +
  `and restored into an empty database with the servers stopped:\n` +
  `  pg_restore --no-owner --dbname="<DATABASE_URL>" scan2food-YYYY-MM-DD.dump\n` +
  `(with DATABASE_SCHEMA set, add --schema=<schema> to both). See deploy/README.md.`;

/** The URL without its password, for a message. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<DATABASE_URL>';
  }
}

const describe = (s: BackupSummary) =>
  `${s.orders} orders, ${s.events} events, ${(s.bytes / 1024).toFixed(0)} KiB, schema ${s.migrations.at(-1) ?? 'empty'}`;

/** `scan2food backup FILE`: a consistent copy of the SQLite database, taken while servers run. */
export async function runBackupCommand(args: string[], env: NodeJS.ProcessEnv, out: Print, err: Print): Promise<number> {
  const [file] = args;
  if (!file) {
    err('Usage: scan2food backup FILE   (a consistent copy of the SQLite database under DATA_DIR, safe while the server runs)');
    return 2;
  }
  if (env.DATABASE_URL) {
    err(PG_BACKUP(env.DATABASE_URL));
    return 2;
  }
  const source = join(resolve(env.DATA_DIR ?? './data'), 'scan2food.db');
  const target = resolve(file);
  err(`Backing up ${source} to ${target}…`);
  const summary = await backupSqlite(source, target);
  out(`Backed up to ${target} (mode 0600): ${describe(summary)}.`);
  return 0;
}

/** `scan2food restore FILE`: puts a backup in place of the SQLite database; never under a running server. */
export async function runRestoreCommand(args: string[], env: NodeJS.ProcessEnv, out: Print, err: Print): Promise<number> {
  const [file] = args;
  if (!file) {
    err('Usage: scan2food restore FILE   (stop every server using DATA_DIR first)');
    return 2;
  }
  if (env.DATABASE_URL) {
    err(PG_BACKUP(env.DATABASE_URL));
    return 2;
  }
  const dataDir = resolve(env.DATA_DIR ?? './data');
  const running = runningServers(dataDir);
  if (running.length > 0) {
    err(`scan2food restore: refused: ${running.length} server(s) use ${dataDir} (pid ${running.join(', ')}). Stop them (SIGTERM), then restore; nothing was changed.`);
    return 1;
  }
  const { summary, keptAs } = restoreSqlite(resolve(file), join(dataDir, 'scan2food.db'));
  out(`Restored ${resolve(file)} into ${join(dataDir, 'scan2food.db')}: ${describe(summary)}.`);
  if (keptAs) out(`The database it replaced is kept as ${keptAs}.`);
  return 0;
}
