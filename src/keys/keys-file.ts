import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The keys file: `NAME=value` lines (values of socket keys are comma-separated lists, current
 * first). It holds generated development secrets and is the file `scan2food keys rotate|retire`
 * edits and the server re-reads on SIGHUP or change. Always written with mode 0600.
 */
export type KeysFileValues = Record<string, string>;

/** 32 random bytes, base64url: the format SPEC §5 asks of every key and secret. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function readKeysFile(path: string): KeysFileValues {
  if (!existsSync(path)) return {};
  const values: KeysFileValues = {};
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return values;
}

/** Replaces the file atomically (write then rename) so a reader never sees half a file. */
export function writeKeysFile(path: string, values: KeysFileValues): void {
  mkdirSync(dirname(path), { recursive: true });
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

export function splitKeyList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}
