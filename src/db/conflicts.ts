import { isUniqueViolation } from './dialect.js';
import { appError } from '../http/errors.js';

/**
 * Runs a write; a unique-constraint violation (a concurrent writer took the name between our
 * check and our insert) becomes the same 409 the check gives.
 */
export async function conflictOnUnique<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw appError('conflict', message);
    throw err;
  }
}

/** True when `err` is a foreign-key violation (a row still referenced), on either driver. */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  // 23503: PostgreSQL foreign_key_violation.
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Runs a delete; a row that became referenced meanwhile (an order placed from a seat) is a 409. */
export async function conflictOnReference<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isForeignKeyViolation(err)) throw appError('conflict', message);
    throw err;
  }
}
