import { join, resolve } from 'node:path';
import { createDatabase, migrationStatus, runMigrations } from '../db/database.js';

type Print = (line: string) => void;

/**
 * `scan2food migrate [--dry-run]`: brings the schema of the database the environment selects
 * (DATABASE_URL and DATABASE_SCHEMA, else SQLite under DATA_DIR) up to this version, printing
 * each migration; `--dry-run` only lists what would run. Production servers refuse to start
 * until this has run (outside production `serve` migrates by itself).
 */
export async function runMigrateCommand(args: string[], env: NodeJS.ProcessEnv, out: Print, err: Print): Promise<number> {
  const dryRun = args.includes('--dry-run');
  if (args.some((a) => a !== '--dry-run')) {
    err('Usage: scan2food migrate [--dry-run]');
    return 2;
  }
  const schema = env.DATABASE_SCHEMA || undefined;
  const where = env.DATABASE_URL ? `PostgreSQL${schema ? ` (schema ${schema})` : ''}` : join(resolve(env.DATA_DIR ?? './data'), 'scan2food.db');
  const database = await createDatabase({
    databaseUrl: env.DATABASE_URL || undefined,
    schema,
    sqliteFile: join(resolve(env.DATA_DIR ?? './data'), 'scan2food.db'),
    migrations: 'none',
  });
  try {
    const status = await migrationStatus(database, schema);
    if (status.unknown.length > 0) {
      err(`scan2food migrate: ${where} has migrations this version does not know (${status.unknown.join(', ')}): it was migrated by a newer version. Nothing was changed.`);
      return 1;
    }
    if (status.pending.length === 0) {
      out(`${where} is up to date (${status.executed.length} migrations, the last ${status.executed.at(-1) ?? 'none'}).`);
      return 0;
    }
    if (dryRun) {
      out(`${where}: ${status.pending.length} migration(s) would run, in this order:`);
      for (const name of status.pending) out(`  ${name}`);
      return 0;
    }
    err(`Migrating ${where}: ${status.pending.length} migration(s) to run…`);
    const ran = await runMigrations(database, schema, (name) => out(`  ran ${name}`));
    out(`${where} is up to date: ${ran.length} migration(s) ran now.`);
    return 0;
  } finally {
    await database.close();
  }
}
