import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requirePostgresUrl } from './services.js';

/**
 * Where an HTTP-level test runs its app: SQLite always, and PostgreSQL (its own schema, dropped
 * afterwards) when DATABASE_URL is set; under CI a missing or unreachable PostgreSQL fails.
 */
export interface AppEngine {
  name: 'sqlite' | 'postgres';
  /** Environment that selects this database for a fresh test app. */
  env(): Record<string, string>;
  /** Drops what env() created. */
  cleanup(): Promise<void>;
}

export async function appEngines(): Promise<AppEngine[]> {
  const engines: AppEngine[] = [{ name: 'sqlite', env: () => ({}), cleanup: async () => undefined }];
  const url = await requirePostgresUrl();
  if (url) engines.push(postgresEngine(url));
  return engines;
}

function postgresEngine(url: string): AppEngine {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    env() {
      const schema = `t_app_${process.pid}_${randomBytes(5).toString('hex')}`;
      schemas.push(schema);
      return { DATABASE_URL: url, DATABASE_SCHEMA: schema };
    },
    async cleanup() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const s of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
