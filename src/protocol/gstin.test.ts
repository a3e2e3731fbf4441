import { describe, expect, it } from 'vitest';
import { GSTIN_CHECK_MESSAGE, GSTIN_FORMAT_MESSAGE, gstinCheckCharacter, gstinProblem } from './gstin.js';

describe('GSTIN check (shared by the server and the admin page)', () => {
  it('accepts a real GSTIN and refuses every other check character for it', () => {
    expect(gstinProblem('27AAPFU0939F1ZV')).toBeNull();
    expect(gstinCheckCharacter('27AAPFU0939F1Z')).toBe('V');
    for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUWXYZ') expect(gstinProblem(`27AAPFU0939F1Z${c}`)).toBe(GSTIN_CHECK_MESSAGE);
  });

  it('says the format is wrong before looking at the check character', () => {
    for (const bad of ['', '27AAPFU0939F1Z', '27AAPFU0939F1ZVX', '27aapfu0939f1zv', '2XAAPFU0939F1ZV', '27AAPFU0939F0ZV', '27AAPFU0939F1YV', ' 27AAPFU0939F1ZV']) {
      expect(gstinProblem(bad)).toBe(GSTIN_FORMAT_MESSAGE);
    }
  });
});
