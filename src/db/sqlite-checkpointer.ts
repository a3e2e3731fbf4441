import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the checkpointer copies the WAL back into the database file. */
export const CHECKPOINT_INTERVAL_MS = 1_000;

/**
 * The checkpointer's thread: its own connection to the file, a PASSIVE checkpoint per interval
 * (never waits for, nor blocks, the server's readers and writer). Plain JavaScript run with
 * `eval`, so it needs no build step of its own under tsx, vitest or dist alike; it loads the
 * driver from the path the main thread resolved.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the thread (before the server's own connection closes, which checkpoints a last time). */
  stop(): Promise<void>;
}

/**
 * Keeps SQLite's WAL checkpoints off the event loop. By default the connection that commits
 * past 1,000 WAL pages copies them back into the database and fsyncs it, synchronously, inside
 * that request: a webhook every ~100 paid these 10–20 ms (answer p99 18.4–22.4 ms against
 * 13.5–16.5 ms without, docs/performance.md session 5). Here the server's connection never
 * checkpoints by itself; a thread of its own does, every CHECKPOINT_INTERVAL_MS. Should the thread
 * fail, the connection checkpoints by itself again (SQLite's default), so the WAL never grows
 * without bound; `onError` is told.
 */
export function startCheckpointer(sqlite: SqliteDatabase.Database, file: string, onError: (message: string) => void, intervalMs = CHECKPOINT_INTERVAL_MS): Checkpointer {
  sqlite.pragma('wal_autocheckpoint = 0');
  const fallBack = (message: string) => {
    if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
    onError(message);
  };
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs } });
  worker.unref();
  let stopping = false;
  let failed = false;
  worker.on('message', (m: { error?: string }) => {
    if (m.error) onError(`SQLite checkpoint failed: ${m.error}`);
  });
  worker.on('error', (err) => {
    failed = true;
    fallBack(`SQLite checkpointer stopped: ${err.message}; the server's connection checkpoints by itself again`);
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  void exited.then(() => {
    if (!stopping && !failed) fallBack("SQLite checkpointer exited; the server's connection checkpoints by itself again");
  });
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      // Unreferenced so it never keeps a process alive; referenced again while it stops, or a
      // process with nothing else to do would end (exit code 0) before hearing it has.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
