import { describe, expect, it } from 'vitest';
import { SnapshotCache } from './snapshot-cache.js';
import type { StreamOpening, StreamSource } from './stream-source.js';

function source() {
  let head = 0;
  const pending: (() => void)[] = [];
  let reads = 0;
  const s: StreamSource & { bump(): void; reads(): number; gate: boolean; release(): void } = {
    gate: false,
    async open(_stream, since): Promise<StreamOpening> {
      reads++;
      const at = head;
      if (s.gate) await new Promise<void>((r) => pending.push(r));
      return since === undefined ? { head: at, kind: 'snapshot', snapshot: { at }, reset: false, terminal: false } : { head: at, kind: 'replay', events: [] };
    },
    async eventsAfter() {
      return [];
    },
    bump: () => void head++,
    reads: () => reads,
    release: () => pending.splice(0).forEach((r) => r()),
  };
  return s;
}

describe('SnapshotCache', () => {
  it('serves a quiet stream from memory and reads again after an event of that stream', async () => {
    const src = source();
    const cache = new SnapshotCache(src);
    expect(await cache.open('theatre:1', undefined)).toMatchObject({ head: 0 });
    expect(await cache.open('theatre:1', undefined)).toMatchObject({ head: 0 });
    expect(src.reads()).toBe(1);
    src.bump();
    cache.eventSeen('theatre:2');
    expect(await cache.open('theatre:1', undefined)).toMatchObject({ head: 0 });
    cache.eventSeen('theatre:1');
    expect(await cache.open('theatre:1', undefined)).toMatchObject({ head: 1 });
    expect(src.reads()).toBe(2);
  });

  it('does not keep an opening read while an event of its stream went by', async () => {
    const src = source();
    const cache = new SnapshotCache(src);
    src.gate = true;
    const slow = cache.open('theatre:1', undefined);
    src.bump();
    cache.eventSeen('theatre:1');
    src.release();
    expect(await slow).toMatchObject({ head: 0 });
    src.gate = false;
    expect(await cache.open('theatre:1', undefined)).toMatchObject({ head: 1 });
  });

  it('reads again after clear() (the bus was resubscribed and events may have gone by unseen)', async () => {
    const src = source();
    const cache = new SnapshotCache(src);
    await cache.open('theatre:1', undefined);
    src.bump();
    cache.clear();
    expect(await cache.open('theatre:1', undefined)).toMatchObject({ head: 1 });
  });

  it('never caches resumes', async () => {
    const src = source();
    const cache = new SnapshotCache(src);
    await cache.open('t', 0);
    await cache.open('t', 0);
    expect(src.reads()).toBe(2);
  });
});
