import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDb } from '../db/test-databases.js';
import { seed, type SeedResult } from '../seed/seed.service.js';
import { manualClock, SAMPLE_SEED, sequence } from '../seed/test-fixture.js';
import { AccountService } from './account.service.js';

const engines = await databaseEngines();

describe.each(engines)('accounts and sessions on $name', (engine) => {
  let handle: TestDb;
  let venue: SeedResult;
  let accounts: AccountService;
  const clock = manualClock();

  beforeAll(async () => {
    handle = await engine.open();
    venue = await seed(handle.db, SAMPLE_SEED);
    accounts = new AccountService({ db: handle.db, clock: clock.now, newToken: sequence('session-token'), sessionTtlMs: 60_000 });
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('authenticates staff with their theatre and admins with none', async () => {
    expect(await accounts.authenticate('galaxy-staff', 'staff-password-1')).toEqual({
      id: venue.theatres[0]!.staff[0]!.id,
      username: 'galaxy-staff',
      role: 'staff',
      theatreId: venue.theatres[0]!.id,
    });
    expect(await accounts.authenticate('root', 'admin-password-1')).toMatchObject({ role: 'admin', theatreId: null });
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    expect(await accounts.authenticate('galaxy-staff', 'staff-password-2')).toBeNull();
    expect(await accounts.authenticate('nobody', 'staff-password-1')).toBeNull();
  });

  it('creates a session stored only as a hash, finds it until it expires, and deletes it', async () => {
    const accountId = venue.admins[0]!.id;
    const { token, expiresAt } = await accounts.createSession(accountId);
    expect(expiresAt).toBe(new Date(clock.now().getTime() + 60_000).toISOString());
    const rows = await handle.db.selectFrom('sessions').select('id').execute();
    expect(rows.map((r) => r.id)).toEqual([createHash('sha256').update(token).digest('hex')]);

    const id = createHash('sha256').update(token).digest('hex');
    expect(await accounts.lookupSession(token)).toEqual({ id, account: expect.objectContaining({ id: accountId, role: 'admin' }), expiresAt });
    expect(await accounts.liveSessions([id, 'f'.repeat(64)])).toEqual(new Map([[id, accountId]]));
    expect(await accounts.lookupSession('not-a-token')).toBeNull();
    expect(await accounts.lookupSession('')).toBeNull();

    clock.advance(60_000);
    expect(await accounts.lookupSession(token)).toBeNull();
    expect(await accounts.liveSessions([id])).toEqual(new Map());
    expect(await accounts.deleteExpiredSessions()).toBe(1);

    const second = await accounts.createSession(accountId);
    await accounts.deleteSession(second.token);
    expect(await accounts.lookupSession(second.token)).toBeNull();
  });
});
