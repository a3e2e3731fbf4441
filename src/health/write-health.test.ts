import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDatabase, type Db } from '../db/database.js';
import { databaseEngines } from '../db/test-databases.js';
import { isStorageError, WriteHealth } from './write-health.js';

const engines = await databaseEngines();
const postgres = engines.find((e) => e.name === 'postgres');
const sqlite = engines.find((e) => e.name === 'sqlite')!;

/** A write that must find fresh pages, as an order does. */
const write = (db: Db) => sql`insert into kysely_migration_lock (id, is_locked) values (${`w-${randomBytes(8).toString('hex')}`}, 0)`.execute(db.db);

describe('WriteHealth', () => {
  it('stays green, probing nothing, after errors that are not about storage', async () => {
    const db = await sqlite.open();
    try {
      const health = new WriteHealth(db.db, db.dialect);
      health.record(new Error('boom'));
      health.record(Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }));
      health.record(Object.assign(new Error('dup'), { code: '23505' }));
      expect(health.failing()).toBe(null);
      expect(await health.check()).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('on SQLite: a real SQLITE_FULL turns it red until a real write commits again', async () => {
    const db = await sqlite.open();
    try {
      const health = new WriteHealth(db.db, db.dialect);
      const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db.db);
      await sql.raw(`pragma max_page_count = ${rows[0]!.page_count}`).execute(db.db);
      const err = await db.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 50; i++) await sql`insert into kysely_migration_lock (id, is_locked) values (${`f${i}${'x'.repeat(3000)}`}, 0)`.execute(trx);
      }).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'SQLITE_FULL' });
      expect(isStorageError(err)).toBe(true);
      health.record(err);
      expect(await health.check()).toBe(false);
      expect(health.failing()).toMatchObject({ code: 'SQLITE_FULL' });
      await sql.raw('pragma max_page_count = 1073741823').execute(db.db);
      expect(await health.check()).toBe(true);
      expect(health.failing()).toBe(null);
      await write(db);
    } finally {
      await db.close();
    }
  });

  it.skipIf(!postgres)('on PostgreSQL: a database that refuses writes turns it red until writes commit again', async () => {
    const url = process.env.DATABASE_URL!;
    const schema = `t_wh_${randomBytes(6).toString('hex')}`;
    // One connection, so the session setting below holds for every query of this handle.
    const db = await createDatabase({ databaseUrl: url, sqliteFile: '', schema, poolSize: 1 });
    try {
      const health = new WriteHealth(db.db, db.dialect);
      await sql`set default_transaction_read_only = on`.execute(db.db);
      const err = await write(db).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: '25006' });
      health.record(err);
      expect(await health.check()).toBe(false);
      await sql`set default_transaction_read_only = off`.execute(db.db);
      expect(await health.check()).toBe(true);
      expect(health.failing()).toBe(null);
    } finally {
      await db.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });
});
