import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from './test-databases.js';
import { queueWork, UnitOfWork } from './unit-of-work.js';

const engines = await databaseEngines();

const theatre = (name: string) => ({ name, order_limit: 1, cash_enabled: 0, notification_phones: '[]', created_at: '2026-12-01T00:00:00.000Z' });

describe.each(engines)('unit of work on $name', (engine) => {
  let handle: TestDb;
  let uow: UnitOfWork;
  let woken: string[];
  let errors: unknown[];

  beforeAll(async () => {
    handle = await engine.open();
  });
  beforeEach(async () => {
    await handle.reset();
    woken = [];
    errors = [];
    uow = new UnitOfWork(handle.db, (err) => errors.push(err));
  });
  afterAll(async () => {
    await handle?.close();
  });

  const names = async () => (await handle.db.selectFrom('theatres').select('name').orderBy('name').execute()).map((r) => r.name);

  it('wakes the every-commit listeners after the commit, when another connection already sees the write', async () => {
    let seen: Promise<string[]> | undefined;
    uow.afterEveryCommit(() => {
      woken.push('relay');
      seen = names();
    });
    const id = await uow.write(async (trx) => (await trx.insertInto('theatres').values(theatre('Galaxy')).returning('id').executeTakeFirstOrThrow()).id);
    expect(id).toBeGreaterThan(0);
    expect(woken).toEqual(['relay']);
    expect(await seen).toEqual(['Galaxy']);
  });

  it('wakes a queue listener only after a write that queued work there, once however often it queued', async () => {
    uow.afterEveryCommit(() => woken.push('relay'));
    uow.afterCommitOf('chat.outbound', () => woken.push('sender'));
    uow.afterCommitOf('payments.refunds', () => woken.push('refunds'));
    await uow.write(async (trx) => {
      await trx.insertInto('theatres').values(theatre('Galaxy')).execute();
    });
    expect(woken).toEqual(['relay']);
    woken = [];
    await uow.write(async (trx) => {
      queueWork(trx, 'chat.outbound');
      queueWork(trx, 'chat.outbound');
      await trx.insertInto('theatres').values(theatre('Regal')).execute();
    });
    expect(woken).toEqual(['relay', 'sender']);
  });

  it('wakes nobody when the transaction rolls back, and keeps none of its writes', async () => {
    uow.afterEveryCommit(() => woken.push('relay'));
    uow.afterCommitOf('chat.outbound', () => woken.push('sender'));
    const failed = uow.write(async (trx) => {
      queueWork(trx, 'chat.outbound');
      await trx.insertInto('theatres').values(theatre('Galaxy')).execute();
      throw new Error('late failure');
    });
    await expect(failed).rejects.toThrow('late failure');
    expect(woken).toEqual([]);
    expect(await names()).toEqual([]);
  });

  it('answers the write even when a listener throws or rejects, and reports the listener errors', async () => {
    uow.afterEveryCommit(() => {
      throw new Error('thrown');
    });
    uow.afterEveryCommit(() => Promise.reject(new Error('rejected')));
    uow.afterEveryCommit(() => woken.push('relay'));
    await expect(uow.write(async (trx) => trx.insertInto('theatres').values(theatre('Galaxy')).execute())).resolves.toBeDefined();
    expect(woken).toEqual(['relay']);
    await expect.poll(() => errors.map((e) => (e as Error).message).sort(), { timeout: 1_000 }).toEqual(['rejected', 'thrown']);
  });

  it('ignores queued work of a transaction it did not open (a caller with its own transaction)', async () => {
    uow.afterCommitOf('chat.outbound', () => woken.push('sender'));
    await handle.db.transaction().execute(async (trx) => queueWork(trx, 'chat.outbound'));
    expect(woken).toEqual([]);
  });
});
