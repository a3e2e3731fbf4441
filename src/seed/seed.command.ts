import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDatabase } from '../db/database.js';
import { SeedInputError } from './seed.input.js';
import { seed } from './seed.service.js';

/**
 * `scan2food seed FILE.json`: loads theatres, halls, rows, seats, menu, staff and admins into the
 * database the environment selects (DATABASE_URL, else SQLite under DATA_DIR), idempotently by
 * name, and prints the same tree with ids on stdout (passwords left out).
 */
export async function runSeedCommand(args: string[], env: NodeJS.ProcessEnv, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const [file] = args;
  if (!file) {
    err('Usage: scan2food seed FILE.json');
    return 2;
  }
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch (e) {
    err(`scan2food seed: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const dataDir = resolve(env.DATA_DIR ?? './data');
  const database = await createDatabase({
    databaseUrl: env.DATABASE_URL || undefined,
    schema: env.DATABASE_SCHEMA || undefined,
    sqliteFile: join(dataDir, 'scan2food.db'),
    // Production migrates on purpose (`scan2food migrate`), never as a side effect of seeding.
    migrations: env.NODE_ENV === 'production' ? 'verify' : 'apply',
  });
  try {
    err(`Seeding ${env.DATABASE_URL ? 'PostgreSQL' : join(dataDir, 'scan2food.db')} from ${file}…`);
    const result = await seed(database.db, input);
    out(JSON.stringify(result, null, 2));
    return 0;
  } catch (e) {
    if (e instanceof SeedInputError) {
      err(`scan2food seed: ${file} is not valid seed input:\n${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await database.close();
  }
}
