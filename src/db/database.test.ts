import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from './database.js';
import { databaseEngines } from './test-databases.js';

const engines = await databaseEngines();
const postgres = engines.find((e) => e.name === 'postgres');

describe('SQLite database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan2food-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates its folder, and runs in WAL mode with foreign keys enforced', async () => {
    const handle = await createDatabase({ sqliteFile: join(dir, 'nested', 'data.db') });
    try {
      expect(handle.dialect).toBe('sqlite');
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(handle.db);
      expect(journal.rows[0]?.journal_mode).toBe('wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(handle.db);
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      const orphan = handle.db.insertInto('halls').values({ theatre_id: 424242, name: 'nowhere' }).execute();
      await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await handle.close();
    }
  });

  it('checkpoints on its own thread only when asked (the server); a CLI command keeps SQLite\'s own', async () => {
    const autocheckpoint = async (handle: Awaited<ReturnType<typeof createDatabase>>) =>
      (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(handle.db)).rows[0]?.wal_autocheckpoint;
    const server = await createDatabase({ sqliteFile: join(dir, 'server.db'), checkpoints: { onError: () => undefined } });
    try {
      // The connection leaves checkpoints to the thread (db/sqlite-checkpointer.ts).
      expect(await autocheckpoint(server)).toBe(0);
    } finally {
      await server.close();
    }
    const command = await createDatabase({ sqliteFile: join(dir, 'command.db') });
    try {
      expect(await autocheckpoint(command)).toBe(1000);
    } finally {
      await command.close();
    }
  });
});

describe.skipIf(!postgres)('PostgreSQL database', () => {
  it('keeps each schema to itself', async () => {
    const a = await postgres!.open();
    const b = await postgres!.open();
    try {
      expect(a.dialect).toBe('postgres');
      await a.db.insertInto('theatres').values({ name: 'Only in A', order_limit: 1, cash_enabled: 0, notification_phones: '[]', created_at: 'x' }).execute();
      expect(await b.db.selectFrom('theatres').selectAll().execute()).toEqual([]);
      expect(await a.db.selectFrom('theatres').select('name').execute()).toEqual([{ name: 'Only in A' }]);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(
      createDatabase({ databaseUrl: process.env.DATABASE_URL!, sqliteFile: '', schema: 'x"; drop schema public; --' }),
    ).rejects.toThrow(/invalid schema name/);
  });
});
