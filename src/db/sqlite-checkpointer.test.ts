import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './sqlite-checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function openWal() {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  dirs.push(dir);
  const file = join(dir, 'db.sqlite');
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.exec('create table t (id integer primary key, v text)');
  return { sqlite, file };
}

const write = (sqlite: SqliteDatabase.Database, n: number) => {
  const insert = sqlite.prepare('insert into t (v) values (?)');
  for (let i = 0; i < n; i++) insert.run('x'.repeat(1000));
};
/** Rows reach the database file only when a checkpoint copies them out of the WAL. */
const databaseBytes = (file: string) => statSync(file).size;
const MB = 1024 * 1024;

describe('SQLite checkpoints on a thread of their own', () => {
  it('the connection never checkpoints inside its own commits, past 1,000 WAL pages either', async () => {
    const { sqlite, file } = openWal();
    const checkpointer = startCheckpointer(sqlite, file, () => undefined, 60_000);
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    write(sqlite, 5000); // ~5 MB in 5,000 commits: SQLite's default would have checkpointed several times
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(4 * MB);
    expect(databaseBytes(file)).toBeLessThan(MB);
    await checkpointer.stop();
    sqlite.close();
  });

  it('the thread copies the WAL into the database soon after', async () => {
    const { sqlite, file } = openWal();
    const errors: string[] = [];
    const checkpointer = startCheckpointer(sqlite, file, (m) => errors.push(m), 50);
    write(sqlite, 5000);
    const deadline = Date.now() + 5_000;
    while (databaseBytes(file) < 4 * MB && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(databaseBytes(file)).toBeGreaterThan(4 * MB);
    await checkpointer.stop();
    expect(errors).toEqual([]);
    sqlite.close();
  });

  it('gives checkpoints back to the connection when the thread cannot work', async () => {
    const { sqlite, file } = openWal();
    const errors: string[] = [];
    // A file the thread cannot open: it fails at once.
    const checkpointer = startCheckpointer(sqlite, join(file, 'missing'), (m) => errors.push(m), 50);
    const deadline = Date.now() + 5_000;
    while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(errors.join('\n')).toMatch(/checkpoints by itself again/);
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.stop();
    sqlite.close();
  });
});
