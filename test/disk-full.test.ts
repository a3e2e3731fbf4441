import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, seedVenue, type Venue } from './support/venue.js';

/**
 * A full disk, made real for SQLite with `max_page_count`: SQLite then answers SQLITE_FULL
 * exactly as it does when the filesystem has no room (a tmpfs run gives the same log and
 * /readyz; see the report of issue 10).
 */
describe('a database that cannot write (disk full)', () => {
  let t: TestApp;
  let v: Venue;
  beforeAll(async () => {
    t = await startTestApp();
    v = await seedVenue(t, 1000);
  });
  afterAll(() => t.close());

  const readyz = async () => {
    const r = await fetch(t.http('/readyz'));
    return { status: r.status, body: (await r.json()) as { status: string; checks: Record<string, string> } };
  };
  const order = (n: number) =>
    new ApiClient(t).call('POST', '/api/orders', {
      seatId: v.seat1,
      items: [{ itemId: v.item(v.theatre1, 'Salted Popcorn'), quantity: 1 }],
      phone: `+9198765${String(10000 + n).slice(-5)}`,
      paymentMethod: 'online',
      notes: `order ${n} `.repeat(40),
    });

  it('answers 503, logs SQLITE_FULL (not "cannot rollback"), turns /readyz red while writes fail, and green once they work again', async () => {
    expect((await readyz()).status).toBe(200);
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(t.app.db);
    await sql.raw(`pragma max_page_count = ${rows[0]!.page_count}`).execute(t.app.db);

    let failed: Awaited<ReturnType<typeof order>> | undefined;
    for (let n = 0; n < 200 && !failed; n++) {
      const r = await order(n);
      if (r.status !== 201) failed = r;
    }
    expect(failed?.status).toBe(503);
    expect(failed?.body).toMatchObject({ error: { code: 'unavailable' } });
    expect(failed?.headers.get('retry-after')).toBe('30');
    const logged = t.logLines.filter((l) => l.includes('"level":50'));
    expect(logged.some((l) => l.includes('SQLITE_FULL') && l.includes('database or disk is full'))).toBe(true);
    expect(logged.some((l) => l.includes('cannot rollback'))).toBe(false);

    const red = await readyz();
    expect(red.status).toBe(503);
    expect(red.body).toMatchObject({ status: 'not_ready', checks: { database: 'ok', database_writes: 'down' } });
    expect((await readyz()).status).toBe(503);

    // Space is back: the next readiness check's own write succeeds, and so do orders.
    await sql.raw('pragma max_page_count = 1073741823').execute(t.app.db);
    const green = await readyz();
    expect(green.status).toBe(200);
    expect(green.body.checks).toMatchObject({ database: 'ok', database_writes: 'ok' });
    expect((await order(999)).status).toBe(201);
  });
});
