import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ORDERS = dirname(fileURLToPath(import.meta.url));
const SRC = resolve(ORDERS, '..');
const IMPORT = /(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The src/ folder each relative import of `file` lands in. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)]
    .map((m) => m[1] ?? m[2]!)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(SRC, resolve(dirname(file), spec)).split(/[\\/]/)[0]!);
}

describe('orders/', () => {
  it('imports nothing from chat/ or payments/: their reactions to order events are wired in src/reactions.ts', () => {
    const files = readdirSync(ORDERS).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const offending = files.flatMap((f) => importedFolders(join(ORDERS, f)).filter((folder) => folder === 'chat' || folder === 'payments').map((folder) => `${f} → ${folder}/`));
    expect(offending).toEqual([]);
  });
});
