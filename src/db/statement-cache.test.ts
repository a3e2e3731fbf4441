import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SQLITE_STATEMENT_CACHE_SIZE, withStatementCache } from './database.js';

describe('the SQLite statement cache', () => {
  it('prepares a SQL text once, answers as the database does, and keeps at most the cache size', () => {
    const sqlite = new SqliteDatabase(':memory:');
    let prepared = 0;
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((source: string) => {
      prepared++;
      return prepare(source);
    }) as typeof sqlite.prepare;
    const db = withStatementCache(sqlite);
    db.prepare('create table t (id integer primary key, name text)').run();
    for (let i = 0; i < 10; i++) db.prepare('insert into t (name) values (?)').run(`n${i}`);
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 10 });
    expect(prepared).toBe(3);
    // A schema change under a kept statement: SQLite re-prepares it by itself.
    db.prepare('alter table t add column extra text').run();
    expect(db.prepare('select * from t where id = ?').get(1)).toEqual({ id: 1, name: 'n0', extra: null });
    for (let i = 0; i < SQLITE_STATEMENT_CACHE_SIZE + 10; i++) db.prepare(`select ${i} as v`).get();
    const before = prepared;
    // The oldest were dropped: preparing one again prepares it anew; a recent one is still kept.
    db.prepare('select 0 as v').get();
    db.prepare(`select ${SQLITE_STATEMENT_CACHE_SIZE + 9} as v`).get();
    expect(prepared).toBe(before + 1);
    // Everything else is the database's own, bound to it.
    expect(db.inTransaction).toBe(false);
    db.close();
    expect(sqlite.open).toBe(false);
  });
});
