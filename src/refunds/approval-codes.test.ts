import { describe, expect, it } from 'vitest';
import { approvalCodeMatches, hashApprovalCode, newApprovalCode } from './approval-codes.js';

describe('refund approval codes', () => {
  it('are six digits from the CSPRNG, leading zeros kept, and vary', () => {
    const codes = Array.from({ length: 200 }, newApprovalCode);
    expect(codes.every((c) => /^\d{6}$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(190);
  });

  it('are stored as a salted hash that does not contain the code and matches only it', async () => {
    const code = '012345';
    const stored = await hashApprovalCode(code);
    expect(stored.hash).not.toContain(code);
    expect(stored.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(await approvalCodeMatches(code, stored)).toBe(true);
    expect(await approvalCodeMatches('012346', stored)).toBe(false);
    expect(await approvalCodeMatches('', stored)).toBe(false);
    // The same code under another salt hashes differently.
    expect((await hashApprovalCode(code)).hash).not.toBe(stored.hash);
  });
});
