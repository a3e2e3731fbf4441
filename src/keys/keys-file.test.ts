import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeKeysFile, generateSecret, MAX_KEYS_FILE_VALUE, writeKeysFile } from './keys-file.js';

const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/);
const key = fc.constant(null).map(() => generateSecret());
/** A clean file: unique names, base64url values (lists of keys), comments and blank lines. */
const cleanEntries = fc.uniqueArray(fc.tuple(name, fc.array(key, { minLength: 1, maxLength: 3 }).map((k) => k.join(','))), { selector: ([n]) => n, minLength: 1, maxLength: 8 });
/** What breaks a line: NUL, control characters, lone surrogates, non-ASCII. */
const hostileChar = fc.constantFrom('\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\u2028', '\ud800', '\udfff', 'é', '\uFEFF', '\t');
const prototypeName = fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '__defineGetter__');

const render = (entries: Array<[string, string]>) => entries.map(([n, v]) => `${n}=${v}`).join('\n');

describe('the keys-file decoder', () => {
  it('never throws, and every key it gives comes from a clean NAME=value line of the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.array(fc.oneof(fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'binary' })), { maxLength: 30 }).map((l) => l.join('\n'))), (text) => {
        const { values, problems } = decodeKeysFile(text);
        const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/^[ \t]+|[ \t\r]+$/g, ''));
        for (const [n, v] of Object.entries(values)) {
          expect(n).toMatch(/^[A-Z][A-Z0-9_]*$/);
          expect(v).toMatch(/^[\x20-\x7E]*$/);
          expect(lines.some((l) => new RegExp(`^${n}[ \\t]*=[ \\t]*`).test(l) && l.slice(l.indexOf('=') + 1).replace(/^[ \t]+/, '') === v)).toBe(true);
        }
        for (const p of problems) expect(p.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it('reads back exactly what writeKeysFile wrote', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan2food-keysfile-'));
    fc.assert(
      fc.property(cleanEntries, (entries) => {
        const file = join(dir, 'keys.env');
        writeKeysFile(file, Object.fromEntries(entries));
        const decoded = decodeKeysFile(readFileSync(file, 'utf8'));
        expect(decoded.problems).toEqual([]);
        expect({ ...decoded.values }).toEqual(Object.fromEntries(entries));
      }),
      { numRuns: 50 },
    );
  });

  it('takes no key from a line holding NUL, a control character, a lone surrogate or non-ASCII, and says which line', () => {
    fc.assert(
      fc.property(cleanEntries, fc.nat(), hostileChar, fc.nat(), fc.boolean(), (entries, which, bad, at, inName) => {
        const i = which % entries.length;
        const [n, v] = entries[i]!;
        // Always inside the name or value: spaces and tabs around them are trimmed, as they should be.
        const spoiled: [string, string] = inName ? [`${n.slice(0, 1)}${bad}${n.slice(1)}Z`, v] : [n, `${v.slice(0, 1 + (at % v.length))}${bad}${v.slice(1 + (at % v.length))}x`];
        const list = entries.map((e, j) => (j === i ? spoiled : e));
        const { values, problems } = decodeKeysFile(render(list));
        expect(Object.hasOwn(values, n)).toBe(false);
        expect(problems.map((p) => p.line)).toEqual([i + 1]);
        for (const [m, w] of entries) if (m !== n) expect(values[m]).toBe(w);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses __proto__ and other Object.prototype names without touching any prototype', () => {
    fc.assert(
      fc.property(cleanEntries, prototypeName, key, (entries, evil, value) => {
        const { values, problems } = decodeKeysFile(`${render(entries)}\n${evil}=${value}\n__proto__={"polluted":1}`);
        expect(problems.length).toBe(2);
        expect(Object.getPrototypeOf(values)).toBe(null);
        expect(Object.keys(values).sort()).toEqual(entries.map(([n]) => n).sort());
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a huge value (a 1 MB line) and a name given twice', () => {
    const huge = 'A'.repeat(1024 * 1024);
    const k = generateSecret();
    const { values, problems } = decodeKeysFile(`CHAT_WS_KEY=${huge}\nTICKET_SECRET=${k}\nTICKET_SECRET=${generateSecret()}\nLIVE_ORDERS_WS_KEY=${'B'.repeat(MAX_KEYS_FILE_VALUE)}`);
    expect(problems).toEqual([
      { line: 1, reason: `the value is longer than ${MAX_KEYS_FILE_VALUE} characters` },
      { line: 3, reason: 'TICKET_SECRET is given twice' },
    ]);
    expect({ ...values }).toEqual({ TICKET_SECRET: k, LIVE_ORDERS_WS_KEY: 'B'.repeat(MAX_KEYS_FILE_VALUE) });
  });

  it('never echoes a value in a problem (the line may hold a secret)', () => {
    fc.assert(
      fc.property(key, hostileChar, (secret, bad) => {
        const { problems } = decodeKeysFile(`CHAT_WS_KEY=${secret.slice(0, 5)}${bad}${secret.slice(5)}\n${secret}`);
        expect(problems).toHaveLength(2);
        for (const p of problems) expect(p.reason).not.toContain(secret);
      }),
    );
  });
});
