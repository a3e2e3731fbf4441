import type { Kysely, Transaction } from 'kysely';
import type { DialectName } from './dialect.js';
import type { Database } from './schema.js';

/**
 * Runs several reads against one snapshot of the database, so what they return agrees (a stream
 * head and the snapshot taken at that head). PostgreSQL needs REPEATABLE READ for that; SQLite's
 * transactions are already serialisable.
 */
export function consistentRead<T>(db: Kysely<Database>, dialect: DialectName, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const tx = db.transaction();
  return (dialect === 'postgres' ? tx.setIsolationLevel('repeatable read') : tx).execute(fn);
}
