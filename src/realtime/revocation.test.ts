import { describe, expect, it } from 'vitest';
import { decodeRevocation, encodeRevocation, RecentRevocations } from './revocation.js';

const id = (c: string) => c.repeat(64);

describe('revocation messages', () => {
  it('round-trips session ids and ignores every other control message', () => {
    expect(decodeRevocation(encodeRevocation([id('a'), id('b')]))).toEqual([id('a'), id('b')]);
    for (const other of ['', 'nope', '{}', 'null', '{"type":"sessions.revoked"}', '{"type":"sessions.revoked","sessions":["x"]}', '{"type":"sessions.revoked","sessions":[1]}', '{"type":"other","sessions":[]}']) {
      expect(decodeRevocation(other), other).toBeNull();
    }
  });
});

describe('RecentRevocations', () => {
  it('remembers a revoked session for its window, then forgets it', () => {
    const clock = { now: 1_000 };
    const recent = new RecentRevocations(60_000, () => clock.now);
    recent.add([id('a')]);
    clock.now += 30_000;
    recent.add([id('b')]);
    expect(recent.has(id('a'))).toBe(true);
    clock.now += 30_001;
    expect(recent.has(id('a'))).toBe(false);
    expect(recent.has(id('b'))).toBe(true);
    clock.now += 30_000;
    expect(recent.has(id('b'))).toBe(false);
  });
});
