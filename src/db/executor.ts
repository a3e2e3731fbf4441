import type { Kysely, Transaction as KyselyTransaction } from 'kysely';
import type { Database } from './schema.js';

/** What a read runs on: the database, or a transaction when the read must agree with a write. */
export type Executor = Kysely<Database>;

/**
 * An open transaction (UnitOfWork.write). A write that must commit together with others (a
 * state change and its events) takes this type, so handing it the bare database fails to compile.
 */
export type Transaction = KyselyTransaction<Database>;
