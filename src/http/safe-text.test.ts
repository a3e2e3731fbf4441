import { describe, expect, it } from 'vitest';
import { hasLoneSurrogate, isSafeText, safeText, sanitizeText } from './safe-text.js';

describe('safe text at the edge', () => {
  it('refuses NUL, other control characters and lone surrogates', () => {
    for (const bad of ['a\u0000b', 'a\u0007', '\u001b[31m', 'x\u0085', '\uD800', 'a\uDC00b']) expect(isSafeText(bad)).toBe(false);
    expect(isSafeText('line\nbreak')).toBe(false);
    expect(isSafeText('line\nbreak\ttab\r\n', { multiline: true })).toBe(true);
    expect(isSafeText('पॉपकॉर्न 🍿 ₹250')).toBe(true);
    expect(hasLoneSurrogate('🍿')).toBe(false);
  });

  it('sanitizes text a third party sent', () => {
    expect(sanitizeText('a\u0000b\nc\uD800')).toBe('ab\nc\uFFFD');
  });

  it('gives a zod schema with length bounds', () => {
    const s = safeText(5);
    expect(s.safeParse('hello').success).toBe(true);
    expect(s.safeParse('').success).toBe(false);
    expect(s.safeParse('toolong').success).toBe(false);
    expect(s.safeParse('a\u0000').success).toBe(false);
  });
});
