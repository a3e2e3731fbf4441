import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { SAMPLE_SEED } from '../seed/test-fixture.js';
import { AccountRepository } from './account.repository.js';

const engines = await databaseEngines();

/** What re-seeding an account does to its sessions (the seed command updates accounts in place). */
describe.each(engines)('account updates on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let accounts: AccountRepository;
  const session = async (accountId: number, n: number) => {
    const idHash = String(n).padStart(64, '0');
    await accounts.insertSession({ idHash, accountId, createdAt: '2026-11-29T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' });
    return idHash;
  };
  const live = (ids: string[]) => accounts.liveSessions(ids, '2026-11-29T00:00:00.000Z');

  beforeAll(async () => {
    handle = await engine.open();
    venue = await seed(handle.db, SAMPLE_SEED);
    accounts = new AccountRepository(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('keeps the sessions when nothing that grants access changed', async () => {
    const staff = venue.theatres[0]!.staff[0]!.id;
    const s = await session(staff, 1);
    await accounts.update(staff, { role: 'staff', theatreId: venue.theatres[0]!.id });
    expect([...(await live([s])).keys()]).toEqual([s]);
  });

  it('ends every session when the password, the role or the theatre changes (what they opened was granted under the old ones)', async () => {
    const staff = venue.theatres[0]!.staff[0]!.id;
    const [first, second] = [venue.theatres[0]!.id, venue.theatres[1]!.id];
    const moved = await session(staff, 2);
    await accounts.update(staff, { role: 'staff', theatreId: second });
    expect((await live([moved])).size).toBe(0);
    const repassed = await session(staff, 3);
    await accounts.update(staff, { role: 'staff', theatreId: second, passwordHash: 'scrypt$1$1$1$x$y' });
    expect((await live([repassed])).size).toBe(0);
    const promoted = await session(staff, 4);
    await accounts.update(staff, { role: 'admin', theatreId: null });
    expect((await live([promoted])).size).toBe(0);
    await accounts.update(staff, { role: 'staff', theatreId: first });
  });
});
