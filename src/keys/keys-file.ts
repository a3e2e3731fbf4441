import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The keys file: `NAME=value` lines (values of socket keys are comma-separated lists, current
 * first). It holds generated development secrets and is the file `scan2food keys rotate|retire`
 * edits and the server re-reads on SIGHUP or change. Always written with mode 0600.
 */
export type KeysFileValues = Record<string, string>;

/** A line the decoder refused: its number (from 1) and why, never its content (it may hold a secret). */
export interface KeysFileProblem {
  line: number;
  reason: string;
}

export interface DecodedKeysFile {
  /** Only from lines that decoded cleanly; a null-prototype object, so no name reaches Object.prototype. */
  values: KeysFileValues;
  problems: KeysFileProblem[];
}

/** Environment-variable names as the keys file writes them; `__proto__` and friends never match. */
const NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
/** Keys are base64url lists; secrets an operator wrote may be any printable ASCII. Nothing else. */
const VALUE = /^[\x20-\x7E]*$/;
/** Generous room for a key list mid-rotation, far below anything that could hurt. */
export const MAX_KEYS_FILE_VALUE = 4096;

/** 32 random bytes, base64url: the format SPEC §5 asks of every key and secret. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Decodes the file's text. A line that is not a comment, blank or a clean `NAME=value` is a
 * problem and gives no key: a half-written or edited-by-mistake file must never yield a key
 * taken from a bad line. A name given twice is a problem too (which one was meant?).
 */
export function decodeKeysFile(text: string): DecodedKeysFile {
  const values: KeysFileValues = Object.create(null) as KeysFileValues;
  const problems: KeysFileProblem[] = [];
  // A byte-order mark some editors add is not part of the first name; nothing else is forgiven.
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    // Only spaces, tabs and a CR end are trimmed: String.trim would also eat Unicode separators
    // and BOMs, turning a damaged line into a key.
    const line = raw.replace(/^[ \t]+|[ \t\r]+$/g, '');
    if (line === '' || line.startsWith('#')) return;
    const problem = (reason: string) => problems.push({ line: i + 1, reason });
    const eq = line.indexOf('=');
    if (eq <= 0) return problem('not a NAME=value line');
    const name = line.slice(0, eq).replace(/[ \t]+$/, '');
    const value = line.slice(eq + 1).replace(/^[ \t]+/, '');
    if (!NAME.test(name)) return problem('the name is not an upper-case variable name');
    if (value.length > MAX_KEYS_FILE_VALUE) return problem(`the value is longer than ${MAX_KEYS_FILE_VALUE} characters`);
    if (!VALUE.test(value)) return problem('the value holds control or non-ASCII characters no key has');
    if (Object.hasOwn(values, name)) return problem(`${name} is given twice`);
    values[name] = value;
  });
  return { values, problems };
}

/** Why the keys file cannot be read, as a sentence that says what to do; null when it can. */
export function keysFileUnusable(path: string): string | null {
  if (!existsSync(path)) return null;
  if (statSync(path).isDirectory()) return `the keys file ${path} is a folder, not a file: remove it or point KEYS_FILE at a file`;
  return null;
}

export function inspectKeysFile(path: string): DecodedKeysFile {
  if (!existsSync(path)) return { values: Object.create(null) as KeysFileValues, problems: [] };
  return decodeKeysFile(readFileSync(path, 'utf8'));
}

/** The values of the file's clean lines (bad lines give nothing; see decodeKeysFile). */
export function readKeysFile(path: string): KeysFileValues {
  return inspectKeysFile(path).values;
}

/** Replaces the file atomically (write then rename) so a reader never sees half a file. */
export function writeKeysFile(path: string, values: KeysFileValues): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const body =
    '# scan2food keys and secrets. Keep this file private (mode 0600); never commit it.\n' +
    Object.entries(values)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n') +
    '\n';
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, body, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/**
 * Moves a corrupt keys file aside (same folder, `<name>.corrupt-<timestamp>`, still 0600) so a
 * new one can be written without destroying what an operator may need to recover.
 */
export function keepCorruptKeysFile(path: string, now: Date = new Date()): string {
  const aside = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  chmodSync(aside, 0o600);
  return aside;
}

export function splitKeyList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}
