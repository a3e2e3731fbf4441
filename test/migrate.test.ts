import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationNames } from '../src/db/database.js';
import { generateSecret } from '../src/keys/keys-file.js';
import { requirePostgresUrl } from './support/services.js';
import { runCli, spawnServer } from './support/spawn-server.js';

const databaseUrl = await requirePostgresUrl();
// The code's own list; the first ones are checked by name so a reordering or a lost one fails.
const MIGRATIONS = migrationNames();
const N = MIGRATIONS.length;
expect(MIGRATIONS.slice(0, 6)).toEqual(['0001-initial', '0002-chat', '0003-payment-attempts', '0004-chat-per-theatre', '0005-money-and-abuse', '0006-business']);

/**
 * Issue 15, migrations on purpose: `scan2food migrate [--dry-run]`; production `serve` refuses a
 * schema behind or ahead of the code and says which command to run; two migrations at once
 * never run one twice.
 */
if (databaseUrl) {
  describe('scan2food migrate on PostgreSQL', () => {
    const schema = `t_mig_${process.pid}_${randomUUID().slice(0, 8)}`;
    const env = {
      NODE_ENV: 'production',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'scan2food-mig-')),
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      LIVE_ORDERS_WS_KEY: generateSecret(),
      PAYMENT_STATUS_WS_KEY: generateSecret(),
      CHAT_WS_KEY: generateSecret(),
      TICKET_SECRET: generateSecret(),
      PAYMENT_WEBHOOK_SECRET: generateSecret(),
      RAZORPAY_KEY_ID: `rzp_test_${generateSecret().slice(0, 14)}`,
      RAZORPAY_KEY_SECRET: generateSecret(),
      RAZORPAY_API_BASE: 'http://127.0.0.1:1/v1',
      LOG_LEVEL: 'warn',
    };
    const query = async (text: string) => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        return (await c.query(text)).rows as Array<Record<string, unknown>>;
      } finally {
        await c.end();
      }
    };
    afterAll(async () => {
      await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });

    it('refuses a production start on an empty schema, lists with --dry-run, migrates once under two concurrent runs, then serves', async () => {
      const refused = await runCli(['serve'], { ...env, PORT: '0' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${N} migration(s) to run: ${MIGRATIONS.join(', ')}`);
      expect(refused.stderr).toContain('run `scan2food migrate`');
      expect(refused.stderr).not.toMatch(/^\s+at /m);

      const dry = await runCli(['migrate', '--dry-run'], env);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toBe(`PostgreSQL (schema ${schema}): ${N} migration(s) would run, in this order:\n${MIGRATIONS.map((m) => `  ${m}\n`).join('')}`);
      expect(await query(`SELECT to_regclass('"${schema}".orders') AS t`)).toEqual([{ t: null }]);

      const [a, b] = await Promise.all([runCli(['migrate'], env), runCli(['migrate'], env)]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const ran = `${a.stdout}${b.stdout}`.split('\n').filter((l) => l.startsWith('  ran '));
      expect(ran.sort()).toEqual(MIGRATIONS.map((m) => `  ran ${m}`));
      expect((await query(`SELECT name FROM "${schema}".kysely_migration ORDER BY name`)).map((r) => r.name)).toEqual(MIGRATIONS);
      expect((await runCli(['migrate'], env)).stdout).toContain(`is up to date (${N} migrations, the last ${MIGRATIONS.at(-1)})`);

      const server = await spawnServer(env, 20_000);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }, 60_000);

    it('refuses a schema migrated by a newer version, in serve and in migrate', async () => {
      await query(`INSERT INTO "${schema}".kysely_migration (name, timestamp) VALUES ('9999-from-the-future', '2027-01-01T00:00:00.000Z')`);
      const serve = await runCli(['serve'], { ...env, PORT: '0' });
      expect(serve.code).toBe(1);
      expect(serve.stderr).toContain('the database schema is newer than this version of scan2food (it has 9999-from-the-future)');
      const migrate = await runCli(['migrate'], env);
      expect(migrate.code).toBe(1);
      expect(migrate.stderr).toContain('migrated by a newer version. Nothing was changed.');
    }, 30_000);
  });
}

describe('scan2food migrate on SQLite', () => {
  it('lists then runs the migrations of a new data folder', async () => {
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'scan2food-mig-sqlite-'));
    const dry = await runCli(['migrate', '--dry-run'], { DATA_DIR });
    expect(dry.stdout).toContain(`${N} migration(s) would run`);
    const run = await runCli(['migrate'], { DATA_DIR });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`up to date: ${N} migration(s) ran now`);
    expect((await runCli(['migrate', '--nonsense'], { DATA_DIR })).code).toBe(2);
  });
});
