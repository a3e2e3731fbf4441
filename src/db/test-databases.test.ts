import { describe, expect, it, vi } from 'vitest';
import { databaseEngines } from './test-databases.js';

const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/nowhere';

describe('test database engines', () => {
  it('always offers SQLite, and PostgreSQL only when DATABASE_URL is set', async () => {
    expect((await databaseEngines({})).map((e) => e.name)).toEqual(['sqlite']);
  });

  it('skips an unreachable PostgreSQL outside CI, with a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect((await databaseEngines({ DATABASE_URL: UNREACHABLE })).map((e) => e.name)).toEqual(['sqlite']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('PostgreSQL tests skipped'));
    warn.mockRestore();
  });

  it('fails under CI when PostgreSQL is unreachable', async () => {
    await expect(databaseEngines({ DATABASE_URL: UNREACHABLE, CI: 'true' })).rejects.toThrow(/CI is set/);
  });
});
