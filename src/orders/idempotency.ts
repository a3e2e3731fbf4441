import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/*
 * Idempotency keys. The stored answer of order creation holds the guest's order token, which
 * must not be readable from the database (we store only a hash of it on the order). So the
 * answer is encrypted with a key derived from the Idempotency-Key itself, and the row is found
 * by a different hash of that key: only a client that holds the key can get the answer back.
 */

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

export function idempotencyLookupHash(scope: string, key: string): string {
  return sha256(`lookup\0${scope}\0${key}`).toString('hex');
}

export function fingerprint(request: unknown): string {
  return sha256(JSON.stringify(request)).toString('hex');
}

export function sealAnswer(scope: string, key: string, answer: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sha256(`seal\0${scope}\0${key}`), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function openAnswer<T>(scope: string, key: string, sealed: string): T {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !body) throw new Error('malformed idempotency answer');
  const decipher = createDecipheriv('aes-256-gcm', sha256(`seal\0${scope}\0${key}`), iv);
  decipher.setAuthTag(tag);
  return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')) as T;
}
