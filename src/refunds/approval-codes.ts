import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

/** How long a code may be given, and how many wrong codes an approval takes before it is void. */
export const APPROVAL_TTL_MS = 5 * 60_000;
export const MAX_WRONG_CODES = 5;
const CODE_DIGITS = 6;
const KEY_LENGTH = 32;

/** A fresh 6-digit code from the CSPRNG (leading zeros kept). */
export function newApprovalCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

function derive(code: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(code, Buffer.from(salt, 'hex'), KEY_LENGTH, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * What is stored of a code: scrypt with a random salt per approval. A million codes are few, so
 * the hash is made slow to try them all, and the code is never stored, sent to a client or logged.
 */
export async function hashApprovalCode(code: string): Promise<{ salt: string; hash: string }> {
  const salt = randomBytes(16).toString('hex');
  return { salt, hash: (await derive(code, salt)).toString('hex') };
}

/** Whether `code` is the approval's, compared in constant time (any string; a malformed one is simply wrong). */
export async function approvalCodeMatches(code: string, stored: { salt: string; hash: string }): Promise<boolean> {
  const given = await derive(code.trim(), stored.salt);
  const expected = Buffer.from(stored.hash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
