import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.js';
import { databaseEngines } from '../db/test-databases.js';
import { EventRepository } from './event.repository.js';

const engines = await databaseEngines();
const AT = new Date('2026-11-29T18:00:00.000Z');

describe.each(engines)('outbox on $name', (engine) => {
  let handle: Db;
  let events: EventRepository;
  let now = AT;

  beforeAll(async () => {
    handle = await engine.open();
    events = new EventRepository(handle.db, () => now);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('numbers events per stream from 1 with no gaps', async () => {
    const a1 = await handle.db.transaction().execute((trx) => events.append(trx, 's:a', 'x', { n: 1 }, AT));
    const b1 = await handle.db.transaction().execute((trx) => events.append(trx, 's:b', 'x', { n: 1 }, AT));
    const a2 = await handle.db.transaction().execute((trx) => events.append(trx, 's:a', 'y', { n: 2 }, AT));
    expect([a1.seq, b1.seq, a2.seq]).toEqual([1, 1, 2]);
    expect(a2).toMatchObject({ stream: 's:a', type: 'y', at: AT.toISOString(), data: { n: 2 } });
    expect(a2.id).toBeGreaterThan(b1.id);
    expect(await events.head('s:a')).toBe(2);
    expect(await events.head('s:none')).toBe(0);
    expect((await events.eventsSince('s:a', 1, 10)).map((e) => e.data)).toEqual([{ n: 2 }]);
  });

  it('gives a rolled-back seq back: a failure after append undoes both rows', async () => {
    const before = await events.head('s:rb');
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await events.append(trx, 's:rb', 'x', {}, AT);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await events.head('s:rb')).toBe(before);
    expect(await events.eventsSince('s:rb', 0, 10)).toEqual([]);
    const next = await handle.db.transaction().execute((trx) => events.append(trx, 's:rb', 'x', {}, AT));
    expect(next.seq).toBe(before + 1);
  });

  it('keeps seqs gap-free under 50 concurrent transactions on two streams', async () => {
    const N = 50;
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        handle.db.transaction().execute(async (trx) => {
          await events.append(trx, 'c:one', 'x', { i }, AT);
          await events.append(trx, 'c:all', 'x', { i }, AT);
        }),
      ),
    );
    for (const stream of ['c:one', 'c:all']) {
      const list = await events.eventsSince(stream, 0, 1000);
      expect(list.map((e) => e.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
      // Within a stream, outbox id order is seq order (the relay depends on it).
      const ids = list.map((e) => e.id);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(await events.head(stream)).toBe(N);
    }
  });

  it('hands unpublished events to the relay in id order and forgets published ones', async () => {
    const pending = await events.unpublishedAfter(0, 1000);
    expect(pending.length).toBeGreaterThan(0);
    const ids = pending.map((e) => e.id);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    await events.markPublished(ids.slice(0, 2));
    const after = await events.unpublishedAfter(0, 1000);
    expect(after.map((e) => e.id)).toEqual(ids.slice(2));
    expect(await events.unpublishedAfter(ids[3]!, 1000)).toEqual(after.slice(2));
    await events.markPublished(ids);
    expect(await events.unpublishedAfter(0, 10)).toEqual([]);
  });

  it('prunes beyond keepPerStream and past maxAge, keeping heads and unpublished events', async () => {
    for (let i = 0; i < 5; i++) {
      await handle.db.transaction().execute((trx) => events.append(trx, 'p:keep', 'x', { i }, AT));
    }
    const ids = (await events.eventsSince('p:keep', 0, 10)).map((e) => e.id);
    await events.markPublished(ids.slice(0, 4)); // the fifth stays unpublished
    now = new Date(AT.getTime() + 1000);
    await events.prune({ keepPerStream: 2, maxAgeMs: 60_000 });
    expect((await events.eventsSince('p:keep', 0, 10)).map((e) => e.seq)).toEqual([4, 5]);
    expect(await events.oldestRetained('p:keep')).toBe(4);

    now = new Date(AT.getTime() + 120_000);
    await events.prune({ keepPerStream: 2, maxAgeMs: 60_000 });
    expect((await events.eventsSince('p:keep', 0, 10)).map((e) => e.seq)).toEqual([5]);
    expect(await events.head('p:keep')).toBe(5);
    const next = await handle.db.transaction().execute((trx) => events.append(trx, 'p:keep', 'x', {}, AT));
    expect(next.seq).toBe(6);
  });
});

describe('migrations', () => {
  it.each(engines)('run twice safely on $name', async (engine) => {
    const handle = await engine.open();
    try {
      await handle.db.transaction().execute((trx) => new EventRepository(trx).append(trx, 'm', 'x', {}, AT));
      // A second open runs the migrator again: nothing to do, and the data is intact.
      const again = await handle.reopen();
      expect(await new EventRepository(again.db).head('m')).toBe(1);
      await again.close();
    } finally {
      await handle.close();
    }
  });
});
