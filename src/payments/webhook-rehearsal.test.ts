import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseEngines, TABLES_IN_DELETE_ORDER, type TestDb } from '../db/test-databases.js';
import { OUTBOUND_QUEUE } from '../chat/outbound-sender.js';
import { seed } from '../seed/seed.service.js';
import { manualClock, sequence, serviceWiring, VENUE_SEED } from '../seed/test-fixture.js';
import { rehearseWebhook } from './webhook-rehearsal.js';

const engines = await databaseEngines();

describe.each(engines)('the payment webhook rehearsal on $name', (engine) => {
  let handle: TestDb;

  beforeAll(async () => {
    handle = await engine.open();
  });
  beforeEach(async () => {
    await handle.reset();
  });
  afterAll(async () => {
    await handle?.close();
  });

  /** Every row of every table, as JSON: what "nothing changed" is checked against. */
  const everything = async () => {
    const dump: Record<string, unknown[]> = {};
    for (const table of TABLES_IN_DELETE_ORDER) dump[table] = await handle.db.selectFrom(table).selectAll().execute();
    return JSON.stringify(dump);
  };

  const rehearse = (wiring: ReturnType<typeof serviceWiring>) =>
    rehearseWebhook({ ...wiring, clock: manualClock().now, newId: sequence('id'), newToken: sequence('token'), webhookSecret: 'rehearsal-test-secret-0123456789' });

  it('confirms a paid order through the real path, then leaves every table as it was and wakes no job', async () => {
    await seed(handle.db, VENUE_SEED, manualClock().now);
    const wiring = serviceWiring(handle.db);
    let commits = 0;
    let queued = 0;
    wiring.uow.afterEveryCommit(() => commits++);
    wiring.uow.afterCommitOf(OUTBOUND_QUEUE, () => queued++);
    const before = await everything();

    expect(await rehearse(wiring)).toEqual({ rehearsed: true, result: 'processed' });
    expect(await everything()).toBe(before);
    expect([commits, queued]).toEqual([0, 0]);
    // And a real write afterwards still commits and wakes the relay as before.
    await wiring.uow.write(async (trx) => void (await trx.selectFrom('theatres').select('id').execute()));
    expect(commits).toBe(1);
  });

  it('does nothing on a database with no theatre yet', async () => {
    const before = await everything();
    expect(await rehearse(serviceWiring(handle.db))).toEqual({ rehearsed: false, why: 'no theatre with a seat and an available item yet' });
    expect(await everything()).toBe(before);
  });
});
