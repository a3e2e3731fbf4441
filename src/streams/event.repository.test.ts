import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.js';
import { databaseEngines } from '../db/test-databases.js';
import { UnitOfWork } from '../db/unit-of-work.js';
import { appendAtCommit, EventRepository } from './event.repository.js';

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

describe.each(engines)('events appended at commit on $name', (engine) => {
  let handle: Db;
  let uow: UnitOfWork;
  let events: EventRepository;

  beforeAll(async () => {
    handle = await engine.open();
    uow = new UnitOfWork(handle.db);
    events = new EventRepository(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('writes nothing until the commit, then every queued event with its seq, in the lock order', async () => {
    const seen = await uow.write(async (trx) => {
      // Queued most general first: the outbox takes the heads in the lock order anyway.
      await appendAtCommit(trx, 'chat', 'chat.message', { n: 1 }, AT);
      await appendAtCommit(trx, 'theatres', 'order.confirmed', { n: 2 }, AT);
      await appendAtCommit(trx, 'theatre:7', 'order.confirmed', { n: 3 }, AT);
      await appendAtCommit(trx, 'order:9', 'payment.status', { n: 4 }, AT);
      await appendAtCommit(trx, 'theatre:7', 'order.updated', { n: 5 }, AT);
      await appendAtCommit(trx, 'chat:7', 'chat.message', { n: 6 }, AT);
      return new EventRepository(trx).head('theatre:7');
    });
    expect(seen).toBe(0);
    const all = (await events.unpublishedAfter(0, 100)).map((e) => [e.stream, e.seq, (e.data as { n: number }).n]);
    expect(all).toEqual([
      ['order:9', 1, 4],
      ['theatre:7', 1, 3],
      ['theatre:7', 2, 5],
      ['theatres', 1, 2],
      ['chat:7', 1, 6],
      ['chat', 1, 1],
    ]);
    // A second transaction continues each stream where the first left it.
    await uow.write(async (trx) => {
      await appendAtCommit(trx, 'theatres', 'order.seen', { n: 7 }, AT);
      await appendAtCommit(trx, 'theatre:7', 'order.seen', { n: 8 }, AT);
    });
    expect(await events.head('theatre:7')).toBe(3);
    expect(await events.head('theatres')).toBe(2);
  });

  it('writes nothing when the transaction rolls back', async () => {
    const before = await events.head('theatre:8');
    await expect(
      uow.write(async (trx) => {
        await appendAtCommit(trx, 'theatre:8', 'x', {}, AT);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await events.head('theatre:8')).toBe(before);
    expect(await events.eventsSince('theatre:8', 0, 10)).toEqual([]);
  });

  it('appends at once in a transaction no UnitOfWork opened', async () => {
    await handle.db.transaction().execute(async (trx) => {
      await appendAtCommit(trx, 'theatre:11', 'x', { n: 1 }, AT);
      expect(await new EventRepository(trx).head('theatre:11')).toBe(1);
    });
  });

  it('keeps seqs gap-free and ids in seq order with 40 concurrent writers queueing streams in opposite orders', async () => {
    const N = 40;
    const streams = ['order:5', 'theatre:5', 'theatres', 'chat:5', 'chat'];
    const before = new Map(await Promise.all(streams.map(async (s) => [s, await events.head(s)] as const)));
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        uow.write(async (trx) => {
          // Half queue them backwards: without the lock order they would deadlock on PostgreSQL.
          for (const stream of i % 2 === 0 ? streams : [...streams].reverse()) {
            await appendAtCommit(trx, stream, 'x', { i, k: 1 }, AT);
            await appendAtCommit(trx, stream, 'x', { i, k: 2 }, AT);
          }
        }),
      ),
    );
    for (const stream of streams) {
      const from = before.get(stream)!;
      const list = await events.eventsSince(stream, from, 1000);
      expect(list.map((e) => e.seq)).toEqual(Array.from({ length: 2 * N }, (_, i) => from + i + 1));
      const ids = list.map((e) => e.id);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      // A transaction's two events on a stream are adjacent and in the order they were queued.
      const data = list.map((e) => e.data as { i: number; k: number });
      for (let j = 0; j < data.length; j += 2) expect([data[j]!.i, data[j]!.k, data[j + 1]!.i, data[j + 1]!.k]).toEqual([data[j]!.i, 1, data[j]!.i, 2]);
    }
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
