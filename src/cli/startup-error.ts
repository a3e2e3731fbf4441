import type { Config } from '../config/config.js';

type ErrnoLike = Error & { code?: unknown; path?: unknown; syscall?: unknown; address?: unknown; port?: unknown };

/**
 * Turns an error thrown while starting into one line saying what is wrong and what to do: an
 * operator reading a failed start needs the cause, not a stack from deep inside fs or SQLite.
 */
export function describeStartupError(err: unknown, config: Pick<Config, 'dataDir' | 'port' | 'host' | 'databaseUrl'>): string {
  if (!(err instanceof Error)) return `start failed: ${String(err)}`;
  if (err.name === 'SchemaMismatchError') return err.message;
  const e = err as ErrnoLike;
  const cause = e.cause instanceof Error ? (e.cause as ErrnoLike) : undefined;
  const code = String(e.code ?? cause?.code ?? '');
  const path = typeof e.path === 'string' ? e.path : config.dataDir;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${config.port} on ${config.host} is already in use: stop the other process or set PORT to a free port`;
    case 'EADDRNOTAVAIL':
      return `HOST ${config.host} is not an address of this machine: set HOST to one of its addresses (or 0.0.0.0)`;
    case 'EACCES':
    case 'EPERM':
      return e.syscall === 'listen'
        ? `not allowed to listen on port ${config.port}: use a port above 1023 or run behind a proxy`
        : `${path} cannot be written by this user: fix its owner or permissions, or set DATA_DIR elsewhere`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `${path} is in the way (a file where a folder is needed, or the other way round): remove it or set DATA_DIR elsewhere`;
    case 'EISDIR':
      return `${path} is a folder where a file is needed: remove it or point the setting at a file`;
    case 'ENOSPC':
    case 'SQLITE_FULL':
      return `the disk holding ${config.dataDir} is full: free space, then start again`;
    case 'EROFS':
    case 'SQLITE_READONLY':
      return `the data folder ${config.dataDir} is read-only: mount it writable or set DATA_DIR elsewhere`;
    case 'SQLITE_CANTOPEN':
      return `the SQLite database in ${config.dataDir} cannot be opened: check that DATA_DIR is a writable folder`;
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return `${config.dataDir}/scan2food.db is not a valid SQLite database: restore it from a backup or move it aside`;
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
      return `a database or Redis server did not answer (${e.message}): check DATABASE_URL / REDIS_URL and that the server runs`;
    default:
      return `start failed: ${e.message.split('\n')[0] ?? e.name}`;
  }
}
